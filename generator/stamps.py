"""File stamps: what the file system says about a file without reading it.

A stamp is (size, mtime, ctime, inode, device), as make, ninja and git's index use
them. The change time cannot be set back by editors, ``touch`` or ``tar``: any write
moves it. A stamp taken within ``SETTLE_NS`` of the change time is *unsettled*: the
file could still be written again within the same tick of the file system's clock
without its stamp changing (git's "racy" entries), so the content must be checked.
Reads the file system's metadata only.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from pathlib import Path

Stamp = tuple[int, int, int, int, int]
SETTLE_NS = 2_000_000_000


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def settled(stamp: Stamp, now_ns: int | None = None) -> bool:
    """Whether a file with this stamp, taken now, cannot change without the stamp."""
    now = time.time_ns() if now_ns is None else now_ns
    return now - stamp[2] >= SETTLE_NS


def outside_documents(seen: Mapping[str, Stamp], content_dir: Path) -> str:
    """A digest of the stamps ``signature`` saw, but for the Markdown documents under
    ``content_dir``: whether any other input file changed (``write.reuse``)."""
    documents = str(content_dir.resolve()) + os.sep
    h = hashlib.sha256()
    for path in sorted(seen):
        if not (path.startswith(documents) and path.endswith(".md")):
            h.update(f"{path}\0{seen[path]}\n".encode())
    return h.hexdigest()


def signature(
    site_dir: Path,
    theme_dir: Path,
    code_dir: Path | None = None,
    seen: dict[str, Stamp] | None = None,
) -> str:
    """A cheap fingerprint of every input file: path, size and modification time.

    Used to skip a build outright when nothing changed (as make and ninja do); a file
    touched without changing only costs a normal incremental build. ``seen`` gets the
    stamp of every file it looked at, by path (the build would stat them again).
    """
    h = hashlib.sha256()
    root = site_dir.resolve()
    folders = [root / "content", root / "static", root / "templates", theme_dir.resolve()]
    if code_dir is not None:  # the generator itself: an upgrade or a local edit
        folders.append(code_dir.resolve())
    try:
        st = os.stat(root / "site.yaml")
        h.update(f"site.yaml\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    except OSError:
        h.update(b"site.yaml\0missing\n")
    for folder in dict.fromkeys(folders):  # the repo's templates/ may be the theme too
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                if seen is not None:
                    seen[path] = stamp_of(st)
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    return h.hexdigest()
