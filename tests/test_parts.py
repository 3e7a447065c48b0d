"""Renderings are kept many to a file (``Cache.put_parts``), found through the pack.

A cold build writes one file per worker chunk instead of one per rendering; files no
rendering uses are deleted; once most of what they hold is unused, the used renderings
are written again, packed. Whatever happens to the files, a build is the same site as
a cold one (not timed: the benchmark measures speed).
"""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, story
from helpers import build_site

from generator import parallel
from generator.cache import Cache
from generator.render import stored


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def _parts(out: Path) -> list[Path]:
    return sorted((out / ".cache" / stored.PARTS).iterdir())


def test_parts_come_back_as_written_and_never_damaged(tmp_path):
    cache = Cache(tmp_path)
    places = cache.put_parts("k", [b"one", b"", b"three"])
    assert places is not None
    assert [cache.get_part("k", p) for p in places] == [b"one", b"", b"three"]
    (file,) = (tmp_path / "k").iterdir()
    file.write_bytes(file.read_bytes().replace(b"three", b"thre3"))
    assert cache.get_part("k", places[2]) is None  # its digest no longer matches
    assert cache.get_part("k", places[0]) == b"one"
    file.write_bytes(b"on")  # cut short
    assert cache.get_part("k", places[0]) is None
    for bad in (None, [], ["../../etc/passwd", 0, 3, places[0][3]], [file.name, "x", 3, ""]):
        assert cache.get_part("k", bad) is None
    assert Cache(tmp_path, readonly=True).put_parts("k", [b"x"]) is None


def test_a_cold_build_writes_a_file_per_chunk_not_per_rendering(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    monkeypatch.setenv("STORYSITE_JOBS", "2")
    site = make_site(dict(story(f"s{i}", date=f"2024-02-{i % 28 + 1:02d}") for i in range(40)))
    out = tmp_path / "out"
    build_site(site, out)
    parts = _parts(out)
    assert 1 < len(parts) <= 2 * 4  # workers x chunks each (parallel.map_chunks)
    assert not (out / ".cache" / "markdown").exists()


def test_unused_parts_are_deleted_and_used_ones_packed_again(make_site, tmp_path, monkeypatch):
    files = dict(story(f"s{i}", date=f"2024-03-{i + 1:02d}") for i in range(6))
    site = make_site(files)
    out = tmp_path / "out"
    build_site(site, out)
    (first,) = _parts(out)

    def edit(n: int) -> None:
        path = site / "content/stories/s1.md"
        path.write_text(files["content/stories/s1.md"] + f"\nEdit {n}.\n")

    edit(1)
    build_site(site, out)
    assert first in _parts(out) and len(_parts(out)) == 2  # the other five still there
    edit(2)
    build_site(site, out)
    assert len(_parts(out)) == 2  # edit 1's file: nothing uses it, deleted
    monkeypatch.setattr(stored, "COMPACT_AFTER", 0)
    monkeypatch.setattr(stored, "UNUSED_SHARE", 0)
    edit(3)
    build_site(site, out)
    assert first not in _parts(out) and len(_parts(out)) == 1  # all six in one file again
    (site / "templates").mkdir()
    (site / "templates/story.html").write_text(
        (REPO / "templates/story.html").read_text().replace("</article>", "</article><!---->")
    )
    again = build_site(site, out)  # every story page rendered again: its HTML read back
    assert b"<!---->" in (again / "stories/s4/index.html").read_bytes()
    assert _files(again) == _files(build_site(site, tmp_path / "cold"))


def test_a_missing_parts_file_means_its_renderings_are_made_again(make_site, tmp_path):
    site = make_site(dict(story(f"s{i}", date=f"2024-04-{i + 1:02d}") for i in range(4)))
    out = tmp_path / "out"
    build_site(site, out)
    for path in _parts(out):
        path.unlink()
    (site / "templates").mkdir()
    (site / "templates/story.html").write_text(
        (REPO / "templates/story.html").read_text().replace("</article>", "</article><!---->")
    )
    again = build_site(site, out)
    assert len(_parts(out)) == 1  # made again, and kept
    assert _files(again) == _files(build_site(site, tmp_path / "cold"))


def test_after_a_cold_build_only_the_edited_body_is_rendered_again(
    make_site, tmp_path, monkeypatch
):
    """A cold build's workers work out the renderings' keys (the parent knows none);
    the next build must find the same keys, or it renders every body again."""
    from generator import render

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    monkeypatch.setenv("STORYSITE_JOBS", "1")  # in-process, so the renders can be counted
    site = make_site(dict(story(f"s{i}", date=f"2024-02-{i % 28 + 1:02d}") for i in range(40)))
    out = tmp_path / "out"
    rendered: list[str] = []
    real = render.Renderer.render
    monkeypatch.setattr(
        render.Renderer,
        "render",
        lambda self, path, *a, **k: rendered.append(path) or real(self, path, *a, **k),
    )
    build_site(site, out)
    assert len(rendered) == 40
    edited = site / "content/stories/s7.md"
    edited.write_text(edited.read_text() + "\nOne more line.\n")
    rendered.clear()
    build_site(site, out)
    assert rendered == ["content/stories/s7.md"]
