"""Deploy to a folder a web server serves, switched with one atomic rename.

Stage: deploy target ``dir:/path``.
Input: a checked release (``ReleaseFiles``) and the served path, e.g. ``/var/www/site``.
Output: ``/var/www/site.storysite/<id>/`` holding the release's files (the manifest stays
behind), ``/var/www/site`` a symbolic link to it, replaced with one ``os.replace`` of a
new link; a ``DeployPlan``.

Why a link: a web server resolves the path on every request, so each request sees the
old tree or the new one, whole. Copying into the served folder would serve a mix for as
long as the copy takes. Unchanged files are hard-linked from the tree being served (same
bytes, no copy); older trees beyond ``KEEP`` are pruned, never the one being served.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from generator.deploy.common import (
    DeployError,
    DeployPlan,
    ReleaseFiles,
    compare,
    make_plan,
    read_verified,
)
from generator.release import take_lock

log = logging.getLogger(__name__)

KEEP = 3  # deployed trees kept for a quick switch back; the served one is always kept
STORE_SUFFIX = ".storysite"


def store_of(root: Path) -> Path:
    """The folder beside ``root`` holding the deployed trees (same file system, so a
    rename can move a tree into place)."""
    return root.with_name(root.name + STORE_SUFFIX)


def deploy(rel: ReleaseFiles, root: Path, *, dry_run: bool = False, keep: int = KEEP) -> DeployPlan:
    store = store_of(root)
    if not root.parent.is_dir():
        raise DeployError(f"cannot deploy to {root}: the folder {root.parent} does not exist")
    served, notes = _served_tree(root, store)
    served_id, old = _tree_files(store, served) if served else (None, {})
    new = {f.path: f.sha256 for f in rel.files}
    uploads, deletions, unchanged = compare(new, old)
    if dry_run and root.is_dir() and not root.is_symlink():
        notes.append(f"{root} is a folder, not a storysite link: it would be moved into {store}/")
    if dry_run or (served_id == rel.id and not uploads and not deletions):
        return make_plan(rel, f"dir:{root}", uploads, deletions, unchanged, dry_run, notes)
    with _lock(store):
        tree = _build_tree(rel, store, served, old)
        moved = _switch(root, store, tree)
        if moved:
            notes.append(f"moved the folder that was at {root} to {moved} (nothing was deleted)")
        removed = _prune(store, keep, tree.name)
    log.info("%s now serves release %s", root, rel.id)
    if removed:
        log.info("removed old deployed trees: %s", ", ".join(removed))
    return make_plan(rel, f"dir:{root}", uploads, deletions, unchanged, False, notes)


def _served_tree(root: Path, store: Path) -> tuple[str | None, list[str]]:
    """The name of our tree ``root`` links to, or None (nothing there, or not ours)."""
    notes: list[str] = []
    if root.is_symlink():
        target = (root.parent / os.readlink(root)).resolve()
        if store.is_dir() and target.parent == store.resolve() and target.is_dir():
            return target.name, notes
        notes.append(f"{root} links to {target}, not to a storysite tree; the link is replaced")
        return None, notes
    if root.exists() and not root.is_dir():
        raise DeployError(f"cannot deploy to {root}: it is a file, not a folder or a link")
    return None, notes


def _tree_files(store: Path, name: str) -> tuple[str | None, dict[str, str]]:
    """(release id, {path: sha256}) of a deployed tree, from the record written beside it."""
    try:
        data = json.loads((store / f"{name}.json").read_text())
        return str(data["id"]), {f["path"]: f["sha256"] for f in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None, {}  # unknown content: copy every file, link nothing


@contextlib.contextmanager
def _lock(store: Path) -> Iterator[None]:
    try:
        if not store.exists():
            store.mkdir()
            os.chmod(store, 0o755)  # the web server's user must pass through it
        fh = take_lock(store)
    except BlockingIOError:
        raise DeployError(f"another deploy is writing to {store}; wait for it") from None
    except OSError as exc:
        raise DeployError(f"cannot write to {store}: {exc.strerror}") from exc
    try:
        # a deploy that was killed leaves its half-copied tree; nobody serves it
        for leftover in store.glob(".incoming-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        yield
    finally:
        fh.close()


def _build_tree(rel: ReleaseFiles, store: Path, served: str | None, old: dict[str, str]) -> Path:
    """Copy the release into a hidden folder, then rename it to its final name, so a
    tree with a release id as its name is always complete."""
    incoming = store / f".incoming-{uuid.uuid4().hex[:12]}"
    try:
        incoming.mkdir(mode=0o755)
        for entry in rel.files:
            dest = incoming / entry.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            if (
                served
                and old.get(entry.path) == entry.sha256
                and _link(store / served / entry.path, dest, entry.size)
            ):
                continue
            dest.write_bytes(read_verified(rel, entry))
            # web server workers run as another user: files world-readable, folders
            # traversable, whatever the umask of the person deploying
            os.chmod(dest, 0o644)
        for folder in (p for p in incoming.rglob("*") if p.is_dir()):
            os.chmod(folder, 0o755)
        os.chmod(incoming, 0o755)
        (store / f"{incoming.name}.json").write_text(_record(rel))
        name = _free_name(store, rel.id, served)
        os.replace(store / f"{incoming.name}.json", store / f"{name}.json")
        os.replace(incoming, store / name)
        _fsync_dir(store)
    except OSError as exc:
        shutil.rmtree(incoming, ignore_errors=True)
        raise DeployError(
            f"cannot copy the release into {store}: {exc.strerror}; the site is unchanged"
        ) from exc
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    return store / name


def _link(source: Path, dest: Path, size: int) -> bool:
    try:
        if source.lstat().st_size != size:
            return False
        os.link(source, dest)
    except OSError:
        return False  # gone, edited, or hard links not allowed here: copy instead
    return True


def _record(rel: ReleaseFiles) -> str:
    files = [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in rel.files]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"id": rel.id, "deployed_at": stamp, "files": files}, indent=1) + "\n"


def _free_name(store: Path, release_id: str, served: str | None) -> str:
    """The tree's final name: the release id; an older copy that is not being served is
    replaced (a deploy of an earlier release after a later one)."""
    name = release_id
    if (store / name).exists():
        if name == served:
            name = f"{release_id}-{uuid.uuid4().hex[:6]}"
        else:
            shutil.rmtree(store / name)
    return name


def _switch(root: Path, store: Path, tree: Path) -> Path | None:
    """Point ``root`` at ``tree`` with one rename of a new link; a real folder found at
    ``root`` is moved into the store first, never deleted."""
    tmp = root.with_name(f".{root.name}.link-{uuid.uuid4().hex[:8]}")
    moved = None
    try:
        # relative, so the web root and its store can be moved together
        os.symlink(os.path.relpath(tree, root.parent), tmp)
        if root.is_dir() and not root.is_symlink():
            stamp = time.strftime("%Y%m%dT%H%M%S")
            moved = store / f"previous-{root.name}-{stamp}"
            # the moment between these two renames is the only time the path is missing,
            # and only on the first deploy over an existing folder
            os.rename(root, moved)
        os.replace(tmp, root)
        _fsync_dir(root.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DeployError(f"cannot switch {root} to the new release: {exc.strerror}") from exc
    return moved


def _prune(store: Path, keep: int, serving: str) -> list[str]:
    """Remove deployed trees beyond the ``keep`` most recently deployed ones."""
    records = sorted(
        (p for p in store.glob("*.json") if (store / p.stem).is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    removed = []
    for record in records[: max(0, len(records) - max(keep, 1))]:
        if record.stem == serving:
            continue
        shutil.rmtree(store / record.stem, ignore_errors=True)
        record.unlink(missing_ok=True)
        removed.append(record.stem)
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
