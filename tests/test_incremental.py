"""An incremental build is the same site as a cold one, file for file, after every kind
of change (not timed: the benchmark measures speed)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import REPO, story
from helpers import build_site

from generator import load, trash
from generator.cache import Cache, key
from generator.errors import BuildFailed
from generator.release import ahead, spare
from generator.write import files


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _site(make_site):
    files = dict(
        story(f"s{i}", date=f"2024-01-{i + 1:02d}", tags="[hope]" if i % 2 else "[courage]")
        for i in range(15)
    )
    files["content/stories/s3.md"] += "\nSee [s4](s4.md) and [m](../milestones/m.md).\n"
    files["content/milestones/m.md"] = (
        "---\ntitle: M\ndate: 2001\nheadline: true\nmetrics:\n"
        "  - {value: 5, label: rescued}\nstories: [s1]\n---\n"
    )
    files["content/pages/about.md"] = "---\ntitle: About\nmenu: 1\n---\nAbout us.\n"
    return make_site(files)


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    path.write_text(path.read_text().replace(old, new))


def _keeping_one(make_site) -> Path:
    """The test site keeping one release: each build prunes the one before into the spare."""
    root = _site(make_site)
    _edit(root, "site.yaml", "title: Test Site", "title: Test Site\nreleases:\n  keep: 1")
    return root


def _with_spare(make_site, tmp_path) -> tuple[Path, Path]:
    """That site built twice into ``out``: its first release is now the spare."""
    root = _keeping_one(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    (root / "content/stories/s1.md").touch()  # a new release of the same site
    build_site(root, out)
    return root, out


CHANGES = {
    "edit body": lambda r: _edit(r, "content/stories/s3.md", "The story of s3.", "A new text."),
    "edit title": lambda r: _edit(r, "content/stories/s5.md", "S5 goes home", "S5 is free"),
    "add story": lambda r: (r / "content/stories/new.md").write_text(story("new")[1]),
    "delete story": lambda r: (r / "content/stories/s7.md").unlink(),
    "rename with alias": lambda r: (
        (r / "content/stories/s8.md").unlink(),
        (r / "content/stories/s8-renamed.md").write_text(
            story("s8-renamed", aliases="[/stories/s8/]")[1]
        ),
    ),
    "withdraw linked story": lambda r: _edit(
        r,
        "content/stories/s4.md",
        "scope: [web, social]",
        "scope: [web, social]\n  withdrawn: 2026-01-01",
    ),
    "edit milestone": lambda r: _edit(r, "content/milestones/m.md", "value: 5", "value: 6"),
    "site.yaml": lambda r: _edit(r, "site.yaml", "title: Test Site", "title: Other Site"),
    "template": lambda r: (
        (r / "templates").mkdir(exist_ok=True),
        (r / "templates/404.html").write_text("<p>custom</p>\n"),
    ),
}


@pytest.mark.parametrize("stamps", ["checked by content", "trusted"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_incremental_equals_cold(make_site, tmp_path, monkeypatch, change, stamps):
    # Files written a moment ago have unsettled stamps, and a build compares their bytes
    # with the snapshot's; with stamps trusted, it leaves unchanged files unread
    if stamps == "trusted":
        monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    CHANGES[change](root)
    incremental = build_site(root, out)
    cold = build_site(root, tmp_path / "cold")
    got, want = _files(incremental), _files(cold)
    if change == "delete story":
        # By design a deleted story's URL keeps its neutral page, which only the output
        # folder's history can know about; everything else must match
        assert b"no longer available" in got.pop("stories/s7/index.html")
    assert got == want


def _manifest_holds(folder: Path) -> bool:
    import hashlib

    files = json.loads((folder / "manifest.json").read_text())["files"]
    return all(
        hashlib.sha256((folder / f["path"]).read_bytes()).hexdigest() == f["sha256"] for f in files
    )


@pytest.mark.parametrize("change", list(CHANGES))
def test_recycled_spare_release_equals_cold(make_site, tmp_path, change):
    # keep: 1 prunes each release at the next build into the spare, which the build
    # after that writes into: it must end up as a cold build, and leave the release it
    # shares hard links with untouched
    root = _keeping_one(make_site)
    out = tmp_path / "out"
    first = build_site(root, out).resolve()
    folder = (first / "stories/s1").stat().st_ino
    (root / "content/stories/s1.md").touch()  # a new release of the same site
    second = build_site(root, out).resolve().stat().st_ino
    assert (out / ".spare" / "stories/s1").stat().st_ino == folder
    CHANGES[change](root)
    third = build_site(root, out).resolve()
    assert (third / "stories/s1").stat().st_ino == folder  # the spare was written into
    assert [p.name for p in (out / "releases").iterdir()] == [third.name]
    assert _manifest_holds(third) and _manifest_holds(out / ".spare")
    assert (out / ".spare").stat().st_ino == second  # pruned in turn: the next spare
    got, want = _files(third), _files(build_site(root, tmp_path / "cold"))
    if change == "delete story":
        assert b"no longer available" in got.pop("stories/s7/index.html")
    assert got == want
    manifest = {f["path"] for f in json.loads((third / "manifest.json").read_text())["files"]}
    assert set(_files(third)) == manifest  # nothing of the recycled release is left over


def test_pages_a_recycled_spare_replaces_are_trashed_then_deleted(make_site, tmp_path):
    # After a template change every page of the spare is stale, most of them the last
    # link to their file: they are moved aside, and deleted after the build
    root = _keeping_one(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    _edit(root, "content/stories/s2.md", "The story of s2.", "A new text.")
    build_site(root, out)
    page = out / ".spare" / "stories/s2/index.html"
    assert page.stat().st_nlink == 1  # s2 changed: only the spare has its old page
    CHANGES["template"](root)
    (root / "templates/story.html").write_text(
        (REPO / "templates/story.html").read_text().replace("</article>", "</article><!-- -->")
    )
    old_page = page.read_bytes()
    emptied: list[Path] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(trash, "delete_later", emptied.append)
        mp.setattr(spare, "STALE_LIMIT", 1.0)  # recycle it, however stale
        third = build_site(root, out).resolve()
    assert b"<!-- -->" in (third / "stories/s2/index.html").read_bytes()
    [bin_] = emptied
    assert bin_.parent == out and old_page in [p.read_bytes() for p in bin_.iterdir()]
    trash.delete_later(bin_)
    deadline = time.monotonic() + 20
    while list(out.glob(".trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(out.glob(".trash-*"))
    assert _files(third) == _files(build_site(root, tmp_path / "cold"))


def test_a_stale_spare_is_not_recycled_but_deleted(make_site, tmp_path):
    # After a template change nearly every file of the spare would have to be replaced,
    # which costs more than making fresh folders: it goes to the trash instead
    root = _keeping_one(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    CHANGES["template"](root)
    build_site(root, out)  # every page changed: the spare (the first release) is stale
    folder = (out / ".spare" / "stories/s1").stat().st_ino
    emptied: list[Path] = []
    (root / "content/stories/s1.md").touch()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(trash, "delete_later", emptied.append)
        third = build_site(root, out).resolve()
    assert (third / "stories/s1").stat().st_ino != folder  # a fresh folder
    [bin_] = emptied
    assert [p.name for p in bin_.iterdir()] and (out / ".spare").is_dir()  # the next spare
    assert _files(third) == _files(build_site(root, tmp_path / "cold"))


def test_folders_are_made_ahead_and_those_left_unused_removed(make_site, tmp_path):
    root = _site(make_site)
    out = tmp_path / "out"
    first = build_site(root, out).resolve()
    assert (first / "tags/courage/index.html").exists()
    for i in range(15):  # no story is tagged "courage" any more: its folder goes
        _edit(root, f"content/stories/s{i}.md", "[courage]", "[hope]")
    made: list[str] = []
    real = files.Writer._folder
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(files.Writer, "_folder", lambda self, f: made.append(f) or real(self, f))
        second = build_site(root, out).resolve()
    assert made
    stage = next(p for p in [Path(made[0]), *Path(made[0]).parents] if ".staging-" in p.name)
    new = {Path(f).relative_to(stage).as_posix() for f in made if Path(f) != stage}
    assert new and not any((first / f).exists() for f in new)  # only what is new
    assert not (second / "tags/courage").exists()
    assert _files(second) == _files(build_site(root, tmp_path / "cold"))
    on_disk = {p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_dir()}
    needed = {
        "/".join(f.split("/")[:i]) for f in _files(second) for i in range(1, f.count("/") + 1)
    }
    assert on_disk == needed  # no empty folder left behind


def test_folders_that_cannot_be_made_ahead_are_made_by_the_writer(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old/manifest.json").write_text(
        json.dumps({"files": [{"path": "a/b/index.html"}, {"path": "../x/y"}, {"path": "c/d"}]})
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    good = ahead.make_ahead(stage, tmp_path / "old")
    assert good.wait()[0] == {"a", "a/b", "c"} and (stage / "a/b").is_dir()
    assert not (tmp_path / "x").exists()  # never outside the release
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "a").write_text("a file where a folder is due")
    assert ahead.make_ahead(blocked, tmp_path / "old").wait()[0] == {"c"}


def test_the_spares_folders_are_taken_as_there_unless_they_are_not(make_site, tmp_path):
    # The writer skips checking the folders and files the spare's manifest lists; a
    # folder removed from disk, or a file where one was, is made the slow way when a
    # write needs it, and a file that is not what the manifest says is replaced
    root, out = _with_spare(make_site, tmp_path)
    folder = (out / ".spare/stories/s1").stat().st_ino
    shutil.rmtree(out / ".spare/stories/s2")
    damaged = out / ".spare/stories/s5/index.html"  # unchanged, so taken as it is, unless:
    damaged.unlink()  # (a hard link shared with the current release: never written into)
    damaged.write_text("not the page the manifest lists")
    (out / ".spare/stories/s6/index.html").unlink()
    (out / ".spare/stories/s6/index.html").mkdir()
    shutil.rmtree(out / ".spare/stories/s3")
    (out / ".spare/stories/s3").write_text("a file where a folder was")
    _edit(root, "content/stories/s2.md", "The story of s2.", "A new text.")
    checked: list[str] = []
    real = files.Writer._folder
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spare, "STALE_LIMIT", 1.0)  # recycle it, however stale
        mp.setattr(files.Writer, "_folder", lambda self, f: checked.append(f) or real(self, f))
        third = build_site(root, out).resolve()
    inside = [f.rsplit("/", 2)[-2:] for f in checked if ".staging-" not in f.rsplit("/", 1)[-1]]
    assert sorted(inside) == [["stories", "s2"], ["stories", "s3"]]
    assert (third / "stories/s1").stat().st_ino == folder  # the spare was written into
    assert _files(third) == _files(build_site(root, tmp_path / "cold"))


def test_a_spare_with_a_damaged_manifest_is_cleared_from_disk(make_site, tmp_path):
    root, out = _with_spare(make_site, tmp_path)
    (out / ".spare/manifest.json").write_text("{not json")
    (out / ".spare/stray").mkdir()
    (out / ".spare/stray/index.html").write_text("not in any release")
    CHANGES["delete story"](root)
    got = _files(build_site(root, out))
    want = _files(build_site(root, tmp_path / "cold"))
    assert b"no longer available" in got.pop("stories/s7/index.html")
    assert got == want


def test_unchanged_rebuild_renders_nothing_and_reuses_files(make_site, tmp_path):
    from helpers import AS_OF

    from generator import build
    from generator.config import BuildOptions

    root = _site(make_site)
    out = tmp_path / "out"
    first = build.run(BuildOptions(site_dir=root, out_dir=out, as_of=AS_OF))
    same = build.run(BuildOptions(site_dir=root, out_dir=out, as_of=AS_OF))
    assert same.up_to_date and same.release_id == first.release_id  # nothing to do at all
    (root / "content/stories/s1.md").touch()  # newer, but the same bytes
    second = build.run(BuildOptions(site_dir=root, out_dir=out, as_of=AS_OF))
    assert first.pages_rendered == first.pages and second.pages_rendered == 0
    assert not second.up_to_date and second.release_id != first.release_id
    a = out / "releases" / first.release_id / "stories/s1/index.html"
    b = out / "releases" / second.release_id / "stories/s1/index.html"
    assert a.stat().st_ino == b.stat().st_ino  # hard-linked, not rendered again
    assert first.release_id.split("-")[-1] == second.release_id.split("-")[-1]
    _edit(root, "content/stories/s3.md", "The story of s3.", "Changed.")
    third = build.run(BuildOptions(site_dir=root, out_dir=out, as_of=AS_OF))
    assert 0 < third.pages_rendered < third.pages / 2


def test_up_to_date_check_notices_a_due_schedule(make_site, tmp_path):
    import datetime as dt

    from generator import build
    from generator.config import BuildOptions

    root = make_site(dict([story("a"), story("later", publish_at='"2026-11-23 10:00"')]))
    out = tmp_path / "out"
    os_env = {
        "SOURCE_DATE_EPOCH": str(int(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC).timestamp()))
    }
    import os

    old = os.environ.copy()
    try:
        os.environ.update(os_env)
        first = build.run(BuildOptions(site_dir=root, out_dir=out))
        os.environ["SOURCE_DATE_EPOCH"] = str(
            int(dt.datetime(2026, 11, 23, 11, tzinfo=dt.UTC).timestamp())
        )
        second = build.run(BuildOptions(site_dir=root, out_dir=out))
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert first.stories == 1 and not second.up_to_date and second.stories == 2


def test_corrupted_cache_is_ignored(make_site, tmp_path):
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    entries = [p for p in (out / ".cache").rglob("*") if p.is_file()]
    assert entries
    for path in entries:  # flip bytes in every cached entry
        data = bytearray(path.read_bytes())
        data[-1] ^= 0xFF
        path.write_bytes(bytes(data))
    shutil.rmtree(out / "current", ignore_errors=True)
    (out / "current").unlink(missing_ok=True)
    rebuilt = build_site(root, out)
    cold = build_site(root, tmp_path / "cold")
    assert _files(rebuilt) == _files(cold)


def test_bodies_whose_cache_entries_are_gone_are_rendered_again(make_site, tmp_path):
    # An edit build takes renderings from the pack (no HTML) and reads a body only for a
    # page it renders again; a template change renders every page. With every entry
    # holding HTML deleted or damaged, the bodies are rendered again from their files.
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    parts = sorted((out / ".cache" / "renderings").iterdir())
    assert (out / ".cache" / "markdown-pack").is_dir() and parts
    for i, path in enumerate(parts):
        if i % 2:
            path.unlink()
        else:  # a byte changed in each rendering: the first of them cut short
            data = bytearray(path.read_bytes())
            for at in range(0, len(data), 97):
                data[at] ^= 0x20
            path.write_bytes(bytes(data[:-3]))
    CHANGES["template"](root)
    (root / "templates/story.html").write_text(
        (REPO / "templates/story.html").read_text().replace("</article>", "</article><!-- -->")
    )
    incremental = build_site(root, out)
    assert b"<!-- -->" in (incremental / "stories/s3/index.html").read_bytes()
    assert _files(incremental) == _files(build_site(root, tmp_path / "cold"))


def test_a_body_whose_file_changed_during_the_build_fails_it(make_site, tmp_path):
    root = _site(make_site)
    out = tmp_path / "out"
    first = build_site(root, out).resolve()
    for path in (out / ".cache" / "renderings").iterdir():  # every rendering damaged
        path.write_bytes(path.read_bytes().replace(b"<p>", b"<q>"))
    # as if the editor saved s3 after the build read it: its key no longer matches
    real = load.read_doc

    def newer(site_dir, rel, problems):
        doc = real(site_dir, rel, problems)
        later = doc.body + "\nSaved later.\n"
        return dataclasses.replace(
            doc, body=later, sha256=hashlib.sha256(later.encode()).hexdigest()
        )

    CHANGES["template"](root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load, "read_doc", newer)
        with pytest.raises(BuildFailed) as failed:
            build_site(root, out)
    assert any(
        p.path == "content/stories/s3.md" and "changed while the site was being built" in p.message
        for p in failed.value.problems
    )
    assert (out / "current").resolve() == first


def test_cache_rejects_tampered_entries(tmp_path):
    cache = Cache(tmp_path)
    k = key("x")
    cache.put("markdown", k, {"html": "<p>ok</p>"})
    assert cache.get("markdown", k) == {"html": "<p>ok</p>"}
    path = next(p for p in tmp_path.rglob("*") if p.is_file())
    path.write_bytes(path.read_bytes().replace(b"ok", b"no"))
    assert cache.get("markdown", k) is None
    path.write_bytes(b"garbage")
    assert cache.get("markdown", k) is None


def test_a_half_written_cache_entry_is_ignored_then_rewritten(tmp_path):
    # Entries are written in place: a reader may meet one half written
    cache = Cache(tmp_path)
    k = key("y")
    cache.put("markdown", k, {"html": "<p>" + "x" * 5000 + "</p>"})
    path = next(p for p in tmp_path.rglob("*") if p.is_file())
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert cache.get("markdown", k) is None
    cache.put("markdown", k, {"html": "<p>ok</p>"})
    assert cache.get("markdown", k) == {"html": "<p>ok</p>"}
    assert [p.name for p in path.parent.iterdir()] == [k]  # no temporary files left


def test_the_current_release_is_carried_ahead_as_hard_links(tmp_path):
    old = tmp_path / "old"
    (old / "a/b").mkdir(parents=True)
    (old / "c").mkdir()
    (old / "a/b/index.html").write_text("page")
    (old / "c/d").write_text("data")
    listed = [
        {"path": "a/b/index.html", "sha256": "1", "size": 4},
        {"path": "c/d", "sha256": "2", "size": 4},
        {"path": "gone.html", "sha256": "3", "size": 1},  # listed, but not on disk
        {"path": "../x/y", "sha256": "4", "size": 1},  # never outside the release
    ]
    (old / "manifest.json").write_text(json.dumps({"files": listed}))
    stage = tmp_path / "stage"
    stage.mkdir()
    folders, carried = ahead.make_ahead(stage, old).wait()
    assert folders == {"a", "a/b", "c"}
    assert carried == {"a/b/index.html": ("1", 4), "c/d": ("2", 4)}
    assert (stage / "c/d").stat().st_ino == (old / "c/d").stat().st_ino
    assert not (stage / "manifest.json").exists() and not (tmp_path / "x").exists()


def test_the_writer_never_makes_its_root_again(tmp_path):
    # A background writer (the search index) must not bring a staging folder back
    # after the build threw it away
    root = tmp_path / ".staging-x"
    root.mkdir()
    out = files.Writer(root)
    shutil.rmtree(root)
    with pytest.raises(FileNotFoundError):
        out.write("search/index/ab.json", b"{}")
    assert not root.exists()


def test_related_stories_follow_the_fields_they_come_from(make_site, tmp_path):
    # the related lists are kept from the last build while their fields stay the same;
    # a new country leaves the order of the stories as it was, and their lists not
    root = _site(make_site)
    out = tmp_path / "out"
    first = build_site(root, out)
    assert b"More stories like this" in (first / "stories/s6/index.html").read_bytes()
    _edit(root, "content/stories/s6.md", "country: Uganda", "country: Kenya")
    incremental = build_site(root, out)
    assert b"More stories like this" not in (incremental / "stories/s6/index.html").read_bytes()
    assert _files(incremental) == _files(build_site(root, tmp_path / "cold"))
