"""The preview's quick path: an edit of a document's words is shown at once on every page
that shows it, from the last build's values, and those pages are exactly the ones the
full rebuild then changes, byte for byte. It is a head start, never a different site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, story
from helpers import AS_OF

from generator import build
from generator.config import BuildOptions
from generator.quick import quick_pages

HELLEN = "content/stories/hellen-home-restored.md"
DAVID = "content/stories/david-hospital-to-high-court.md"


@pytest.fixture
def example(tmp_path):
    """A copy of this repository's own site: stories with related stories, tags,
    milestones and pages that show them, a feed and a home page."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO / "content", site / "content")
    return site


def _build(site: Path, out: Path):
    options = BuildOptions(site_dir=site, out_dir=out, as_of=AS_OF, drafts=True, keep_session=True)
    return options, build.run(options)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "body": (HELLEN, "When fighting swept", "When *the* fighting swept"),
    "title": (HELLEN, "Hellen's land, marked out in the rain", "Hellen's land, marked out"),
    "summary": (HELLEN, "A widow in northern Uganda", "A mother in northern Uganda"),
    "quote": (HELLEN, "out loud, that the land", "plainly, that the land"),
    "survivor": (HELLEN, "pseudonym: false", "pseudonym: true"),
    "another story's title": (DAVID, "David: from a hospital bed", "David: from a hospital ward"),
    "milestone body": (
        "content/milestones/2015-uganda-land-verdict.md",
        "\n---\n",
        "\n---\n\nNew. ",
    ),
    "page body": ("content/pages/about.md", "\n---\n", "\n---\n\nAn added sentence. "),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_quick_pages_are_the_pages_the_full_rebuild_changes(example, tmp_path, edit):
    rel, old, new = EDITS[edit]
    options, first = _build(example, tmp_path / "out")
    before = _files(Path(first.output))
    _edit(example, rel, old, new)

    quick = quick_pages(first.session, rel)

    assert quick, f"the quick path declined a {edit} edit"
    after = _files(Path(build.run(options).output))
    changed = {p for p in after if before.get(p) != after[p]}
    # the search index is left to the full rebuild; everything else is shown at once
    assert changed - set(quick) <= {p for p in changed if p.startswith("search/")}
    assert changed - {p for p in changed if p.startswith("search/")}, "the edit changed nothing"
    for path, data in quick.items():
        assert after[path] == data, f"{path} differs from the full rebuild"


def test_a_title_reaches_listings_related_boxes_and_the_feed(example, tmp_path):
    _, first = _build(example, tmp_path / "out")
    _edit(example, HELLEN, "Hellen's land, marked out in the rain", "Hellen walks her land")
    quick = quick_pages(first.session, HELLEN)
    assert quick is not None
    assert next(iter(quick)) == "stories/hellen-home-restored/index.html"  # its own page first
    assert {"stories/index.html", "countries/uganda/index.html", "feed.xml"} <= set(quick)
    related = "stories/david-hospital-to-high-court/index.html"  # lists Hellen as related
    assert related in quick and b"Hellen walks her land" in quick[related]


@pytest.mark.parametrize(
    "rel, old, new",
    [
        (HELLEN, "date: 2020-04-14", "date: 2020-04-15"),  # moves in every listing
        (HELLEN, "tags: [land, courtroom, family, hope]", "tags: [land]"),  # tag pages
        (HELLEN, "scope: [web, social, print]", "scope: [social]"),  # consent: goes offline
        (HELLEN, "When fighting swept", "See [gone](nowhere.md). When fighting swept"),
        (HELLEN, "title: ", "title:\n  - "),  # invalid front matter: the build reports it
        (HELLEN, "---\n", "--\n"),  # no front matter at all
        ("content/milestones/2015-uganda-land-verdict.md", "title:", "title: New"),
        ("content/stories/a-quiet-new-start.md", "This story", "The story"),  # withdrawn
    ],
)
def test_edits_that_may_move_a_document_go_to_the_full_build(example, tmp_path, rel, old, new):
    _, first = _build(example, tmp_path / "out")
    _edit(example, rel, old, new)
    assert quick_pages(first.session, rel) is None


def test_files_that_are_not_documents_go_to_the_full_build(make_site, tmp_path):
    root = make_site(dict([story("a"), story("b")]))
    _, first = _build(root, tmp_path / "out")
    assert quick_pages(first.session, "content/milestones/none.md") is None
    assert quick_pages(first.session, "site.yaml") is None
    assert quick_pages(first.session, "content/stories/new.md") is None


def test_the_preview_leaves_a_deletion_saved_with_an_edit_to_the_full_build(make_site, tmp_path):
    """Temporary files an editor's save leaves behind are ignored, but a story deleted in
    the same moment as another is edited must not be shown on the quick pages."""
    from generator.serve import Preview

    root = make_site(dict([story("a"), story("b")]))
    said: list[str] = []
    preview = Preview(
        BuildOptions(site_dir=root, out_dir=tmp_path / "out", as_of=AS_OF), said.append
    )
    preview.rebuild()
    a, b = root / "content/stories/a.md", root / "content/stories/b.md"
    a.write_text(a.read_text().replace("The story of a.", "Edited."))
    assert preview.quick({str(a), str(root / "content/stories/.a.md.swp~gone")})
    assert b"Edited." in preview.overlay["stories/a/index.html"]
    b.unlink()
    assert not preview.quick({str(a), str(b)})
