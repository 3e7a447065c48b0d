"""The snapshot of validated documents: a build reads and validates only the files that
changed, and trusts the snapshot no further than its stamps, digests and key allow."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from conftest import story
from helpers import build_site
from test_incremental import _files, _site

from generator import config, load
from generator.cache import CACHE_DIR, Cache
from generator.errors import BuildFailed, Problems
from generator.load import kept
from generator.model import snapshot
from generator.stamps import stamp_of

# the module, not the function generator.model exports under the same name
validation = importlib.import_module("generator.model.validate")


@pytest.fixture
def counted(monkeypatch):
    """The documents each build decodes and validates, by path."""
    seen: dict[str, list[str]] = {"read": [], "validated": []}
    decode, validate_doc = load.decode, validation._validate_doc

    def counting_decode(root, rel, problems):
        seen["read"].append(rel)
        return decode(root, rel, problems)

    def counting_validate(doc, *args):
        seen["validated"].append(doc.path)
        return validate_doc(doc, *args)

    monkeypatch.setattr(load, "decode", counting_decode)
    monkeypatch.setattr(validation, "_validate_doc", counting_validate)
    return seen


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_files_that_did_not_change_are_neither_read_nor_validated(
    make_site, tmp_path, monkeypatch, counted
):
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)  # as if written long ago
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    assert len(counted["read"]) == 17  # 15 stories, a milestone and a page
    counted["read"].clear()
    counted["validated"].clear()
    _edit(root, "content/stories/s3.md", "The story of s3.", "A new text for s3.")
    incremental = build_site(root, out)
    assert counted == {"read": ["content/stories/s3.md"], "validated": ["content/stories/s3.md"]}
    assert b"A new text for s3." in (incremental / "stories/s3/index.html").read_bytes()
    assert _files(incremental) == _files(build_site(root, tmp_path / "cold"))


def test_files_written_a_moment_ago_are_compared_by_their_bytes(make_site, tmp_path, counted):
    # Written within SETTLE_NS of the build: another write in the same tick of the file
    # system's clock would leave the stamp as it is, so the bytes decide
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    counted["validated"].clear()
    _edit(root, "content/stories/s5.md", "S5 goes home", "S5 is free")
    incremental = build_site(root, out)
    assert counted["validated"] == ["content/stories/s5.md"]
    assert b"S5 is free" in (incremental / "stories/s5/index.html").read_bytes()


def test_a_stamp_is_trusted_only_once_settled(tmp_path):
    path = tmp_path / "content/stories/a.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: A\n---\n")
    rel, now = "content/stories/a.md", stamp_of(os.stat(path))
    todo = [(rel, "story", False)]
    other = "0" * 64  # the digest of other bytes than the file holds
    assert kept.unchanged(tmp_path, todo, {rel: (now, other, False)}) == {}
    assert kept.unchanged(tmp_path, todo, {rel: (now, other, True)}) == {rel: now}
    older = (now[0], now[1], now[2] - 1, now[3], now[4])
    assert kept.unchanged(tmp_path, todo, {rel: (older, other, True)}) == {}


def _documents(out: Path) -> Path:
    return out / CACHE_DIR / snapshot.KIND


@pytest.mark.parametrize("damage", ["bytes", "shape"])
def test_a_damaged_snapshot_is_ignored(make_site, tmp_path, monkeypatch, counted, damage):
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    (base,) = _documents(out).rglob("*-base")
    if damage == "bytes":
        base.write_bytes(base.read_bytes().replace(b"S3 goes home", b"S3 went off"))
    else:  # intact as a cache entry, but not what the snapshot writes
        k = base.name.removesuffix("-base")
        entries = {"content/stories/s3.md": [[1, 2, 3, 4, 5], True, "not a story"]}
        Cache(out / CACHE_DIR).put(snapshot.KIND, k + "-base", {"id": "x", "entries": entries})
    counted["read"].clear()
    (root / "content/stories/s1.md").touch()
    incremental = build_site(root, out)
    assert len(counted["read"]) == 17
    assert b"S3 goes home" in (incremental / "stories/s3/index.html").read_bytes()


def test_a_vocabulary_change_validates_every_document_again(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    root = _site(make_site)
    out = tmp_path / "out"
    first = build_site(root, out).resolve()
    _edit(root, "site.yaml", "injustice: [forced-labour, land-theft,", "injustice: [")
    with pytest.raises(BuildFailed) as failed:
        build_site(root, out)
    assert {p.path for p in failed.value.problems if "land-theft" in p.message} == {
        f"content/stories/s{i}.md" for i in range(15)
    }
    assert (out / "current").resolve() == first


def _snapshot(root: Path, out: Path) -> snapshot.Snapshot:
    site = config.load_config(root, Problems(), None)
    assert site is not None
    return snapshot.Snapshot(Cache(out / CACHE_DIR), site, root)


def test_the_delta_grows_until_a_new_base_replaces_it(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    monkeypatch.setattr(snapshot, "DELTA_MIN", 2)  # 17 documents: 17 // 8 = 2 too
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    (base,) = _documents(out).rglob("*-base")
    first_base = base.read_bytes()
    (root / "content/stories/s7.md").unlink()
    _edit(root, "content/stories/s1.md", "The story of s1.", "Changed once.")
    build_site(root, out)
    assert base.read_bytes() == first_base  # two entries: written as a delta
    assert set(_snapshot(root, out).delta) == {"content/stories/s1.md", "content/stories/s7.md"}
    assert "content/stories/s7.md" not in _snapshot(root, out).entries
    _edit(root, "content/stories/s2.md", "The story of s2.", "Changed too.")
    build_site(root, out)
    assert base.read_bytes() != first_base  # three: a new base, and no delta
    assert not list(_documents(out).rglob("*-delta"))
    held = _snapshot(root, out)
    assert "content/stories/s7.md" not in held.entries and len(held.entries) == 16
    assert (
        held.item("content/stories/s2.md").source.sha256
        == load.read_doc(root, "content/stories/s2.md", Problems()).sha256
    )
    # a file that comes back under the same name is read, not taken from an old entry
    (root / "content/stories/s7.md").write_text(story("s7", title='"S7 is back"')[1])
    incremental = build_site(root, out)
    assert b"S7 is back" in (incremental / "stories/s7/index.html").read_bytes()
    assert _files(incremental) == _files(build_site(root, tmp_path / "cold"))


def test_a_body_read_late_must_be_the_one_validated(make_site, tmp_path, monkeypatch):
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    root = _site(make_site)
    out = tmp_path / "out"
    first = build_site(root, out).resolve()
    # the renderings gone, a kept document's body is read when its page needs it; the
    # file changed since its stamp was taken (within the build)
    (out / CACHE_DIR / "renderings").rename(tmp_path / "renderings")
    (out / CACHE_DIR / "markdown-pack").rename(tmp_path / "pack")
    rel = "content/stories/s3.md"
    with (root / rel).open("a") as f:
        f.write("\nSaved later.\n")
    monkeypatch.setattr(load, "unchanged", lambda *args: {rel: (0, 0, 0, 0, 0)})
    with pytest.raises(BuildFailed) as failed:
        build_site(root, out)
    assert [p.path for p in failed.value.problems] == [rel]
    assert "changed while the site was being built" in failed.value.problems[0].message
    assert (out / "current").resolve() == first


def test_bodies_are_read_from_the_bytes_they_were_validated_from(make_site):
    rel, text = story("a")
    root = make_site({rel: text})
    doc = load.read_doc(root, rel, Problems())
    assert doc is not None
    bodies = load.Bodies(root, {}, {rel: doc.sha256})
    assert bodies[rel] == doc.body
    with pytest.raises(load.FileChanged):
        load.Bodies(root, {}, {rel: "0" * 64})[rel]


def test_a_kept_documents_problems_name_its_lines(make_site, tmp_path, monkeypatch, counted):
    # s1 is left unread (its stamp holds) when the story it picked goes: the problem
    # still names the line, from the line map the snapshot kept as text
    monkeypatch.setattr("generator.stamps.SETTLE_NS", 0)
    files = dict([story("s1", related="[s2]"), story("s2"), story("s3")])
    root = make_site(files)
    out = tmp_path / "out"
    build_site(root, out)
    counted["read"].clear()
    (root / "content/stories/s2.md").unlink()
    with pytest.raises(BuildFailed) as failed:
        build_site(root, out)
    assert "content/stories/s1.md" not in counted["read"]
    (problem,) = [p for p in failed.value.problems if p.path == "content/stories/s1.md"]
    assert problem.line == 10 and problem.field == "related[0]"
    assert (root / "content/stories/s1.md").read_text().splitlines()[9] == "related: [s2]"


def test_one_snapshot_is_kept_per_output_folder(make_site, tmp_path):
    root = _site(make_site)
    out = tmp_path / "out"
    build_site(root, out)
    (first,) = _documents(out).rglob("*-base")
    _edit(
        root, "site.yaml", "injustice: [forced-labour,", "injustice: [debt-bondage, forced-labour,"
    )
    build_site(root, out)  # another vocabulary: another snapshot, and the first one goes
    (second,) = _documents(out).rglob("*-base")
    assert second.name != first.name and not first.exists()
