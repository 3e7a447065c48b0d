"""Deploy: publish one sealed release to a web server folder, a git pages branch or S3.

Stage: after ``release``; called by the CLI (``storysite deploy``), never by the build.
Input: a release folder (``output/current`` or ``output/releases/<id>``) and a target text:
``dir:/path``, ``git:REMOTE#BRANCH`` or ``s3://bucket/prefix``.
Output: a ``DeployPlan`` (uploads, deletions, bytes) describing what changed, or would
change in a dry run. Every failure the operator can act on is a ``DeployError`` with a
message; this package never prints and never exits.

Each target publishes so that readers see either the old release or the new one:
``folder`` swaps a symbolic link, ``git`` pushes one commit, ``s3`` uploads pages only
after the assets they use and deletes stale files last.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.deploy.common import DeployError, DeployPlan, load_release

__all__ = [
    "DeployError",
    "DeployPlan",
    "DirTarget",
    "GitTarget",
    "S3Target",
    "Target",
    "deploy",
    "parse_target",
]


@dataclass(frozen=True)
class DirTarget:
    path: Path  # absolute; the last part is the symbolic link the web server uses as root

    def __str__(self) -> str:
        return f"dir:{self.path}"


@dataclass(frozen=True)
class GitTarget:
    remote: str  # URL, scp-like address, or absolute path of a local repository
    branch: str

    def __str__(self) -> str:
        return f"git:{self.remote}#{self.branch}"


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str  # no leading or trailing slash; "" for the bucket's root

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


Target = DirTarget | GitTarget | S3Target

USAGE = "a target is dir:/path, git:REMOTE#BRANCH or s3://bucket/prefix"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^[^/]*:")  # user@host:path (git's scp-like syntax; no slash before ':')
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$")


def parse_target(text: str) -> Target:
    """Parse a target; a mistake is a DeployError naming the expected form."""
    text = text.strip()
    if text.startswith("dir:"):
        raw = text[4:]
        if not raw or raw.strip("/") == "":
            raise DeployError(f"dir target needs a folder other than /: {text!r} ({USAGE})")
        # abspath, not resolve: the last part is the link we replace, not where it points
        return DirTarget(Path(os.path.abspath(os.path.expanduser(raw))))
    if text.startswith("git:"):
        return _parse_git(text)
    if text.startswith("s3://"):
        bucket, _, prefix = text[5:].partition("/")
        if not _BUCKET.match(bucket):
            raise DeployError(f"not a valid S3 bucket name in {text!r} ({USAGE})")
        prefix = prefix.strip("/")
        if prefix and not all(part not in ("", ".", "..") for part in prefix.split("/")):
            raise DeployError(f"S3 prefix must not contain empty, '.' or '..' parts: {text!r}")
        return S3Target(bucket, prefix)
    raise DeployError(f"unknown deploy target {text!r}: {USAGE}")


def _parse_git(text: str) -> GitTarget:
    rest = text[4:]
    if rest.startswith("//"):  # "git://host/repo#branch": the git protocol, not our prefix
        rest = "git:" + rest
    # the branch follows the last '#': a URL may contain '#' earlier, a branch name cannot
    remote, sep, branch = rest.rpartition("#")
    if not sep or not remote or not branch:
        raise DeployError(
            f"git target needs a remote and a branch: {text!r} "
            "(e.g. git:git@github.com:org/site.git#gh-pages or git:/srv/site.git#pages)"
        )
    if not _valid_branch(branch):
        raise DeployError(f"not a valid git branch name: {branch!r}")
    if not (_URL.match(remote) or _SCP.match(remote)):
        # a local repository: git runs in a scratch folder, so make the path absolute
        remote = os.path.abspath(os.path.expanduser(remote))
    return GitTarget(remote, branch)


def _valid_branch(name: str) -> bool:
    # git check-ref-format's rules, the ones a typo can break
    return not (
        name.startswith(("-", "/", "."))
        or name.endswith(("/", ".", ".lock"))
        or ".." in name
        or "//" in name
        or "@{" in name
        or "/." in name
        or any(c in name for c in " ~^:?*[\\")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    )


def deploy(
    release_dir: Path,
    target: Target,
    *,
    dry_run: bool = False,
    endpoint_url: str | None = None,
    forget_history: bool = False,
) -> DeployPlan:
    """Publish the release in ``release_dir`` to ``target`` (or only plan it).

    ``forget_history`` is for takedowns: git pushes a commit with no parent in place of
    the branch's history, dir removes every deployed tree but the one being served.
    """
    if endpoint_url is not None and not isinstance(target, S3Target):
        raise DeployError("--endpoint-url applies to s3:// targets only")
    rel = load_release(Path(release_dir))
    if isinstance(target, DirTarget):
        from generator.deploy import folder

        keep = 1 if forget_history else folder.KEEP
        return folder.deploy(rel, target.path, dry_run=dry_run, keep=keep)
    if isinstance(target, GitTarget):
        from generator.deploy import git

        return git.deploy(
            rel, target.remote, target.branch, dry_run=dry_run, forget_history=forget_history
        )
    if forget_history:
        raise DeployError(
            "--forget-history applies to git and dir targets; an S3 bucket keeps no history "
            "(unless versioning is on: delete old versions there)"
        )
    from generator.deploy import s3

    return s3.deploy(rel, target.bucket, target.prefix, dry_run=dry_run, endpoint_url=endpoint_url)
