"""Documents an earlier build knew: left unread while their files keep their stamps.

``unchanged`` compares stamps (and, for an unsettled one, the bytes); ``Bodies`` reads
a kept document's body only if rendering needs it, and only from the bytes the build
took the document to have. Reads files; writes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from generator.errors import Problems
from generator.load.files import decode, split
from generator.stamps import Stamp, stamp_of


class FileChanged(Exception):
    """A file left unread no longer has the text the build took it to have."""

    def __init__(self, path: str):
        super().__init__(f"{path} changed while the site was being built")
        self.path = path


# What an earlier build knew of a document: its stamp, the digest of its bytes, and
# whether the stamp was settled (else the bytes are read and compared)
Known = tuple[Stamp, str, bool]


def unchanged(
    root: Path,
    todo: list[tuple[str, str, bool]],
    known: Mapping[str, Known],
    seen: Mapping[str, Stamp] | None = None,
) -> dict[str, Stamp]:
    """The documents of ``todo`` whose files are as ``known`` says: path → stamp.
    ``seen``: stamps taken a moment ago, by absolute path (else each file is stat'ed)."""
    kept: dict[str, Stamp] = {}
    seen = seen or {}
    for rel, _kind, _bundle in todo:
        was = known.get(rel)
        if was is None:
            continue
        path = os.path.join(root, rel)
        try:
            stamp = seen.get(path) or stamp_of(os.stat(path))
            if stamp != was[0]:
                continue
            if not was[2]:  # unsettled: only the bytes can tell
                with open(path, "rb") as fh:
                    if hashlib.sha256(fh.read()).hexdigest() != was[1]:
                        continue
        except OSError:
            continue  # reading it again reports the problem
        kept[rel] = stamp
    return kept


class Bodies(Mapping[str, str]):
    """Each document's Markdown body, by path: for ``render`` only. The validated
    documents do not hold their bodies, so a build lets them go once rendered (50 MB
    at 10,000 stories, a tenth of its peak memory). A kept document's body is read
    when asked for, and must come from the bytes its digest (in ``digests``) names."""

    def __init__(self, root: Path, read: dict[str, str], digests: Mapping[str, str]):
        self.root, self.read, self.digests = root, read, digests

    def __getitem__(self, path: str) -> str:
        body = self.read.get(path)
        if body is None:
            decoded = decode(self.root, path, Problems())
            if decoded is None or decoded[1] != self.digests[path]:
                raise FileChanged(path)
            parts = split(decoded[0])
            if isinstance(parts, str):
                raise FileChanged(path)
            body = self.read[path] = parts[1]
        return body

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)
