"""Deploy to a git branch: one commit per release, pushed to a real (local, bare) remote."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml
from deploy_servers import DOCS, build_two_releases

from generator.deploy import DeployError, GitTarget, deploy, parse_target


@pytest.fixture
def releases(tmp_path):
    return build_two_releases(tmp_path / "src")


@pytest.fixture
def remote(tmp_path):
    path = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


@pytest.fixture(autouse=True)
def no_git_config(tmp_path, monkeypatch):
    """A machine with no git identity, and a hostile global config that would change
    bytes (autocrlf) and skip files (excludesFile) if the deploy honoured it."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "ignore").write_text("*.css\n*.jpg\n")
    (home / "gitconfig").write_text(
        f"[core]\n\tautocrlf = true\n\texcludesFile = {home / 'ignore'}\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "EMAIL"):
        monkeypatch.delenv(var, raising=False)


def git(repo, *args) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def branch_files(repo, ref="pages") -> dict[str, bytes]:
    names = git(repo, "ls-tree", "-r", "-z", "--name-only", ref).split("\0")
    return {
        name: subprocess.run(
            ["git", "--git-dir", str(repo), "cat-file", "blob", f"{ref}:{name}"],
            capture_output=True,
            check=True,
        ).stdout
        for name in names
        if name
    }


def test_parse_git_targets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_target("git:git@github.com:org/site.git#gh-pages") == GitTarget(
        "git@github.com:org/site.git", "gh-pages"
    )
    assert parse_target("git:https://example.org/a/site.git#pages") == GitTarget(
        "https://example.org/a/site.git", "pages"
    )
    assert parse_target("git://example.org/site.git#pages").remote == "git://example.org/site.git"
    assert parse_target("git:pages.git#pages") == GitTarget(str(tmp_path / "pages.git"), "pages")
    for bad in ("git:site.git", "git:#pages", "git:site.git#", "git:site.git#bad..name"):
        with pytest.raises(DeployError, match=r"branch|remote"):
            parse_target(bad)


def test_each_release_is_one_commit_on_the_branch(releases, remote):
    target = parse_target(f"git:{remote}#pages")
    first = deploy(releases.a, target)
    assert sorted(first.uploads) == sorted(releases.files(releases.a))
    assert branch_files(remote) == releases.files(releases.a), "exact bytes, manifest left out"
    second = deploy(releases.b, target)
    assert branch_files(remote) == releases.files(releases.b)
    log = git(remote, "log", "--format=%H %P|%an <%ae>|%s", "pages").splitlines()
    assert len(log) == 2
    assert releases.b.name in log[0] and releases.a.name in log[1]
    [tip, parent] = log[0].split("|")[0].split()
    assert parent == log[1].split()[0], "each release's parent is the previous one"
    assert "|storysite <storysite@localhost>|" in log[0]
    files = branch_files(remote)
    assert ".nojekyll" in files and "_headers" in files and "manifest.json" not in files
    a, b = releases.files(releases.a), releases.files(releases.b)
    assert sorted(second.uploads) == sorted(p for p in b if a.get(p) != b[p])
    assert second.deletions == ["hello.txt"]
    assert second.unchanged == len(b) - len(second.uploads)
    # deploying what the branch already has adds no commit
    again = deploy(releases.b, target)
    assert again.uploads == [] and again.deletions == []
    assert git(remote, "rev-parse", "pages").strip() == tip


def test_dry_run_reports_the_difference_from_the_tip_and_pushes_nothing(releases, remote):
    target = parse_target(f"git:{remote}#pages")
    plan = deploy(releases.a, target, dry_run=True)
    assert plan.dry_run and len(plan.uploads) == len(releases.files(releases.a))
    assert git(remote, "for-each-ref").strip() == ""
    deploy(releases.a, target)
    tip = git(remote, "rev-parse", "pages")
    plan = deploy(releases.b, target, dry_run=True)
    assert "index.html" in plan.uploads and "bye.txt" in plan.uploads
    assert plan.deletions == ["hello.txt"]
    assert not any(p.startswith(("media/", "assets/")) for p in plan.uploads)
    assert git(remote, "rev-parse", "pages") == tip


def test_other_branches_are_untouched_and_history_can_be_forgotten(releases, remote, tmp_path):
    work = tmp_path / "work"
    subprocess.run(["git", "init", "--quiet", str(work)], check=True)
    (work / "README").write_text("source\n")
    env = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "-C", str(work), "add", "README"], check=True)
    subprocess.run(["git", "-C", str(work), *env, "commit", "-qm", "src"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "-q", str(remote), "HEAD:main"], check=True)
    main = git(remote, "rev-parse", "main")
    target = parse_target(f"git:{remote}#pages")
    deploy(releases.a, target)
    deploy(releases.b, target)
    # a takedown: the branch keeps only the current release, no earlier ones
    deploy(releases.b, target, forget_history=True)
    assert len(git(remote, "rev-list", "pages").split()) == 1
    assert branch_files(remote) == releases.files(releases.b)
    assert git(remote, "rev-parse", "main") == main


def test_unreachable_remote_is_a_clear_error(releases, tmp_path):
    with pytest.raises(DeployError, match="cannot reach the git remote"):
        deploy(releases.a, parse_target(f"git:{tmp_path / 'missing.git'}#pages"))


def test_the_documented_workflow_builds_and_deploys_on_merge():
    """The GitHub Actions workflow in docs/deploying.md is valid YAML that runs on a push
    to main, and its deploy target parses."""
    workflow = next(
        block
        for block in re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S)
        if "jobs:" in block and "github.repository" in block
    )
    data = yaml.safe_load(workflow)
    assert data[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    steps = data["jobs"]["deploy"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("storysite build" in r for r in runs)
    [command] = [r for r in runs if "storysite deploy" in r]
    text = re.search(r'"(git:[^"]+)"', command).group(1)
    target = parse_target(text.replace("${{ github.repository }}", "org/site"))
    assert target == GitTarget("https://github.com/org/site.git", "gh-pages")
