"""A content-addressed cache on disk: key → bytes, under output/.cache/.

Keys are hashes of everything an entry depends on, so an entry is never stale, only
unused. Every entry carries a digest of its payload: a truncated, corrupted or
foreign file is detected and ignored (then rebuilt), never trusted. Knows no stage;
writes only inside its own folder, and a failure to write only costs speed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator import __version__, parallel

CACHE_DIR = ".cache"  # inside the output folder
_MAGIC = b"storysite-cache-1\n"
# Bump when the layout of cached values changes; with the version, old entries miss
SCHEMA = f"{__version__}/4"
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _CLOEXEC
_HEX64 = re.compile(r"[0-9a-f]{64}")


def key(*parts: str | bytes) -> str:
    """A cache key from the inputs of an entry (order matters)."""
    h = hashlib.sha256(SCHEMA.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """Entries in ``folder/<kind>/<k[:2]>/<k>``; ``None`` folder disables caching."""

    def __init__(self, folder: Path | None, readonly: bool = False):
        self.folder = folder
        self.readonly = readonly  # storysite check reads the cache but writes nothing
        self.hits = 0
        self.misses = 0
        self._later: list[parallel.Forked] = []

    def later(self, write: Callable[[], None]) -> None:
        """Run ``write`` (puts and drops of this cache) in a forked process while the
        build goes on; ``settle`` waits for it.

        For the large entries saved between stages, while the parent works alone and the
        other core is idle: encoding the parsed front matter and the documents' snapshot
        cost the parent 0.9 s at 10,000 stories. The process sees the values as they were
        when it started, so ``write`` may use them while the build goes on."""
        if self.folder is None or self.readonly:
            return
        self._later.append(parallel.Forked(write))

    def settle(self) -> None:
        """Wait until every ``later`` write is done (a failed one only costs speed:
        the entry is missing or damaged, and so made again next time)."""
        pending, self._later = self._later, []
        for job in pending:
            job.wait()

    def _path(self, kind: str, k: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / k[:2] / k

    def get_bytes(self, kind: str, k: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            raw = self._path(kind, k).read_bytes()
        except OSError:
            self.misses += 1
            return None
        head = len(_MAGIC) + 64
        if len(raw) < head or not raw.startswith(_MAGIC):
            self.misses += 1
            return None
        digest, payload = raw[len(_MAGIC) : head].decode("ascii", "replace"), raw[head:]
        if hashlib.sha256(payload).hexdigest() != digest:
            self.misses += 1  # corrupted: ignore it, the caller rebuilds and overwrites
            return None
        self.hits += 1
        return payload

    def put_bytes(self, kind: str, k: str, payload: bytes) -> None:
        if self.folder is None or self.readonly:
            return
        # Written in place, not to a temporary name renamed over it: a reader that meets
        # a half-written entry finds its digest wrong and ignores it, like any damaged
        # entry, and renaming cost as much as writing (11,000 entries in a cold build)
        folder = os.path.join(self.folder, kind, k[:2])
        path = os.path.join(folder, k)
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + payload
        try:
            try:
                fd = os.open(path, _WRITE, 0o666)
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
                fd = os.open(path, _WRITE, 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError:
            pass  # a failure to write only costs speed

    def get(self, kind: str, k: str) -> Any:
        """A cached JSON value, or None. JSON rather than pickle: a file planted in the
        cache can at worst give wrong data (caught by the key scheme), never run code."""
        payload = self.get_bytes(kind, k)
        if payload is None:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None

    def put(self, kind: str, k: str, value: Any) -> None:
        self.put_bytes(kind, k, json.dumps(value, separators=(",", ":")).encode())

    def drop(self, kind: str, k: str) -> None:
        if self.folder is not None and not self.readonly:
            self._path(kind, k).unlink(missing_ok=True)

    def drop_others(self, kind: str, keep: set[str]) -> None:
        """Delete every entry of ``kind`` but those keyed in ``keep``."""
        if self.folder is None or self.readonly:
            return
        for path in (self.folder / kind).glob("*/*"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    # Parts: many entries in one file. A cold build at 10,000 stories made 11,000 entry
    # files, and creating a file cost 0.07-0.6 ms of system time on this disk depending
    # on the moment, as much as a third of rendering a story; a worker's chunk of
    # renderings is now one file. A part's place (file, offset, length, digest) is kept
    # by whoever wrote it (the render pack), and checked when read.

    def put_parts(self, kind: str, payloads: Sequence[bytes]) -> list[list[Any]] | None:
        """Write ``payloads`` as one file; each one's place, or None if not written."""
        if self.folder is None or self.readonly or not payloads:
            return None
        blob = b"".join(payloads)
        name = hashlib.sha256(blob).hexdigest()
        places, at = [], 0
        for payload in payloads:
            places.append([name, at, len(payload), hashlib.sha256(payload).hexdigest()])
            at += len(payload)
        folder = os.path.join(self.folder, kind)
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(blob)
        except OSError:
            return None  # a failure to write only costs speed
        return places

    def get_part(self, kind: str, place: Any) -> bytes | None:
        """The payload at ``place``, or None if gone, damaged or not a place."""
        try:
            name, at, length, digest = place
            if self.folder is None or not _HEX64.fullmatch(name):
                return None
            fd = os.open(os.path.join(self.folder, kind, name), os.O_RDONLY | _CLOEXEC)
            try:
                data = os.pread(fd, length, at)
            finally:
                os.close(fd)
        except (OSError, TypeError, ValueError, OverflowError):
            data = None
        if data is None or len(data) != length or hashlib.sha256(data).hexdigest() != digest:
            self.misses += 1
            return None
        self.hits += 1
        return data

    def part_files(self, kind: str) -> dict[str, int]:
        """Name → size of every parts file of ``kind``."""
        if self.folder is None:
            return {}
        try:
            with os.scandir(self.folder / kind) as found:
                return {e.name: e.stat().st_size for e in found if e.is_file()}
        except OSError:
            return {}

    def drop_parts(self, kind: str, name: str) -> None:
        if self.folder is not None and not self.readonly and _HEX64.fullmatch(name):
            (self.folder / kind / name).unlink(missing_ok=True)

    def drop_folder(self, kind: str) -> None:
        if self.folder is not None and not self.readonly:
            shutil.rmtree(self.folder / kind, ignore_errors=True)

    def clear(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
