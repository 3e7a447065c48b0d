"""Files out of the way now, deleted later in the background.

Deleting a file's last hard link frees its blocks: 0.12 ms a file on the ext4 here,
against 0.02 ms to rename it and 0.007 ms to drop a link that older releases still
share. A recycled release (``release.spare``) replaces thousands of such files after a
template change, so they are moved into a trash folder beside it and deleted once the
build is done, by a process that does not hold the build up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from pathlib import Path


class Trash:
    """A folder (made when first used) to move files and folders into."""

    def __init__(self, folder: Path | str):
        self.folder = str(folder)
        self._count = 0

    def drop(self, path: str) -> None:
        """Remove ``path``: a file, link or folder; nothing if it is not there."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISLNK(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink > 1):
            os.unlink(path)  # other names keep its blocks: cheap
            return
        # page workers are forked processes: the pid keeps their names apart
        self._count += 1
        target = os.path.join(self.folder, f"{os.getpid()}-{self._count}")
        try:
            try:
                os.rename(path, target)
            except FileNotFoundError:  # the trash folder is not made yet
                os.makedirs(self.folder, exist_ok=True)
                os.rename(path, target)
        except OSError:  # another file system, or no room for the trash folder: now
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def empty_later(self) -> None:
        if os.path.isdir(self.folder):
            delete_later(Path(self.folder))


def delete_later(path: Path) -> None:
    """Delete a folder in a process of its own, which outlives the build if it must."""
    rm = shutil.which("rm")
    if rm is None:  # not a POSIX system: delete it now
        shutil.rmtree(path, ignore_errors=True)
        return
    subprocess.Popen(
        [rm, "-rf", "--", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # no Ctrl-C meant for the build reaches it
    )
