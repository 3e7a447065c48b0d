"""The one place output bytes reach the disk, recording each file for the manifest."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import stat
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

from generator.trash import Trash

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}


def content_type(path: str) -> str:
    if path == "feed.xml":
        return "application/atom+xml"
    suffix = os.path.splitext(path)[1].lower()  # pathlib costs more, per file of 16,000
    return _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


@dataclass(frozen=True)
class OutputFile:
    path: str  # release-relative POSIX path
    sha256: str
    size: int
    content_type: str
    cache_control: str
    inputs: str = ""  # fingerprint of what a page was rendered from (pages only)


# Files named by their content hash never change, so browsers and CDNs may keep them for a
# year; everything else (HTML, feeds, sitemap) must be revalidated so edits and
# takedowns reach readers within minutes.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300, must-revalidate"
HASHED_DIRS = ("assets/", "media/")


def cache_control(path: str) -> str:
    return IMMUTABLE if path.startswith(HASHED_DIRS) else SHORT


def _clear(target: str, trash: Trash | None) -> None:
    """Make way for a new file where a recycled release left one (or a folder)."""
    if trash is not None:
        trash.drop(target)
    elif os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    else:
        os.unlink(target)


def _create(target: str, trash: Trash | None = None) -> int:
    """A new file, never an existing one opened for writing: release files are hard
    links shared with older releases, and writing into one would change them all."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(target, flags, 0o666)  # less the umask, as open() does
    except FileExistsError:  # a staging folder recycled from an older release
        _clear(target, trash)
        return os.open(target, flags, 0o666)


def _place(old: str, target: str, st: os.stat_result, trash: Trash | None) -> None:
    """``target`` becomes the same file as ``old``: a hard link, else a copy."""
    for _ in range(2):
        try:
            os.link(old, target)
            return
        except FileExistsError:  # a staging folder recycled from an older release
            here = os.lstat(target)
            if (here.st_ino, here.st_dev) == (st.st_ino, st.st_dev):
                return  # it already holds this very file
            _clear(target, trash)
        except OSError:
            break  # another file system, or no hard links there
    with open(old, "rb") as src, os.fdopen(_create(target, trash), "wb") as dst:
        shutil.copyfileobj(src, dst)


def _carried(path: str, entry: Mapping[str, Any], inputs: str) -> OutputFile:
    return OutputFile(
        path,
        str(entry["sha256"]),
        int(entry["size"]),
        content_type(path),
        cache_control(path),
        inputs,
    )


class Writer:
    """Writes files under one root, refusing paths that would leave it."""

    def __init__(
        self,
        root: Path,
        dry: bool = False,
        trash: Trash | None = None,
        made: Set[str] = frozenset(),
        kept: Mapping[str, tuple[str, int]] | None = None,
        kept_fresh: bool = False,
    ):
        self.root = root
        self.dry = dry  # storysite check: render and record, write nothing
        self.trash = trash  # where files of a recycled release are moved aside
        self._root = str(root)
        self._made: set[str] = {os.path.join(self._root, f) for f in made}  # made ahead
        self._kept = kept or {}  # files already in root (a recycled spare): path → sha, size
        # linked there by this build (``release.ahead``), with the output lock held:
        # nothing can have changed them since, so they are not checked one by one
        self._kept_fresh = kept_fresh
        self._files: dict[str, OutputFile] = {}
        self._lock = Lock()

    def _target(self, path: str) -> str:
        # Plain strings and a set of made folders: pathlib costs more than the write
        # itself when a release has tens of thousands of small files
        if path.startswith("/") or not path or ".." in path.split("/"):
            raise ValueError(f"refusing to write outside the release: {path}")
        target = os.path.join(self._root, path)
        folder = os.path.dirname(target)
        if folder not in self._made:
            self._folder(folder)
            self._made.add(folder)
        return target

    def _folder(self, folder: str) -> None:
        try:
            os.mkdir(folder)  # one call: the parent is nearly always there already
        except FileExistsError:
            if os.path.islink(folder) or not os.path.isdir(folder):
                os.unlink(folder)  # a recycled release had a file here
                os.mkdir(folder)
        except (FileNotFoundError, NotADirectoryError):  # (or a file) above it
            parent = os.path.dirname(folder)
            if len(parent) <= len(self._root):  # the root itself is gone: never made here
                raise
            self._folder(parent)
            self._folder(folder)

    def _remade(self, target: str) -> bool:
        """Whether ``target``'s folder, taken to be there (made ahead, or the recycled
        spare's), was not after all, or was a file, and is now made the slow way."""
        folder = os.path.dirname(target)
        if os.path.isdir(folder) and not os.path.islink(folder):
            return False
        self._folder(folder)
        return True

    def write(self, path: str, data: bytes, inputs: str = "") -> OutputFile:
        if not self.dry:
            target = self._target(path)
            try:
                fd = _create(target, self.trash)
            except (FileNotFoundError, NotADirectoryError):
                if not self._remade(target):
                    raise
                fd = _create(target, self.trash)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        record = OutputFile(
            path,
            hashlib.sha256(data).hexdigest(),
            len(data),
            content_type(path),
            cache_control(path),
            inputs,
        )
        self.record(record)
        return record

    def record(self, record: OutputFile) -> None:
        with self._lock:
            self._files[record.path] = record

    def link(self, path: str, source: Path | str, entry: Mapping[str, Any], inputs: str) -> bool:
        """Reuse an unchanged file of the previous release (a hard link, else a copy).
        False when the old file is missing or not the size its manifest says."""
        old = str(source)
        try:
            if self._kept.get(path) == (entry.get("sha256"), entry.get("size")):
                if self._kept_fresh:
                    self.record(_carried(path, entry, inputs))
                    return True
                # The spare holds this very content already: only check it is still a file
                # of that size, as a link from ``old`` would (most of an edit build's
                # 16,000 files: a stat and a failed link saved on each)
                here = os.lstat(self._target(path))
                if stat.S_ISREG(here.st_mode) and here.st_size == entry["size"]:
                    self.record(_carried(path, entry, inputs))
                    return True
            st = os.stat(old)
            if st.st_size != entry.get("size"):
                return False
            _place(old, self._target(path), st, self.trash)
        except OSError:
            return False
        self.record(_carried(path, entry, inputs))
        return True

    def copy(self, path: str, source: Path) -> None:
        self.write(path, source.read_bytes())

    def files(self) -> list[OutputFile]:
        return sorted(self._files.values(), key=lambda f: f.path)
