"""The shared benchmark corpus builds cleanly at 1,000 stories: a page per story and term."""

import json

import pytest
from helpers import build_site
from PIL import Image


@pytest.mark.slow
def test_1k_corpus_builds_with_every_page(corpus_1k, tmp_path):
    out = build_site(corpus_1k, tmp_path / "out")
    stories = list((corpus_1k / "content/stories").glob("*.md")) + list(
        (corpus_1k / "content/stories").glob("*/index.md")
    )
    assert len(stories) == 1000
    pages = {p.parent.name for p in (out / "stories").glob("*/index.html")}
    for src in stories:
        slug = src.parent.name if src.name == "index.md" else src.stem
        assert slug in pages, slug
    assert len(list((out / "countries").glob("*/index.html"))) == 20
    assert len(list((out / "injustice").glob("*/index.html"))) == 11
    assert len(list((out / "tags").glob("*/index.html"))) == 18
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["stories"]) == 1000
    photos = [p for p in (out / "media").iterdir()]
    assert len({p.name.rsplit("-", 1)[0] for p in photos}) == 50  # each in 3 widths x 2 formats
    assert {p.suffix for p in photos} == {".jpg", ".webp"}
    for photo in photos:
        with Image.open(photo) as img:
            assert not img.getexif() and "exif" not in img.info


@pytest.mark.slow
def test_1k_corpus_passes_check(corpus_1k, capsys):
    from generator.cli import main

    assert main(["check", "--site", str(corpus_1k)]) == 0
    assert "0 error(s)" in capsys.readouterr().out


@pytest.mark.slow
def test_1k_incremental_build_equals_cold_one(corpus_1k, tmp_path):
    """At this size every stage runs in forked workers (and the search index in the
    background): an edit rebuild must still equal a cold build of the same input."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(corpus_1k, site)
    out = tmp_path / "out"
    build_site(site, out)
    story = sorted((site / "content/stories").glob("*.md"))[500]
    text = story.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    story.write_text(
        text.replace(title, 'title: "A title changed for this test"') + "\nOne more line.\n",
        encoding="utf-8",
    )
    incremental = build_site(site, out)
    cold = build_site(site, tmp_path / "cold")

    def files(folder):
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"
        }

    got, want = files(incremental), files(cold)
    assert got.keys() == want.keys()
    assert [k for k in got if got[k] != want[k]] == []
    changed = (incremental / "stories" / story.stem / "index.html").read_text()
    assert "A title changed for this test" in changed


@pytest.mark.slow
def test_1k_broken_card_template_is_reported_with_its_line(corpus_1k, tmp_path):
    """At this size the story cards are rendered first, across the workers; a card the
    template cannot render is still reported once, at its line, and nothing is written."""
    import shutil

    from generator import build
    from generator.config import BuildOptions
    from generator.errors import BuildFailed

    site = tmp_path / "site"
    shutil.copytree(corpus_1k, site)
    (site / "templates").mkdir()
    (site / "templates/_card.html").write_text(
        "{# a site's own card #}\n<article>{{ card.no_such_field.deeper }}</article>\n"
    )
    with pytest.raises(BuildFailed) as failed:
        build.run(BuildOptions(site_dir=site, out_dir=tmp_path / "out"))
    found = [p.format() for p in failed.value.problems]
    assert any("templates/_card.html" in p and "no_such_field" in p for p in found), found
    assert not (tmp_path / "out" / "current").exists()
