"""Releases: a finished staging folder → output/releases/<id>/, then an atomic switch.

``output/current`` is a symbolic link replaced with one rename, so a reader (or a web
server) sees either the old release or the new one, never a half-written folder. A
failed build removes its staging folder and leaves current and every release as they
were. Deals in files and manifests only; knows nothing of content.

The newest release pruned is kept as the spare the next build writes into (``spare``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from generator import __version__
from generator.cache import CACHE_DIR, Cache
from generator.errors import OutputError
from generator.release.ahead import Ahead, make_ahead, remove_unused
from generator.release.ledger import record_takedowns, shows_withdrawn
from generator.release.manifest import ReleaseError, read_manifest, release_files, release_folders
from generator.release.manifest import manifest_text as _manifest_text
from generator.release.manifest import release_id as _release_id
from generator.release.spare import SPARE, keep_spare, recycle, remove_leftovers
from generator.trash import Trash, delete_later

RELEASES = "releases"
CURRENT = "current"


@dataclass(frozen=True)
class Release:
    id: str
    path: Path
    pages: int
    size: int


def take_lock(folder: Path) -> IO[str]:
    """``folder/.lock``, locked for this process until the handle is closed; raises
    BlockingIOError when another process holds it (builds and deploys fail fast)."""
    fh = open(folder / ".lock", "a+")  # noqa: SIM115  (the caller holds it)
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        fh.close()
        raise
    return fh


@contextlib.contextmanager
def lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's build lock; a second build fails with a clear message."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fh = take_lock(out_dir)
    except BlockingIOError:
        raise OutputError(f"another build is writing to {out_dir}; wait for it to finish") from None
    except OSError as exc:
        raise OutputError(f"cannot use output folder {out_dir}: {exc.strerror}") from exc
    try:
        # Holding the lock, nothing else is writing: what a killed build left is garbage
        for leftover in [*out_dir.glob(".staging-*"), *out_dir.glob(".current-*")]:
            if leftover.is_symlink() or leftover.is_file():
                leftover.unlink(missing_ok=True)
            else:  # a killed build's 16,000 folders: deleted in the background below
                Trash(out_dir / f".trash-{uuid.uuid4().hex[:12]}").drop(str(leftover))
        for trash in out_dir.glob(".trash-*"):  # a background deletion that was cut short
            delete_later(trash)
        yield
    finally:
        fh.close()


@dataclass
class Stage:
    """A folder to write a release into: a recycled spare, or one the current release
    is being copied into ahead (folders and hard links)."""

    path: Path
    ahead: Ahead | None = None
    present: frozenset[str] = frozenset()  # a recycled spare's, as its manifest lists them
    kept: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # its files: sha, size

    def ready(self) -> tuple[frozenset[str], Mapping[str, tuple[str, int]], bool]:
        """Once the folder may be written into: the folders there (release-relative;
        checking 16,000 one by one cost 0.15 s), the files there (path → sha256, size,
        as the manifest they came from lists them), and whether they were carried over
        ahead (else they are a recycled spare's)."""
        if self.ahead is not None:
            return (*self.ahead.wait(), True)
        return self.present, self.kept, False

    def made(self) -> tuple[frozenset[str], frozenset[str]]:
        """The folders and files made ahead, for ``commit`` to remove those the new
        release does not use. None for a recycled spare: ``commit`` removes what its
        manifest lists and the new release does not, and the folders that empties."""
        if self.ahead is None:
            return frozenset(), frozenset()
        folders, files = self.ahead.wait()
        return folders, frozenset(files)


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Stage]:
    """A folder to write a release into; removed unless ``commit`` moved it.

    Either the spare (a pruned release, which still holds its manifest: the writer
    replaces what differs, never writing into a file an older release shares, and
    ``commit`` removes what the new release does not list), or a new folder in which
    the current release's folders are being made (``ahead``). Take it early, with the
    lock held: the folders are made while the build does the rest.
    """
    path = out_dir / f".staging-{uuid.uuid4().hex[:12]}"
    current = current_id(out_dir)
    folder = out_dir / RELEASES / current if current else None
    stage = Stage(path)
    spent = Trash(trash_for(path))
    try:
        if recycle(out_dir, path, folder, spent):
            stage.present = release_folders(path)
            stage.kept = release_files(path)
        else:
            path.mkdir(parents=True)
            stage.ahead = make_ahead(path, folder)
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out_dir}: {exc.strerror}") from exc
    try:
        yield stage
    finally:
        if stage.ahead is not None:
            stage.ahead.stop()
        if path.exists():  # not committed: deleted after the build, like the trash
            spent.drop(str(path))
        spent.empty_later()


def trash_for(stage: Path) -> Path:
    """Where writing into ``stage`` moves the files it replaces (see ``trash``)."""
    return stage.with_name(".trash-" + stage.name.removeprefix(".staging-"))


def commit(
    stage: Path,
    out_dir: Path,
    files: Sequence[Any],
    now: dt.datetime,
    keep: int = 10,
    extra: dict[str, Any] | None = None,
    made: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
) -> Release:
    """Seal ``stage`` as a release with a manifest and make it current; ``made``: the
    folders and files made ahead (``Stage.made``): those unused are removed."""
    records = [dict(f.__dict__) for f in files]  # flat records: asdict's deep copy is slow
    release_id = _release_id(now, records)
    manifest = {
        "id": release_id,
        "generator": f"storysite {__version__}",
        "built_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": records,
        **(extra or {}),
    }
    try:
        listed = {r["path"] for r in records}
        remove_leftovers(stage, listed, Trash(trash_for(stage)))
        remove_unused(stage, made[0], made[1], listed)
        tmp = stage / f".manifest-{uuid.uuid4().hex[:8]}"  # a recycled one is replaced
        tmp.write_text(_manifest_text(manifest))
        os.replace(tmp, stage / "manifest.json")
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
    """Remove the oldest releases beyond ``keep``, never the current one; the newest of
    those becomes the spare the next build recycles."""
    current = current_id(out_dir)
    releases = list_releases(out_dir)
    gone = [old for old in releases[: max(0, len(releases) - keep)] if old.name != current]
    removed = [old.name for old in gone]
    if gone and keep_spare(out_dir, gone[-1]):  # the newest pruned: most files in common
        gone = gone[:-1]
    for old in gone:
        _discard(out_dir, old)
    return removed


def _discard(out_dir: Path, folder: Path) -> None:
    """Take a folder out of the store at once and delete it in the background.

    Deleting a release of 16,000 files takes seconds; renaming it takes nothing, so the
    build does not wait. A deletion cut short is finished by the next build (``lock``).
    """
    trash = out_dir / f".trash-{uuid.uuid4().hex[:12]}"
    try:
        folder.rename(trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    delete_later(trash)


# --- reading releases -----------------------------------------------------------------


def find(out_dir: Path, release_id: str) -> Path:
    """The folder of a release by id (a unique prefix is enough)."""
    matches = [p for p in list_releases(out_dir) if p.name.startswith(release_id)]
    if not matches:
        raise ReleaseError(f"no release '{release_id}' in {out_dir / RELEASES}")
    if len(matches) > 1 and not any(p.name == release_id for p in matches):
        raise ReleaseError(f"'{release_id}' matches {len(matches)} releases; give more of the id")
    return next((p for p in matches if p.name == release_id), matches[0])


def previous_story_slugs(out_dir: Path) -> frozenset[str]:
    """Story URLs the current release serves (stories and neutral pages alike)."""
    current = current_id(out_dir)
    if current is None:
        return frozenset()
    try:
        manifest = read_manifest(out_dir / RELEASES / current)
    except ReleaseError:
        return frozenset()
    return frozenset(manifest.get("stories", [])) | frozenset(manifest.get("gone", []))


def rollback(out_dir: Path, release_id: str | None = None) -> str:
    """Make an earlier release current (default: the one before current)."""
    releases = list_releases(out_dir)
    current = current_id(out_dir)
    if release_id is None:
        older = [p for p in releases if current is None or p.name < current]
        if not older:
            raise ReleaseError("there is no release older than the current one")
        target = older[-1]
    else:
        target = find(out_dir, release_id)
    leaked = shows_withdrawn(out_dir, target)
    if leaked:
        raise ReleaseError(
            f"release {target.name} still shows {len(leaked)} withdrawn story(ies); "
            "refusing to publish it (storysite purge SLUG removes such releases)"
        )
    with lock(out_dir):
        _switch(out_dir, target)
    return target.name


def purge(out_dir: Path, slug: str) -> list[str]:
    """Remove every retained release that still shows ``slug`` and the build cache.

    Old releases cannot be edited page by page (listings, feeds and related links all
    mention the story), so a release that shows the story is deleted whole. The current
    release must already be clean: rebuild after withdrawing, then purge.
    """
    with lock(out_dir):
        current = current_id(out_dir)
        removed = []
        for path in list_releases(out_dir):
            if slug not in read_manifest(path).get("stories", []):
                continue
            if path.name == current:
                raise ReleaseError(
                    f"the current release {path.name} still shows '{slug}': withdraw the story "
                    "and build first, then purge"
                )
            shutil.rmtree(path)
            removed.append(path.name)
        # pruned releases still being deleted in the background, or kept as the spare
        # to recycle, may show the story too
        for leftover in [*out_dir.glob(".staging-*"), *out_dir.glob(".trash-*")]:
            shutil.rmtree(leftover, ignore_errors=True)
        shutil.rmtree(out_dir / SPARE, ignore_errors=True)
        # The cache holds rendered text and encoded photos keyed by content, not by story;
        # dropping all of it is the one way to be sure nothing of the story is left (the
        # next build is a cold one, which is a fair price for a takedown)
        Cache(out_dir / CACHE_DIR).clear()
        record_takedowns(out_dir, [slug], [])
    return removed


@dataclass(frozen=True)
class ReleaseInfo:
    id: str
    pages: int
    size: int
    commit: str | None
    built_at: str | None
    is_current: bool


def describe(out_dir: Path) -> list[ReleaseInfo]:
    """Every retained release, oldest first."""
    current = current_id(out_dir)
    infos = []
    for path in list_releases(out_dir):
        try:
            manifest = read_manifest(path)
        except ReleaseError:
            continue
        files = manifest.get("files", [])
        infos.append(
            ReleaseInfo(
                path.name,
                sum(1 for f in files if str(f.get("path", "")).endswith(".html")),
                sum(int(f.get("size", 0)) for f in files),
                manifest.get("commit"),
                manifest.get("built_at"),
                path.name == current,
            )
        )
    return infos
