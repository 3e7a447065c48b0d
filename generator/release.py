"""Releases: a finished staging folder → output/releases/<id>/, then an atomic switch.

``output/current`` is a symbolic link replaced with one rename, so a reader (or a web
server) sees either the old release or the new one, never a half-written folder. A
failed build removes its staging folder and leaves current and every release as they
were. Deals in files and manifests only; knows nothing of content.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.errors import OutputError

RELEASES = "releases"
CURRENT = "current"


@dataclass(frozen=True)
class Release:
    id: str
    path: Path
    pages: int
    size: int


@contextlib.contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's build lock; a second build fails with a clear message."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fh = open(out_dir / ".lock", "a+")  # noqa: SIM115  (held for the whole build)
    except OSError as exc:
        raise OutputError(f"cannot use output folder {out_dir}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another build is writing to {out_dir}; wait for it to finish"
            ) from None
        yield
    finally:
        fh.close()


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A fresh folder to write a release into; removed unless ``commit`` moved it."""
    path = out_dir / f".staging-{uuid.uuid4().hex[:12]}"
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out_dir}: {exc.strerror}") from exc
    try:
        yield path
    finally:
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)


def _release_id(now: dt.datetime, files: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f['path']}\0{f['sha256']}\n".encode())
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{digest.hexdigest()[:8]}"


def commit(
    stage: Path,
    out_dir: Path,
    files: Sequence[Any],
    now: dt.datetime,
    keep: int = 10,
    extra: dict[str, Any] | None = None,
) -> Release:
    """Seal ``stage`` as a release with a manifest and make it current."""
    records = [asdict(f) for f in files]
    release_id = _release_id(now, records)
    manifest = {
        "id": release_id,
        "generator": f"storysite {__version__}",
        "built_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": records,
        **(extra or {}),
    }
    try:
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        releases = out_dir / RELEASES
        releases.mkdir(exist_ok=True)
        target = releases / release_id
        while target.exists():  # same second, same content: keep both, distinctly named
            release_id += "x"
            target = releases / release_id
        os.replace(stage, target)
        _fsync_dir(releases)
        _switch(out_dir, target)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise OutputError("the disk is full; the previous release is still current") from exc
        raise OutputError(f"cannot finish the release: {exc.strerror}") from exc
    prune(out_dir, keep)
    pages = sum(1 for r in records if r["path"].endswith(".html"))
    return Release(release_id, target, pages, sum(r["size"] for r in records))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(out_dir: Path, target: Path) -> None:
    """Point out_dir/current at target with one atomic rename of a new link."""
    current = out_dir / CURRENT
    if current.exists() and not current.is_symlink():
        # An older layout left a real folder here: move it aside rather than lose it
        os.replace(current, out_dir / RELEASES / f"legacy-{uuid.uuid4().hex[:8]}")
    tmp = out_dir / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(target, out_dir), tmp)
    os.replace(tmp, current)
    _fsync_dir(out_dir)


def current_id(out_dir: Path) -> str | None:
    link = out_dir / CURRENT
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def list_releases(out_dir: Path) -> list[Path]:
    folder = out_dir / RELEASES
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / "manifest.json").exists())


def prune(out_dir: Path, keep: int) -> list[str]:
    """Remove the oldest releases beyond ``keep``, never the current one."""
    current = current_id(out_dir)
    releases = list_releases(out_dir)
    removed = []
    for old in releases[: max(0, len(releases) - keep)]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.name)
    return removed
