"""Takedown leaves nothing behind: build, withdraw, rebuild, purge, then grep everything."""

from __future__ import annotations

import pytest
from conftest import story
from helpers import build_site
from PIL import Image

from generator import release
from generator.cli import main

SECRET_NAME = "Wanjiku"
SECRET_TITLE = "Wanjiku walks free from the quarry"
SECRET_TEXT = "the foreman kept her papers in a tin box"


def _site(make_site, **consent_extra):
    extra = "".join(f"\n  {k}: {v}" for k, v in consent_extra.items())
    files = dict([story("other", related="[secret]")])
    files["content/stories/secret/index.md"] = (
        story(
            "secret",
            title=f'"{SECRET_TITLE}"',
            summary='"A summary about the quarry."',
            survivor=f"\n  name: {SECRET_NAME}\n  pseudonym: false",
            image='\n  src: photo.jpg\n  alt: "A quarry at dusk"',
            consent="\n  obtained: 2024-01-01\n  scope: [web, social]" + extra,
            tags="[quarry]",
        )[1]
        + f"\nShe said {SECRET_TEXT}.\n"
    )
    files["content/milestones/m.md"] = "---\ntitle: M\ndate: 2020\nstories: [secret]\n---\n"
    files["content/pages/hope.md"] = "---\ntitle: Hope\nstories: [secret, other]\n---\n"
    root = make_site(files)
    Image.new("RGB", (300, 200), (90, 120, 30)).save(root / "content/stories/secret/photo.jpg")
    return root


def _image_hashes(out) -> set[str]:
    import re

    return {re.search(r"-([0-9a-f]{10})-\d+\.", p.name).group(1) for p in (out / "media").glob("*")}


def _leaks(output_root, needles, slug, allowed):
    found = []
    for path in output_root.rglob("*"):
        if not path.is_file() or path.name == ".lock":
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # the search index is gzipped: look inside it too
            import gzip

            data = gzip.decompress(data)
        for needle in needles:
            if needle.encode() in data:
                found.append(f"{path.relative_to(output_root)}: {needle}")
        rel = path.relative_to(output_root).as_posix()
        if slug.encode() in data and not any(rel.endswith(a) for a in allowed):
            found.append(f"{rel}: slug")
    return found


def _withdraw(root):
    path = root / "content/stories/secret/index.md"
    path.write_text(
        path.read_text().replace(
            "scope: [web, social]", "scope: [web, social]\n  withdrawn: 2026-11-01"
        )
    )


def _secret_leaks(folder, image_hashes):
    return _leaks(
        folder,
        [SECRET_TITLE, SECRET_NAME, SECRET_TEXT, *image_hashes],
        "secret",
        ["stories/secret/index.html", "manifest.json"],
    )


def test_withdraw_rebuild_purge_leaves_nothing(make_site, capsys):
    root = _site(make_site)
    out = root / "output"
    first = build_site(root, out)
    page = (first / "stories/secret/index.html").read_text()
    assert SECRET_TITLE in page and SECRET_TEXT in page
    image_hashes = _image_hashes(first)
    assert image_hashes
    first_id = release.current_id(out)

    _withdraw(root)  # then rebuild
    second = build_site(root, out)
    gone = (second / "stories/secret/index.html").read_text()
    assert "no longer available" in gone.lower() and 'name="robots" content="noindex"' in gone
    assert (
        _leaks(
            second,
            [SECRET_TITLE, SECRET_NAME, SECRET_TEXT, *image_hashes],
            "secret",
            ["stories/secret/index.html", "manifest.json"],
        )
        == []
    )

    # the old release still has it: rollback refuses, purge removes it
    assert main(["rollback", "--out", str(out), first_id]) == 1
    assert "withdrawn" in capsys.readouterr().err
    assert main(["purge", "--out", str(out), "secret"]) == 0
    assert _secret_leaks(out, image_hashes) == []
    assert release.current_id(out) == second.resolve().name


def test_deleted_story_file_keeps_a_neutral_page(make_site):
    root = _site(make_site)
    build_site(root, root / "output")
    import shutil

    shutil.rmtree(root / "content/stories/secret")
    for rel in ("content/milestones/m.md", "content/pages/hope.md", "content/stories/other.md"):
        p = root / rel
        p.write_text(p.read_text().replace("secret, ", "").replace("[secret]", "[]"))
    out = build_site(root, root / "output")
    assert "no longer available" in (out / "stories/secret/index.html").read_text().lower()
    assert SECRET_TITLE not in (out / "sitemap.xml").read_text()
    assert "stories/secret/" not in (out / "sitemap.xml").read_text()


def test_renamed_story_keeps_old_links_with_an_alias(make_site):
    root = make_site(dict([story("old-name")]))
    build_site(root, root / "output")
    (root / "content/stories/old-name.md").unlink()
    name, text = story("new-name", aliases="[/stories/old-name/]")
    (root / name).write_text(text)
    out = build_site(root, root / "output")
    redirect = (out / "stories/old-name/index.html").read_text()
    assert (
        'http-equiv="refresh"' in redirect and "https://example.org/stories/new-name/" in redirect
    )
    assert 'rel="canonical"' in redirect
    assert "/stories/old-name/ /stories/new-name/ 301" in (out / "_redirects").read_text()


def test_purge_refuses_while_current_shows_the_story(make_site, capsys):
    root = _site(make_site)
    build_site(root, root / "output")
    assert main(["purge", "--out", str(root / "output"), "secret"]) == 1
    assert "withdraw the story and build first" in capsys.readouterr().err


def test_consent_expiring_soon_is_a_warning(make_site):
    from helpers import problems_of

    root = _site(make_site, expires="2026-12-20")
    found = problems_of(root)
    assert any(
        "warning: consent.expires: consent expires on 2026-12-20 (in 27 day(s))" in p for p in found
    )


@pytest.mark.parametrize("scope,shared", [("[web]", False), ("[web, social]", True)])
def test_share_image_only_with_social_consent(make_site, tmp_path, scope, shared):
    root = _site(make_site)
    path = root / "content/stories/secret/index.md"
    path.write_text(path.read_text().replace("scope: [web, social]", f"scope: {scope}"))
    out = build_site(root, tmp_path / "out")
    head = (out / "stories/secret/index.html").read_text().split("</head>")[0]
    assert ('property="og:image"' in head) is shared
    assert ("twitter:image" in head) is shared
    assert ("/media/" in head) is shared


def test_purge_removes_the_spare_release_too(make_site):
    # With keep: 1 the release before the takedown is pruned at once, but kept on disk
    # as the spare the next build recycles: purge must not leave the story in it
    root = _site(make_site)
    yaml = root / "site.yaml"
    yaml.write_text(yaml.read_text() + "releases:\n  keep: 1\n")
    out = root / "output"
    first = build_site(root, out)
    image_hashes = _image_hashes(first)
    _withdraw(root)
    build_site(root, out)
    assert SECRET_TEXT in (out / release.SPARE / "stories/secret/index.html").read_text()
    assert main(["purge", "--out", str(out), "secret"]) == 0
    assert not (out / release.SPARE).exists()
    assert _secret_leaks(out, image_hashes) == []
