"""Files a recycled release replaces are moved aside and deleted in the background."""

from __future__ import annotations

import os
import time
from pathlib import Path

from generator.trash import Trash


def _gone(path: Path, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not path.exists()


def test_a_last_link_is_moved_aside_a_shared_one_only_unlinked(tmp_path):
    trash = Trash(tmp_path / ".trash-x")
    last = tmp_path / "last.html"
    last.write_text("only here")
    shared = tmp_path / "shared.html"
    shared.write_text("in two releases")
    os.link(shared, tmp_path / "other.html")
    folder = tmp_path / "folder"
    (folder / "deep").mkdir(parents=True)
    (folder / "deep" / "x").write_text("x")
    for path in (last, shared, folder, tmp_path / "missing"):
        trash.drop(str(path))
    assert not last.exists() and not shared.exists() and not folder.exists()
    kept = sorted(p.read_text() for p in (tmp_path / ".trash-x").rglob("*") if p.is_file())
    assert kept == ["only here", "x"]  # the shared file's blocks stay with its other name
    assert (tmp_path / "other.html").read_text() == "in two releases"
    trash.empty_later()
    assert _gone(tmp_path / ".trash-x")
    assert (tmp_path / "other.html").exists()


def test_an_unused_trash_is_never_made(tmp_path):
    trash = Trash(tmp_path / ".trash-y")
    trash.empty_later()
    assert not (tmp_path / ".trash-y").exists()
