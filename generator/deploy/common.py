"""Deploy, shared part: a sealed release read back from its manifest, and the plan type.

Stage: after ``release`` (a finished, switched release) and before any target.
Input: a release folder (``output/releases/<id>/`` or ``output/current``).
Output: ``ReleaseFiles`` (the files to publish, checked against the manifest) for the
targets, and the ``DeployPlan`` value every target returns. Reads only; writes nothing.
"""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator import release

# The manifest stays behind: it lists the stories of the release and the slugs of
# withdrawn ones ("gone"), which must not be published next to the pages.
MANIFEST = "manifest.json"


class DeployError(Exception):
    """A deploy that cannot be done, with a message the operator can act on."""


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy changed (or, in a dry run, would change) on the target."""

    uploads: list[str]  # release paths written to the target: new or changed
    deletions: list[str]  # paths the target served before and no longer will
    bytes: int  # size of the uploads
    unchanged: int  # files already on the target with the same content
    target: str
    release_id: str
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # things the operator should know


@dataclass(frozen=True)
class FileEntry:
    path: str  # release-relative POSIX path, also the URL path
    sha256: str
    size: int
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class ReleaseFiles:
    id: str
    root: Path
    files: tuple[FileEntry, ...]
    manifest: dict[str, Any]

    def by_path(self) -> dict[str, FileEntry]:
        return {f.path: f for f in self.files}


def load_release(release_dir: Path) -> ReleaseFiles:
    """Read a release's manifest and check every file it lists is there, in place.

    Paths come from a file on disk, so they are checked before any target joins them to
    a folder, a key or a git index: nothing may point outside the release.
    """
    root = release_dir.resolve()
    if not root.is_dir():
        raise DeployError(f"no release at {release_dir}; run `storysite build` first")
    try:
        manifest = release.read_manifest(root)
    except release.ReleaseError as exc:
        raise DeployError(str(exc)) from exc
    _refuse_withdrawn(root)
    entries = []
    seen: set[str] = set()
    for raw in manifest.get("files", []):
        entry = _entry(raw, root.name)
        if entry.path in seen or entry.path == MANIFEST:
            raise DeployError(f"release {root.name}: manifest lists {entry.path!r} twice")
        seen.add(entry.path)
        try:
            info = (root / entry.path).lstat()
        except OSError:
            raise DeployError(
                f"release {root.name} is incomplete: {entry.path} is missing; build again"
            ) from None
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry.size:
            raise DeployError(
                f"release {root.name} was changed after it was built: {entry.path}; build again"
            )
        entries.append(entry)
    if not entries:
        raise DeployError(f"release {root.name} has no files to deploy")
    release_id = str(manifest.get("id") or root.name)
    return ReleaseFiles(release_id, root, tuple(sorted(entries, key=lambda e: e.path)), manifest)


def _refuse_withdrawn(root: Path) -> None:
    """A takedown must reach every copy: never publish a release that still shows a
    withdrawn story (the same rule as rollback), e.g. an old one picked with --release."""
    if root.parent.name != release.RELEASES:
        return
    leaked = release.shows_withdrawn(root.parent.parent, root)
    if leaked:
        raise DeployError(
            f"release {root.name} still shows {len(leaked)} withdrawn story(ies); refusing to "
            "deploy it (deploy the current release, or `storysite purge SLUG`)"
        )


def _entry(raw: Any, release_id: str) -> FileEntry:
    bad = DeployError(f"release {release_id}: manifest.json has a malformed file entry: {raw!r}")
    if not isinstance(raw, dict):
        raise bad
    path, sha, size = raw.get("path"), raw.get("sha256"), raw.get("size")
    if not (
        isinstance(path, str)
        and isinstance(sha, str)
        and len(sha) == 64
        and isinstance(size, int)
        and size >= 0
    ):
        raise bad
    if not safe_path(path):
        raise DeployError(f"release {release_id}: refusing unsafe path {path!r} in manifest.json")
    return FileEntry(
        path,
        sha,
        size,
        str(raw.get("content_type") or "application/octet-stream"),
        str(raw.get("cache_control") or "public, max-age=300, must-revalidate"),
    )


def safe_path(path: str) -> bool:
    """Relative, inside the root, no empty or dot segments, no control characters (git
    reads paths one per line; S3 keys and file names must round-trip)."""
    rel = PurePosixPath(path)
    return (
        bool(path)
        and not rel.is_absolute()
        and "\\" not in path
        and not any(ord(c) < 32 or ord(c) == 127 for c in path)
        and all(part not in ("", ".", "..") for part in path.split("/"))
    )


def read_verified(rel: ReleaseFiles, entry: FileEntry) -> bytes:
    """The bytes of one release file, refused if they no longer match the manifest."""
    try:
        data = (rel.root / entry.path).read_bytes()
    except OSError as exc:
        raise DeployError(f"cannot read {entry.path} in release {rel.id}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise DeployError(
            f"release {rel.id} was changed after it was built: {entry.path}; build again"
        )
    return data


def compare(new: dict[str, Any], old: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(uploads, deletions, unchanged) between two {path: fingerprint} maps."""
    uploads = sorted(p for p, v in new.items() if old.get(p) != v)
    deletions = sorted(set(old) - set(new))
    return uploads, deletions, len(new) - len(uploads)


def make_plan(
    rel: ReleaseFiles,
    target: str,
    uploads: list[str],
    deletions: list[str],
    unchanged: int,
    dry_run: bool,
    notes: list[str] | None = None,
) -> DeployPlan:
    sizes = {f.path: f.size for f in rel.files}
    return DeployPlan(
        uploads=list(uploads),
        deletions=list(deletions),
        bytes=sum(sizes[p] for p in uploads),
        unchanged=unchanged,
        target=target,
        release_id=rel.id,
        dry_run=dry_run,
        notes=list(notes or []),
    )
