"""A new release made ahead from the current one while the build reads and renders.

A release of 10,000 stories has 16,000 files in nearly as many folders. Making a folder
costs 0.03-0.19 ms on the ext4 here and a hard link about 0.02 ms: most of what an edit
build spends writing, in which one core does the Python work and the other waits. The
next release is nearly the current one, so the build takes the output lock and starts
a process that makes the current release's folders in the staging folder and
hard-links its files there. The writer waits for it, then treats the staging folder as
it treats a recycled spare: a page that is unchanged is already there (checked with one
``lstat``), a changed one replaces its link (never written into: the file is shared
with the current release), and ``commit`` removes what the new release does not list
(files, then folders left empty).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Set
from pathlib import Path

from generator.release.manifest import inside, release_files, release_folders

# Run with the same Python in a fresh process (fork and exec: nothing of the build's
# memory or threads comes along). Folders in sorted order are parents first.
_SCRIPT = r"""
import json, os, sys
stage, current = sys.argv[1], sys.argv[2]
todo = json.load(sys.stdin)
bad_folders, bad_files = [], []
for folder in todo["folders"]:
    try:
        os.mkdir(os.path.join(stage, folder))
    except FileExistsError:
        if not os.path.isdir(os.path.join(stage, folder)):
            bad_folders.append(folder)
    except OSError:
        bad_folders.append(folder)
for path in todo["files"]:
    try:
        os.link(os.path.join(current, path), os.path.join(stage, path), follow_symlinks=False)
    except OSError:
        bad_files.append(path)
json.dump({"folders": bad_folders, "files": bad_files}, sys.stdout)
"""


class Ahead:
    """The current release being copied into ``stage`` (as folders and hard links) by
    another process."""

    def __init__(
        self,
        stage: Path,
        folders: frozenset[str],
        files: Mapping[str, tuple[str, int]],
        proc: subprocess.Popen[bytes] | None,
    ):
        self.stage, self._folders, self._files, self._proc = stage, folders, files, proc

    def wait(self) -> tuple[frozenset[str], Mapping[str, tuple[str, int]]]:
        """The folders made and the files linked: (release-relative folders, path →
        (sha256, size) as the current release's manifest lists them)."""
        if self._proc is not None:
            out, _ = self._proc.communicate()
            code, self._proc = self._proc.returncode, None
            try:
                bad = json.loads(out) if code == 0 else None
                bad_folders, bad_files = set(bad["folders"]), set(bad["files"])
            except (ValueError, TypeError, KeyError):
                bad_folders, bad_files = set(self._folders), set(self._files)
            self._folders = frozenset(self._folders - bad_folders)
            self._files = {p: v for p, v in self._files.items() if p not in bad_files}
        return self._folders, self._files

    def stop(self) -> None:
        """The build ended early: stop copying."""
        if self._proc is not None:
            with contextlib.suppress(OSError):
                self._proc.kill()
            self._proc.wait()
            self._proc = None
            self._folders, self._files = frozenset(), {}


def make_ahead(stage: Path, current: Path | None) -> Ahead:
    """Start copying the current release into ``stage`` (an empty folder)."""
    folders = release_folders(current) if current is not None else frozenset()
    files = release_files(current) if current is not None else {}
    files = {p: v for p, v in files.items() if inside(p) and p != "manifest.json"}
    if (not folders and not files) or not sys.executable:
        return Ahead(stage, frozenset(), {}, None)
    todo = {"folders": sorted(folders), "files": sorted(files)}
    with tempfile.TemporaryFile() as names:  # too many for a pipe the build would wait on
        names.write(json.dumps(todo).encode())
        names.seek(0)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _SCRIPT, str(stage), str(current)],
                stdin=names,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return Ahead(stage, frozenset(), {}, None)
    return Ahead(stage, folders, files, proc)


def remove_unused(stage: Path, made: Set[str], carried: Set[str], files: Set[str]) -> None:
    """Remove what was made ahead and the new release does not have: the files carried
    over, then the folders left with no file of the new release."""
    for path in carried - files:
        with contextlib.suppress(OSError):
            os.unlink(stage / path)  # a hard link: the current release keeps the file
    used: set[str] = set()
    for path in files:
        parts = path.split("/")
        used.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for folder in sorted(made - used, key=lambda f: -f.count("/")):  # deepest first
        with contextlib.suppress(OSError):  # not empty after all: something is in it
            os.rmdir(stage / folder)
