"""Deploy to a folder: an atomic link switch, proven behind a real nginx under load."""

from __future__ import annotations

import ast
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO
from deploy_servers import build_two_releases, nginx

from generator import release
from generator.deploy import DeployError, DirTarget, deploy, parse_target
from generator.deploy import folder as folder_target


@pytest.fixture
def releases(tmp_path):
    return build_two_releases(tmp_path / "src")


def served_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def fetch(port: int, path: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as reply:
            return reply.status, reply.read(), dict(reply.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def url_of(path: str) -> str:
    return path.removesuffix("index.html")


# --- parsing -------------------------------------------------------------------------


def test_parse_dir_target_is_absolute_and_keeps_the_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert parse_target("dir:www/site") == DirTarget(tmp_path / "www" / "site")
    assert str(parse_target("dir:/var/www/site")) == "dir:/var/www/site"
    for bad in ("dir:", "dir:/", "ftp://host/x", "/var/www", ""):
        with pytest.raises(DeployError, match="target"):
            parse_target(bad)


# --- behaviour without a server ------------------------------------------------------


def test_first_deploy_makes_a_link_to_a_complete_tree_without_the_manifest(releases, tmp_path):
    root = tmp_path / "www" / "site"
    root.parent.mkdir()
    umask = os.umask(0o077)  # a strict umask must not hide the site from the web server
    try:
        plan = deploy(releases.a, parse_target(f"dir:{root}"))
    finally:
        os.umask(umask)
    assert root.is_symlink()
    assert not os.path.isabs(os.readlink(root)), "a relative link survives moving the folder"
    assert served_files(root) == releases.files(releases.a)
    assert not (root / "manifest.json").exists()
    assert (root / ".nojekyll").exists() and (root / "_headers").exists()
    assert plan.release_id == releases.a.name and not plan.dry_run
    assert sorted(plan.uploads) == sorted(releases.files(releases.a))
    assert plan.deletions == [] and plan.unchanged == 0
    assert plan.bytes == sum(len(b) for b in releases.files(releases.a).values())
    assert folder_target.store_of(root).stat().st_mode & 0o777 == 0o755
    for path in root.rglob("*"):  # readable by a web server's worker user
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), path


def test_second_deploy_links_unchanged_files_and_reports_the_difference(releases, tmp_path):
    root = tmp_path / "site"
    deploy(releases.a, parse_target(f"dir:{root}"))
    old_tree = root.resolve()
    plan = deploy(releases.b, parse_target(f"dir:{root}"))
    assert served_files(root) == releases.files(releases.b)
    a, b = releases.files(releases.a), releases.files(releases.b)
    assert sorted(plan.uploads) == sorted(p for p in b if a.get(p) != b[p])
    assert plan.deletions == sorted(set(a) - set(b))
    assert plan.deletions == ["hello.txt"]
    assert plan.unchanged == len(b) - len(plan.uploads) > 0
    photo = next(p for p in b if p.startswith("media/"))
    assert photo not in plan.uploads
    assert (root / photo).stat().st_ino == (old_tree / photo).stat().st_ino, "hard link, no copy"
    # redeploying what is served changes nothing
    again = deploy(releases.b, parse_target(f"dir:{root}"))
    assert again.uploads == [] and again.deletions == []
    assert again.unchanged == len(b)


def test_dry_run_changes_nothing(releases, tmp_path):
    root = tmp_path / "site"
    plan = deploy(releases.a, parse_target(f"dir:{root}"), dry_run=True)
    assert plan.dry_run and len(plan.uploads) == len(releases.files(releases.a))
    assert not root.exists() and not root.is_symlink()
    assert not folder_target.store_of(root).exists()
    deploy(releases.a, parse_target(f"dir:{root}"))
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    plan = deploy(releases.b, parse_target(f"dir:{root}"), dry_run=True)
    assert plan.deletions == ["hello.txt"]
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert served_files(root) == releases.files(releases.a)


def test_an_existing_folder_is_moved_aside_never_deleted(releases, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("the old hand-made site")
    (root / "private.txt").write_text("user data")
    planned = deploy(releases.a, parse_target(f"dir:{root}"), dry_run=True)
    assert any("moved" in note for note in planned.notes)
    assert (root / "private.txt").exists() and not root.is_symlink()
    plan = deploy(releases.a, parse_target(f"dir:{root}"))
    assert root.is_symlink()
    [moved] = folder_target.store_of(root).glob("previous-site-*")
    assert (moved / "private.txt").read_text() == "user data"
    assert any(str(moved) in note for note in plan.notes)


def test_old_trees_are_pruned_but_never_the_served_one(releases, tmp_path):
    root = tmp_path / "site"
    store = folder_target.store_of(root)
    for rel in (releases.a, releases.b, releases.a, releases.b, releases.a):
        deploy(rel, parse_target(f"dir:{root}"))
        trees = [p for p in store.iterdir() if p.is_dir()]
        assert len(trees) <= folder_target.KEEP
        assert root.resolve() in [t.resolve() for t in trees]
    assert served_files(root) == releases.files(releases.a)
    assert not list(store.glob(".incoming-*"))
    # a takedown deploy keeps only the tree being served
    deploy(releases.b, parse_target(f"dir:{root}"), forget_history=True)
    assert [p.name for p in store.iterdir() if p.is_dir()] == [root.resolve().name]


def test_a_release_that_still_shows_a_withdrawn_story_is_refused(releases, tmp_path):
    release.record_takedowns(releases.out, ["chen"], [])  # as if chen had been withdrawn
    with pytest.raises(DeployError, match="withdrawn"):
        deploy(releases.a, parse_target(f"dir:{tmp_path / 'site'}"))
    assert not (tmp_path / "site").exists()


def test_a_damaged_release_is_refused_before_anything_is_served(releases, tmp_path):
    css = next(releases.a.glob("assets/*.css"))
    css.write_text(css.read_text().replace("{", "{ ", 1)[: len(css.read_text())])
    with pytest.raises(DeployError, match="changed after it was built"):
        deploy(releases.a, parse_target(f"dir:{tmp_path / 'site'}"))
    assert not (tmp_path / "site").exists()
    with pytest.raises(DeployError, match="no release"):
        deploy(tmp_path / "nowhere", parse_target(f"dir:{tmp_path / 'site'}"))


def test_a_file_in_the_way_is_an_error(releases, tmp_path):
    (tmp_path / "site").write_text("not a folder")
    with pytest.raises(DeployError, match="is a file"):
        deploy(releases.a, parse_target(f"dir:{tmp_path / 'site'}"))
    with pytest.raises(DeployError, match="does not exist"):
        deploy(releases.a, parse_target(f"dir:{tmp_path / 'no' / 'site'}"))


# --- behind nginx ----------------------------------------------------------------------


def wait_for_more(seen: list, count: int, timeout: float = 10) -> None:
    goal, deadline = len(seen) + count, time.monotonic() + timeout
    while len(seen) < goal and time.monotonic() < deadline:
        time.sleep(0.005)


def test_nginx_serves_the_old_or_the_new_release_never_a_mix(releases, tmp_path):
    root = tmp_path / "www" / "site"
    root.parent.mkdir()
    a, b = releases.files(releases.a), releases.files(releases.b)
    deploy(releases.a, parse_target(f"dir:{root}"))
    common = sorted(p for p in set(a) & set(b) if p.endswith((".html", ".css", ".jpg", ".xml")))
    assert "index.html" in common and "stories/asha/index.html" in common

    with nginx(root, tmp_path / "nginx") as port:
        # before: release A, with the documented headers
        for path in common:
            status, body, _ = fetch(port, url_of(path))
            assert (status, body) == (200, a[path]), path
        _, _, headers = fetch(port, next(p for p in a if p.startswith("assets/")))
        assert "immutable" in headers["Cache-Control"]
        status, body, headers = fetch(port, "index.html")
        assert headers["Cache-Control"] == "public, max-age=300, must-revalidate"
        status, body, _ = fetch(port, "no/such/page/")
        assert status == 404 and body == a["404.html"]
        assert fetch(port, "manifest.json")[0] == 404
        assert fetch(port, "_headers")[0] == 404

        # during: readers in a loop while releases switch back and forth
        seen: list[tuple[str, int, bytes]] = []
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                for path in common:
                    status, body, _ = fetch(port, url_of(path))
                    seen.append((path, status, body))

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            for rel in (releases.b, releases.a, releases.b, releases.a, releases.b):
                wait_for_more(seen, 3 * len(common))  # each release is read before the next
                deploy(rel, parse_target(f"dir:{root}"))
            wait_for_more(seen, 3 * len(common))
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        bad = [(p, s) for p, s, body in seen if s != 200 or body not in (a[p], b[p])]
        assert not bad, f"{len(bad)} of {len(seen)} responses were neither release: {bad[:5]}"
        changed = [p for p in common if a[p] != b[p]]
        versions = {body == b[p] for p, _, body in seen if p in changed}
        assert versions == {True, False}, "the readers saw both releases"
        assert len(seen) > 20 * len(common)

        # after: release B, and hello.txt (only in A) is gone
        for path in common:
            assert fetch(port, url_of(path))[:2] == (200, b[path]), path
        assert fetch(port, "hello.txt")[0] == 404
        assert fetch(port, "bye.txt")[:2] == (200, b"bye\n")
        assert fetch(port, "stories/dina/")[0] == 200


def test_the_deploy_package_neither_prints_nor_exits():
    """The CLI owns the terminal and the exit code; deploy returns plans and raises."""
    for module in (REPO / "generator" / "deploy").glob("*.py"):
        tree = ast.parse(module.read_text())
        assert ast.get_docstring(tree), f"{module.name} needs a docstring (stage, input, output)"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name not in ("print", "sys.exit", "exit", "os._exit"), (module.name, name)
        assert len(module.read_text().splitlines()) < 400, module.name
