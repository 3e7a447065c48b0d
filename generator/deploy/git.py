"""Deploy to a git branch (GitHub Pages, GitLab Pages, Codeberg Pages): one commit per release.

Stage: deploy target ``git:REMOTE#BRANCH``.
Input: a checked release (``ReleaseFiles``), a remote (URL or path) and a branch name.
Output: a commit on BRANCH whose tree is exactly the release's files (the manifest stays
behind) and whose parent is the branch's previous tip, so the history lists releases;
pushed with a plain fast-forward push. A ``DeployPlan`` of files that differ from the tip.

Why a scratch repository: the site's own repository and work tree are never touched. A
temporary bare repository fetches only the branch tip (depth 1), the release's files are
hashed into it with ``hash-object --no-filters`` (bytes as they are, whatever the user's
autocrlf or .gitignore say) and put in a temporary index, ``write-tree`` and
``commit-tree`` make the commit. Identity comes from the environment, so it works on a
machine with no git configuration.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from generator.deploy.common import DeployError, DeployPlan, ReleaseFiles, compare, make_plan

log = logging.getLogger(__name__)

FILE_MODE = "100644"
# Variables that would point git at another repository (set inside git hooks, for one)
_REPO_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)


def deploy(
    rel: ReleaseFiles,
    remote: str,
    branch: str,
    *,
    dry_run: bool = False,
    forget_history: bool = False,
) -> DeployPlan:
    label = f"git:{remote}#{branch}"
    with tempfile.TemporaryDirectory(prefix="storysite-git-") as tmp:
        git = _Git(Path(tmp))
        git.run("init", "--quiet", "--bare", str(git.repo))
        tip = git.remote_tip(remote, branch)
        old: dict[str, tuple[str, str]] = {}
        if tip:
            git.fetch_tip(remote, branch, tip)
            old = git.tree_files(tip)
        blobs = git.hash_files(rel, write=not dry_run)
        new = {path: (FILE_MODE, sha) for path, sha in blobs.items()}
        uploads, deletions, unchanged = compare(new, old)
        plan = make_plan(rel, label, uploads, deletions, unchanged, dry_run)
        if dry_run:
            return plan
        if tip and not uploads and not deletions and not forget_history:
            log.info("%s already has the files of release %s; nothing to commit", label, rel.id)
            return plan
        tree = git.write_tree(blobs)
        # the previous tip as parent, so the branch's history lists the releases; for a
        # takedown, no parent: earlier releases (and the story) leave the branch
        parents = ["-p", tip] if tip and not forget_history else []
        commit = git.run("commit-tree", tree, *parents, input=_message(rel))
        git.push(remote, branch, commit, replace=tip if forget_history else None)
    log.info("pushed release %s to %s as %s", rel.id, label, commit[:10])
    return plan


def _message(rel: ReleaseFiles) -> str:
    lines = [f"Deploy release {rel.id}", ""]
    if rel.manifest.get("generator"):
        lines.append(f"Built by: {rel.manifest['generator']}")
    if rel.manifest.get("commit"):
        lines.append(f"Content commit: {rel.manifest['commit']}")
    if rel.manifest.get("built_at"):
        lines.append(f"Built at: {rel.manifest['built_at']}")
    return "\n".join(lines) + "\n"


class _Git:
    """git commands against the scratch repository, with a fixed identity."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.repo = tmp / "scratch.git"
        env = {k: v for k, v in os.environ.items() if k not in _REPO_VARS}
        env.update(
            GIT_DIR=str(self.repo),
            GIT_AUTHOR_NAME="storysite",
            GIT_AUTHOR_EMAIL="storysite@localhost",
            GIT_COMMITTER_NAME="storysite",
            GIT_COMMITTER_EMAIL="storysite@localhost",
            # fail with a message instead of waiting for a password nobody will type
            GIT_TERMINAL_PROMPT="0",
        )
        self.env = env

    def run(
        self,
        *args: str,
        input: str | bytes | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        what: str | None = None,
    ) -> str:
        binary = isinstance(input, bytes)
        try:
            proc = subprocess.run(
                ["git", *args],
                input=input,
                capture_output=True,
                text=not binary,
                cwd=cwd or self.tmp,
                env={**self.env, **(env or {})},
                check=False,
            )
        except FileNotFoundError:
            raise DeployError("the git target needs git; install it and try again") from None
        out, err = proc.stdout, proc.stderr
        if binary:
            out, err = out.decode(errors="replace"), err.decode(errors="replace")
        if proc.returncode != 0:
            detail = _last_lines(err) or f"exit status {proc.returncode}"
            raise DeployError(f"{what or 'git ' + args[0]} failed: {detail}")
        return out.strip()

    def remote_tip(self, remote: str, branch: str) -> str | None:
        out = self.run(
            "ls-remote", "--heads", remote, f"refs/heads/{branch}",
            what=f"cannot reach the git remote {remote}; git ls-remote",
        )  # fmt: skip
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch_tip(self, remote: str, branch: str, tip: str) -> None:
        # the tip is the new commit's parent and holds the tree to compare with; depth 1
        # keeps a long pages history from being downloaded on every deploy
        self.run(
            "fetch", "--quiet", "--no-tags", "--depth=1", remote, f"refs/heads/{branch}",
            what=f"cannot fetch {branch} from {remote}",
        )  # fmt: skip
        fetched = self.run("rev-parse", "FETCH_HEAD")
        if fetched != tip:
            raise DeployError(f"{branch} on {remote} moved while deploying; run the deploy again")

    def tree_files(self, commit: str) -> dict[str, tuple[str, str]]:
        """{path: (mode, blob)} of every file in a commit's tree."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit)
        files = {}
        for record in filter(None, out.split("\0")):
            meta, _, path = record.partition("\t")
            mode, _kind, sha = meta.split(" ")
            files[path] = (mode, sha)
        return files

    def hash_files(self, rel: ReleaseFiles, *, write: bool) -> dict[str, str]:
        """{path: blob id}; with ``write``, the blobs are stored in the scratch repository."""
        paths = [f.path for f in rel.files]
        args = ["hash-object", "--no-filters", "--stdin-paths", *(["-w"] if write else [])]
        out = self.run(*args, input="\n".join(paths) + "\n", cwd=rel.root)
        shas = out.split()
        if len(shas) != len(paths):
            raise DeployError(f"git hash-object returned {len(shas)} ids for {len(paths)} files")
        return dict(zip(paths, shas, strict=True))

    def write_tree(self, blobs: dict[str, str]) -> str:
        # a throwaway index: nothing is checked out, the tree is exactly these entries
        env = {"GIT_INDEX_FILE": str(self.tmp / "index")}
        index_info = "".join(f"{FILE_MODE} {sha}\t{path}\0" for path, sha in blobs.items())
        self.run("update-index", "-z", "--index-info", input=index_info.encode(), env=env)
        return self.run("write-tree", env=env)

    def push(self, remote: str, branch: str, commit: str, replace: str | None = None) -> None:
        """Fast-forward push; with ``replace``, a forced push that only succeeds while the
        branch is still at that commit (someone else's newer push is never overwritten)."""
        ref = f"refs/heads/{branch}"
        lease = [f"--force-with-lease={ref}:{replace}"] if replace else []
        try:
            self.run("push", "--quiet", *lease, remote, f"{commit}:{ref}", what="git push")
        except DeployError as exc:
            text = str(exc)
            if "non-fast-forward" in text or "fetch first" in text or "rejected" in text:
                raise DeployError(
                    f"{branch} on {remote} changed while deploying (or was rewritten); "
                    f"run the deploy again. git said: {text}"
                ) from None
            raise


def _last_lines(text: str, n: int = 3) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-n:])
