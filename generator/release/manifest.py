"""A release's manifest: as text, read back (with the folders and files it lists), and
the release id made from its files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def release_id(now: dt.datetime, files: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f['path']}\0{f['sha256']}\n".encode())
    # microseconds keep ids in build order even for builds within one second
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{digest.hexdigest()[:8]}"


def manifest_text(manifest: dict[str, Any]) -> str:
    """JSON with a field, a file or a story per line, for people reading it; each part
    by the C encoder (with ``indent``, json encodes in Python: 0.2 s for 16,000 files)."""
    # one encoder for the 16,000 entries: json.dumps with an option makes one per call
    dumps = json.JSONEncoder(sort_keys=True).encode

    def value(v: Any) -> str:
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join(map(dumps, v)) + "\n]"
        return dumps(v)

    fields = [f"{dumps(k)}: {value(v)}" for k, v in sorted(manifest.items())]
    return "{\n" + ",\n".join(fields) + "\n}\n"


class ReleaseError(Exception):
    """A release operation that cannot be done, with a message for the operator."""


# A build reads the current release's manifest in several steps (the spare's check, the
# folders made ahead, the story list, the pages to carry over) and the spare's twice:
# 5 MB and 45 ms to parse at 10,000 stories. Parsed once per version of the file, known
# by its inode (a recycled spare is renamed, not copied) and its mtime and size
# (manifests are replaced, never rewritten in place); the last few are kept.
_READ: dict[tuple[int, int], tuple[tuple[int, int], dict[str, Any]]] = {}
_KEEP = 2


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the release in ``path``, shared between callers: never change it."""
    file = os.path.join(path, "manifest.json")
    try:
        st = os.stat(file)
        inode, stamp = (st.st_dev, st.st_ino), (st.st_mtime_ns, st.st_size)
        known = _READ.get(inode)
        if known is not None and known[0] == stamp:
            return known[1]
        with open(file, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"release {path.name} has no readable manifest.json") from exc
    if not isinstance(data, dict):
        raise ReleaseError(f"release {path.name}: manifest.json is not an object")
    _READ.pop(inode, None)
    while len(_READ) >= _KEEP:
        _READ.pop(next(iter(_READ)))
    _READ[inode] = (stamp, data)
    return data


def inside(path: str) -> bool:
    """Whether a path a manifest lists stays inside the release."""
    parts = path.split("/")
    return not (path.startswith("/") or ".." in parts or "." in parts or "" in parts)


def release_folders(release: Path) -> frozenset[str]:
    """Every folder holding a file of a release, as its manifest lists them."""
    try:
        paths = [str(f["path"]) for f in read_manifest(release)["files"]]
    except (ReleaseError, KeyError, TypeError):
        return frozenset()
    found: set[str] = set()
    for path in paths:
        if not inside(path):
            continue  # never a folder outside the release
        parts = path.split("/")
        for i in range(len(parts) - 1, 0, -1):
            folder = "/".join(parts[:i])
            if folder in found:
                break
            found.add(folder)
    return frozenset(found)


def release_files(release: Path) -> dict[str, tuple[str, int]]:
    """A release's files as its manifest lists them: path → (sha256, size)."""
    try:
        return {
            str(f["path"]): (str(f["sha256"]), int(f["size"]))
            for f in read_manifest(release)["files"]
        }
    except (ReleaseError, KeyError, TypeError, ValueError):
        return {}
