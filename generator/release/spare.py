"""The spare: the last release pruned, kept to be written into by the next build.

At 10,000 stories a release is 16,000 files in as many folders, and making a folder
costs about 0.1 ms on ext4 here (a hard link 0.007 ms): most of what carrying unchanged
pages over costs, and deleting the folders again costs as much. In the spare, most
files already are the hard links the new release needs and every folder exists. The
writer never writes into an existing file (release files are hard links shared with
older releases); what the new release does not list is deleted at commit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Set
from pathlib import Path

from generator.release.manifest import ReleaseError, read_manifest
from generator.trash import Trash

SPARE = ".spare"  # inside the output folder: not a release, never deployed


def keep_spare(out_dir: Path, pruned: Path) -> bool:
    """Keep a pruned release as the spare, unless there is one already."""
    spare = out_dir / SPARE
    if spare.exists() or spare.is_symlink():
        return False
    try:
        pruned.rename(spare)
    except OSError:
        return False
    return True


# Recycle the spare only when at most this share of its files must be replaced
# or removed. Touching a file of an older release costs 0.13-0.15 ms here (unlinking,
# renaming: an inode not touched for several builds), making a folder about 0.03 ms:
# after a template change, a spare whose every page is stale costs more than a fresh
# folder (16,000 unlinks: 1.7-2.0 s against 0.5 s of folders at 10,000 stories).
STALE_LIMIT = 0.2


def recycle(out_dir: Path, staging: Path, current: Path | None, trash: Trash) -> bool:
    """Move the spare to ``staging``; False when there is none worth using (a stale
    spare is moved to ``trash`` instead, so the next prune keeps a newer one)."""
    spare = out_dir / SPARE
    if not (spare.is_dir() and not spare.is_symlink() and (spare / "manifest.json").is_file()):
        return False
    if current is not None and _stale_share(spare, current) > STALE_LIMIT:
        trash.drop(str(spare))
        return False
    spare.rename(staging)
    return True


def _stale_share(spare: Path, current: Path) -> float:
    """Roughly, the share of the spare's files that writing the next release into it
    would replace or remove: those not the same (content and inputs) as the current
    release's, which the next release mostly carries over."""
    try:
        theirs = _entries(spare)
        ours = _entries(current)
    except (ReleaseError, KeyError, TypeError):
        return 1.0  # either manifest unreadable: a fresh folder is the safe guess
    same = sum(1 for path, entry in ours.items() if theirs.get(path) == entry)
    return 1 - same / max(len(ours), len(theirs), 1)


def _entries(release: Path) -> dict[str, tuple[str, str]]:
    files = read_manifest(release)["files"]
    return {str(f["path"]): (str(f["sha256"]), str(f.get("inputs", ""))) for f in files}


def remove_leftovers(stage: Path, keep: Set[str], trash: Trash) -> None:
    """Delete the files of a recycled release that the new one does not have (and the
    folders that leaves empty). A fresh staging folder has no manifest: nothing to do."""
    folders: set[str] = set()
    for rel in _listed(stage):
        if rel in keep or rel == "manifest.json" or rel.startswith("/") or ".." in rel.split("/"):
            continue
        trash.drop(os.path.join(stage, rel))
        folders.update(_parents(rel))
    for folder in sorted(folders, key=lambda f: -f.count("/")):  # deepest first
        with contextlib.suppress(OSError):  # not empty: the new release uses it
            os.rmdir(stage / folder)


def _listed(stage: Path) -> list[str]:
    """The files the recycled release had: its manifest's list, or, when the manifest
    cannot be read, what is on disk (slower, and never trusting a damaged file)."""
    manifest = stage / "manifest.json"
    if not manifest.exists():
        return []
    try:
        return [str(f["path"]) for f in read_manifest(stage)["files"]]
    except (ReleaseError, KeyError, TypeError):
        return [
            os.path.relpath(os.path.join(folder, name), stage)
            for folder, _, names in os.walk(stage)
            for name in names
        ]


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
