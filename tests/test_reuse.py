"""Page fingerprints carried over after an edit of bodies only (``write.reuse``).

The comparison with a cold build for every kind of change is in test_incremental;
here: the shortcut is taken after a body edit (else those comparisons prove nothing
of it), gives the fingerprints a full pass gives, and is not taken after any other
kind of change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import build_site
from test_incremental import _edit, _files, _site

from generator.write import pages


def _inputs(release: Path) -> dict[str, str]:
    manifest = json.loads((release / "manifest.json").read_text())
    return {f["path"]: f["inputs"] for f in manifest["files"] if f.get("inputs")}


def _counting(monkeypatch) -> list[str]:
    """The URLs of the pages fingerprinted in full, from now on."""
    done: list[str] = []
    full = pages.page_fingerprint

    def counted(base, spec, fp):
        done.append(spec.url)
        return full(base, spec, fp)

    monkeypatch.setattr(pages, "page_fingerprint", counted)
    return done


def _built_twice(make_site, tmp_path, monkeypatch):
    root = _site(make_site)
    out = tmp_path / "out"
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)  # stamps trusted: files unread
    build_site(root, out)
    return root, out


def test_a_body_edit_fingerprints_only_the_pages_that_show_it(make_site, tmp_path, monkeypatch):
    root, out = _built_twice(make_site, tmp_path, monkeypatch)
    _edit(root, "content/stories/s3.md", "The story of s3.", "A new text.")
    done = _counting(monkeypatch)
    incremental = build_site(root, out)
    assert "stories/s3/" in done  # its page, and those that show its card
    assert "stories/s9/" not in done and "milestones/m/" not in done
    assert 0 < len(done) < len(_inputs(incremental)) // 2
    cold = build_site(root, tmp_path / "cold")
    assert _inputs(incremental) == _inputs(cold)  # the fingerprints a full pass gives
    assert _files(incremental) == _files(cold)


OTHER_CHANGES = {
    "front matter": lambda r: _edit(r, "content/stories/s5.md", "S5 goes home", "S5 is free"),
    "front matter and body": lambda r: (
        _edit(r, "content/stories/s3.md", "The story of s3.", "A new text.\n")
        or _edit(r, "content/stories/s3.md", "S3 goes home", "S3 is free")
    ),
    "a story deleted": lambda r: (r / "content/stories/s7.md").unlink(),
    "a new story": lambda r: (r / "content/stories/s3-copy.md").write_text(
        (r / "content/stories/s3.md").read_text().replace("S3 goes home", "Another")
    ),
    "a static file": lambda r: (
        (r / "static").mkdir(exist_ok=True) or (r / "static/x.txt").write_text("x")
    ),
    "a template": lambda r: (
        (r / "templates").mkdir(exist_ok=True)
        or (r / "templates/404.html").write_text("<p>custom</p>\n")
    ),
    "site.yaml": lambda r: _edit(r, "site.yaml", "title: Test Site", "title: Other Site"),
}


@pytest.mark.parametrize("change", list(OTHER_CHANGES))
def test_any_other_change_fingerprints_every_page(make_site, tmp_path, monkeypatch, change):
    root, out = _built_twice(make_site, tmp_path, monkeypatch)
    _edit(root, "content/stories/s1.md", "The story of s1.", "Its body edited too.")
    OTHER_CHANGES[change](root)
    done = _counting(monkeypatch)
    incremental = build_site(root, out)
    then = sorted(done)
    done.clear()
    cold = build_site(root, tmp_path / "cold")  # (no release before it: every page)
    got = _files(incremental)
    if change == "a story deleted":  # its URL keeps a neutral page (see test_incremental)
        then.remove("stories/s7/")
        assert b"no longer available" in got.pop("stories/s7/index.html")
    assert then == sorted(done)
    assert got == _files(cold)


def test_a_photo_replaced_fingerprints_every_page(make_site, tmp_path, monkeypatch):
    # The card of a story shows its photo by a name made from the photo's bytes: a
    # photo is not a document, and its story's front matter and body stay as they were
    from conftest import story
    from PIL import Image

    root = _site(make_site)
    (root / "content/stories/pic").mkdir()
    text = story("pic", image='\n  src: photo.png\n  alt: "A field"')[1]
    (root / "content/stories/pic/index.md").write_text(text)
    Image.new("RGB", (64, 48), "red").save(root / "content/stories/pic/photo.png")
    out = tmp_path / "out"
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    build_site(root, out)
    _edit(root, "content/stories/s1.md", "The story of s1.", "Its body edited.")
    Image.new("RGB", (64, 48), "blue").save(root / "content/stories/pic/photo.png")
    done = _counting(monkeypatch)
    incremental = build_site(root, out)
    then = sorted(done)
    done.clear()
    cold = build_site(root, tmp_path / "cold")
    assert then == sorted(done)
    assert _files(incremental) == _files(cold)


def test_a_story_due_later_the_same_day_fingerprints_every_page(make_site, tmp_path, monkeypatch):
    # No file changed but a body, and the day is the same: the schedule alone adds a
    # story (and changes every listing it joins)
    import datetime as dt

    from conftest import story

    def at(hour: int) -> None:
        moment = dt.datetime(2026, 11, 23, hour, tzinfo=dt.UTC)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(moment.timestamp())))

    root = _site(make_site)
    later = story("later", publish_at='"2026-11-23 10:00"', tags="[hope]")
    (root / later[0]).write_text(later[1])
    out = tmp_path / "out"
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    at(9)
    build_site(root, out, as_of=None)
    _edit(root, "content/stories/s1.md", "The story of s1.", "Its body edited.")
    at(11)
    done = _counting(monkeypatch)
    incremental = build_site(root, out, as_of=None)
    then = sorted(done)
    done.clear()
    cold = build_site(root, tmp_path / "cold", as_of=None)
    assert "stories/later/" in then and then == sorted(done)
    assert _files(incremental) == _files(cold)


def test_what_a_page_shows_decides_whether_it_is_untouched():
    from generator.model import Story
    from generator.model.content import Source
    from generator.render import Html
    from generator.site import Link
    from generator.write.reuse import Untouched

    check = Untouched(frozenset({"content/stories/a.md"})).page
    assert check({"n": 3, "s": "x", "links": [Link("a", "b")], "none": None})
    assert not check({"body": Html("k", "<p>x</p>", None, "content/stories/a.md")})
    assert check({"body": Html("k", "<p>x</p>", None, "content/stories/b.md")})
    assert not check({"body": Html("k", "<p>x</p>")})  # whose body: not known
    assert not check({"other": object()})  # a value not known here
    edited = Story.model_construct(source=Source.model_construct(path="content/stories/a.md"))
    other = Story.model_construct(source=Source.model_construct(path="content/stories/b.md"))
    for story in (edited, other):
        object.__setattr__(story.source, "sha256", "0" * 64)
    assert not check({"story": edited}) and check({"story": other})
    assert not check({"nested": [[{"deep": Html("k", "", None, "content/stories/a.md")}]]})
