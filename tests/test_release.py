"""Releases: immutable folders with a manifest, an atomic current, pruning, determinism."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from conftest import SITE_YAML, story
from helpers import build_site

from generator import build
from generator.config import BuildOptions
from generator.errors import BuildFailed


def _tree(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_manifest_lists_every_file_with_hash_size_and_type(make_site, tmp_path):
    out = build_site(make_site(dict([story("a")])), tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"].startswith("storysite ")
    assert "built_at" in manifest and "commit" in manifest and manifest["id"]
    files = {f["path"]: f for f in manifest["files"]}
    on_disk = {k for k in _tree(out) if k != "manifest.json"}
    assert set(files) == on_disk
    for path, entry in files.items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert files["index.html"]["content_type"] == "text/html; charset=utf-8"
    assert files["feed.xml"]["content_type"] == "application/atom+xml"
    css = next(p for p in files if p.startswith("assets/style."))
    assert "immutable" in files[css]["cache_control"]
    assert "immutable" not in files["index.html"]["cache_control"]
    assert (out / ".nojekyll").exists() and (out / "404.html").exists()


def test_same_input_same_release_with_source_date_epoch(make_site, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = make_site(dict([story("a"), story("b")]))
    a = build.run(BuildOptions(site_dir=root, out_dir=tmp_path / "one"))
    b = build.run(BuildOptions(site_dir=root, out_dir=tmp_path / "two"))
    assert a.release_id == b.release_id
    first = tmp_path / "one/current"
    second = tmp_path / "two/current"
    assert _tree(first) == _tree(second)  # manifest included: no clock in it


def test_keep_prunes_the_oldest_never_current(make_site, tmp_path):
    root = make_site(dict([story("a")]), site_yaml=SITE_YAML + "releases:\n  keep: 2\n")
    out = tmp_path / "out"
    for i in range(4):
        (root / "content/stories/a.md").write_text(story("a", summary=f'"Version {i}."')[1])
        build_site(root, out)
    releases = sorted(p.name for p in (out / "releases").iterdir())
    assert len(releases) == 2 and (out / "current").resolve().name == releases[-1]
    assert "Version 3." in (out / "current/stories/a/index.html").read_text()


def test_failed_build_touches_no_release(make_site, tmp_path):
    root = make_site(dict([story("a")]))
    out = tmp_path / "out"
    build_site(root, out)
    (root / "content/stories/b.md").write_text(story("b")[1])
    build_site(root, out)
    before = _tree(out / "releases")
    current = os.readlink(out / "current")
    (root / "content/stories/c.md").write_text(story("c", date="yesterday")[1])
    try:
        build_site(root, out)
    except BuildFailed:
        pass
    else:
        raise AssertionError("the build should have failed")
    assert _tree(out / "releases") == before and os.readlink(out / "current") == current
    assert not list(out.glob(".staging-*"))


def test_current_is_a_link_switched_atomically(make_site, tmp_path):
    out = tmp_path / "out"
    build_site(make_site(dict([story("a")])), out)
    assert (out / "current").is_symlink()
    target = os.readlink(out / "current")
    assert not os.path.isabs(target) and target.startswith("releases/")


def test_writer_in_a_recycled_folder_never_writes_into_a_shared_file(tmp_path):
    from generator.write.files import Writer

    old = tmp_path / "old"  # a release whose files the recycled folder shares
    (old / "a").mkdir(parents=True)
    (old / "a/index.html").write_text("old page")
    (old / "page").write_text("a file where a folder is due")
    stage = tmp_path / "stage"
    (stage / "a").mkdir(parents=True)
    os.link(old / "a/index.html", stage / "a/index.html")
    os.link(old / "page", stage / "page")
    (stage / "file/index.html").mkdir(parents=True)  # a folder where a file is due
    out = Writer(stage)
    out.write("a/index.html", b"new page")
    out.write("page/deep/index.html", b"deep")
    out.write("file/index.html", b"file")
    assert (stage / "a/index.html").read_text() == "new page"
    assert (stage / "page/deep/index.html").read_text() == "deep"
    assert (stage / "file/index.html").read_text() == "file"
    assert (old / "a/index.html").read_text() == "old page"  # the shared file is intact
    assert (old / "page").read_text() == "a file where a folder is due"
    entry = {"size": len("old page"), "sha256": "x"}
    assert out.link("b/index.html", old / "a/index.html", entry, "")
    assert out.link("b/index.html", old / "a/index.html", entry, "")  # already that file
    assert (stage / "b/index.html").stat().st_ino == (old / "a/index.html").stat().st_ino


def test_the_manifest_text_is_the_manifest_one_file_per_line():
    from generator.release import _manifest_text

    manifest = {
        "id": "20261126T000000.000000Z-abc",
        "files": [{"path": "stories/é/index.html", "size": 2, "inputs": ""}, {"path": "a"}],
        "stories": ["a", "b"],
        "gone": [],
        "commit": None,
        "extra": {"nested": [1, {"x": "y\n"}]},
    }
    text = _manifest_text(manifest)
    assert json.loads(text) == manifest
    assert '\n{"path": "a"}\n' in text  # one file per line, for people reading it


def test_a_manifest_is_parsed_once_per_version_of_the_file(tmp_path):
    from generator.release import ReleaseError, read_manifest

    (tmp_path / "manifest.json").write_text('{"files": [], "id": "a"}')
    first = read_manifest(tmp_path)
    assert read_manifest(tmp_path) is first  # the same file: not parsed again
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    tmp_path.rename(moved)  # a recycled spare is renamed: still the same file
    assert read_manifest(moved) is first
    (moved / "new.json").write_text('{"files": [], "id": "b"}')
    os.replace(moved / "new.json", moved / "manifest.json")  # how a manifest is replaced
    assert read_manifest(moved)["id"] == "b"
    (moved / "manifest.json").write_text("{not json")  # damaged where it lies
    with pytest.raises(ReleaseError):
        read_manifest(moved)
