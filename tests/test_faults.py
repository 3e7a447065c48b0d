"""Faults: builds killed at random moments, a full disk, two builds at once, a read-only
output folder, and reproducible output whatever the file order or the day.

The promise under test: ``output/current`` always points at a complete release (every
file its manifest lists, with the right size and hash), whatever happens to a build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import build as build_stage
from generator import cli
from generator.config import BuildOptions

CORPUS_SCRIPT = Path(__file__).resolve().parents[1].parent / "shared/bench/make_corpus.py"
AS_OF = "2026-01-01"
SEED = int(os.environ.get("STORYSITE_FAULT_SEED", "20261123"))

SITE_YAML = """\
title: Fault Test
base_url: https://example.org/
organisation:
  name: Test Org
donate_url: https://example.org/donate
vocabularies:
  injustice: [forced-labour, land-theft]
"""


def small_site(root: Path, stories: int = 3) -> Path:
    (root / "content/stories").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    for i in range(stories):
        (root / f"content/stories/story-{i}.md").write_text(
            f"---\ntitle: Story {i}\ndate: 2024-03-0{i % 9 + 1}\nsummary: Summary {i}.\n"
            "country: Uganda\ninjustice: [land-theft]\n"
            "consent:\n  obtained: 2024-01-01\n  scope: [web]\n---\n\n"
            + f"The story of number {i}.\n"
            * 20
        )
    return root


def run_build(
    site: Path, out: Path, as_of: str | None = AS_OF, **kwargs
) -> subprocess.Popen | subprocess.CompletedProcess:
    args = [sys.executable, "-m", "generator", "build", "--site", str(site), "--out", str(out)]
    args += ["-q", *(["--as-of", as_of] if as_of else [])]
    if kwargs.pop("background", False):
        return subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
        )
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False, **kwargs)


def built(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr


def complete_release(out: Path) -> tuple[str, dict]:
    """The release ``current`` points at, after checking every file of its manifest."""
    current = out / "current"
    assert current.is_symlink(), "output/current is not a link"
    folder = current.resolve()
    assert folder.parent == (out / "releases").resolve() and folder.is_dir(), folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["id"] == folder.name or folder.name.startswith(manifest["id"])
    listed = {}
    for entry in manifest["files"]:
        path = folder / entry["path"]
        assert path.is_file(), f"{folder.name}: {entry['path']} is missing"
        data = path.read_bytes()
        assert len(data) == entry["size"], f"{folder.name}: {entry['path']} has the wrong size"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        listed[entry["path"]] = entry["sha256"]
    on_disk = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert on_disk == set(listed), f"{folder.name}: files not in the manifest"
    return folder.name, manifest


def tree(folder: Path) -> dict[str, bytes]:
    folder = folder.resolve()
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def snapshot(out: Path) -> tuple[str, dict[str, bytes]]:
    return os.readlink(out / "current"), tree(out / "current")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared benchmark corpus at 300 stories with 5 photos."""
    if not CORPUS_SCRIPT.exists():
        pytest.fail(f"benchmark corpus script missing: {CORPUS_SCRIPT}")
    root = tmp_path_factory.mktemp("faults") / "c300"
    subprocess.run(
        [sys.executable, str(CORPUS_SCRIPT), str(root), "--stories", "300", "--images", "5"],
        check=True,
        capture_output=True,
    )
    return root


# --- killed builds --------------------------------------------------------------------


def _edit(site: Path, run: int, rng: random.Random) -> None:
    """Change what every page shows (the site title) and one story's text."""
    config = site / "site.yaml"
    lines = config.read_text().splitlines()
    lines[0] = f"title: Stories of Hope, run {run}"
    config.write_text("\n".join(lines) + "\n")
    story = rng.choice(sorted((site / "content/stories").glob("*.md")))
    with story.open("a") as fh:
        fh.write(f"\nAdded in run {run}.\n")


@pytest.mark.slow
def test_killed_builds_never_leave_current_incomplete(corpus, tmp_path):
    rng = random.Random(SEED)
    site = shutil.copytree(corpus, tmp_path / "site")
    out = tmp_path / "out"
    built(run_build(site, out))
    good, _ = complete_release(out)

    # The typical time of a build that rewrites every page (warm cache, as in CI)
    _edit(site, 0, rng)
    started = time.perf_counter()
    built(run_build(site, out))
    typical = time.perf_counter() - started
    good, _ = complete_release(out)

    seen = {good}
    killed = finished = 0
    deadline = time.monotonic() + 45
    for run in range(1, 31):
        if time.monotonic() > deadline:
            break
        _edit(site, run, rng)
        proc = run_build(site, out, background=True, start_new_session=True)
        time.sleep(rng.uniform(0, typical))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers, like an OOM kill
        proc.communicate()
        if proc.returncode == -signal.SIGKILL:
            killed += 1
        else:
            assert proc.returncode == 0, proc.stderr
            finished += 1
        now, _ = complete_release(out)
        # either the kill came before the switch (the old release) or after it (a new one)
        assert now == good or now not in seen, f"run {run}: current went back to {now}"
        good = now
        seen.add(now)
    print(f"seed {SEED}: {killed} builds killed, {finished} finished; typical {typical:.2f}s")
    assert killed >= 10, f"only {killed} builds were killed mid-way ({finished} finished)"

    _edit(site, 99, rng)
    proc = run_build(site, out)
    assert proc.returncode == 0, proc.stderr
    assert complete_release(out)[0] not in seen


def test_a_build_clears_what_killed_builds_left(tmp_path):
    site = small_site(tmp_path / "site")
    out = tmp_path / "out"
    built(run_build(site, out))
    stale = out / ".staging-0123456789ab"
    (stale / "stories").mkdir(parents=True)
    (stale / "stories/index.html").write_text("half a page")
    os.symlink("releases/gone", out / ".current-01234567")
    (site / "site.yaml").write_text(SITE_YAML.replace("Fault Test", "Fault Test 2"))
    built(run_build(site, out))
    assert not list(out.glob(".staging-*")) and not list(out.glob(".current-*"))
    deadline = time.monotonic() + 20  # moved aside at once, deleted in the background
    while list(out.glob(".trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(out.glob(".trash-*"))


# --- a full disk ----------------------------------------------------------------------


@contextlib.contextmanager
def tiny_tmpfs(path: Path, size: str) -> Iterator[bool]:
    """Mount a small tmpfs at ``path`` (True), or leave it a plain folder (False)."""
    path.mkdir(parents=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        yield False
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    try:
        yield mounted.returncode == 0
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system holding ``folder`` until only about ``leave`` bytes are free."""
    filler = folder / "filler"
    # unbuffered: else closing it flushes what the last write left, and fails again
    with filler.open("wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def _full_disk_build(site: Path, out: Path, monkeypatch, capsys) -> tuple[int, str]:
    """A build that meets ENOSPC while writing the release: a real full tmpfs when this
    machine can mount one, else writes into the staging folder patched to fail."""
    with tiny_tmpfs(out, "4m") as real:
        built(run_build(site, out))
        before = snapshot(out)
        (site / "site.yaml").write_text(SITE_YAML.replace("Fault Test", "A new title"))
        if real:
            _fill(out, leave=16 * 1024)
            proc = run_build(site, out)
            code, err = proc.returncode, proc.stdout + proc.stderr
            (out / "filler").unlink()
        else:
            from generator.write import files

            real_write = files.Writer.write

            def full(self, path, data, inputs=""):
                if ".staging-" in str(self.root):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                return real_write(self, path, data, inputs)

            monkeypatch.setattr(files.Writer, "write", full)
            code = cli.main(["build", "--site", str(site), "--out", str(out), "--as-of", AS_OF])
            err = capsys.readouterr().err
        assert snapshot(out) == before, "a failed build changed output/current"
        assert not list(out.glob(".staging-*")), "the staging folder was left behind"
        complete_release(out)
    return code, err


def test_full_disk_fails_cleanly_and_keeps_current(tmp_path, monkeypatch, capsys):
    code, err = _full_disk_build(
        small_site(tmp_path / "site"), tmp_path / "out", monkeypatch, capsys
    )
    assert code == 1 and "Traceback" not in err
    assert "no space left on device" in err.lower() or "disk is full" in err.lower()


def test_full_disk_message_is_not_an_internal_error(tmp_path, monkeypatch, capsys):
    code, err = _full_disk_build(
        small_site(tmp_path / "site"), tmp_path / "out", monkeypatch, capsys
    )
    assert code == 1 and "internal error" not in err and "disk is full" in err


# --- two builds at once ---------------------------------------------------------------


def test_a_held_lock_stops_a_second_build_with_a_clear_message(tmp_path):
    site = small_site(tmp_path / "site")
    out = tmp_path / "out"
    built(run_build(site, out))
    before = snapshot(out)
    (site / "site.yaml").write_text(SITE_YAML.replace("Fault Test", "Other title"))
    with (out / ".lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_build(site, out)
    assert proc.returncode == 1
    assert f"another build is writing to {out}" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(out) == before and not list(out.glob(".staging-*"))


@pytest.mark.slow
def test_concurrent_builds_never_corrupt_each_other(corpus, tmp_path):
    a = shutil.copytree(corpus, tmp_path / "a")
    b = shutil.copytree(corpus, tmp_path / "b")
    out = tmp_path / "out"
    built(run_build(a, out))
    outcomes = set()
    for run in range(3):
        for site, name in ((a, "A"), (b, "B")):
            config = site / "site.yaml"
            text = config.read_text().splitlines()
            text[0] = f"title: Site {name} run {run}"
            config.write_text("\n".join(text) + "\n")
        procs = [run_build(site, out, background=True) for site in (a, b)]
        codes = []
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert "Traceback" not in err and "internal error" not in err, err
            if proc.returncode == 1:
                assert "another build is writing to" in err, err
            else:
                assert proc.returncode == 0, err
            codes.append(proc.returncode)
            outcomes.add(proc.returncode)
        assert 0 in codes, "neither build finished"
        _, manifest = complete_release(out)
        title = (out / "current/index.html").read_text()
        assert f"Site A run {run}" in title or f"Site B run {run}" in title
        assert manifest["files"]


# --- a read-only output folder --------------------------------------------------------


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str | None]:
    """Make ``folder`` unwritable, even for root; None when this machine cannot."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "chmod 0555"
        finally:
            folder.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode == 0:
        ro = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, check=False
        )
        try:
            yield "read-only bind mount" if ro.returncode == 0 else None
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
        return
    if shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if immutable.returncode == 0:
            try:
                yield "chattr +i"
            finally:
                subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
            return
    yield None


def test_read_only_output_folder_is_a_clear_error(tmp_path):
    site = small_site(tmp_path / "site")
    out = tmp_path / "out"
    built(run_build(site, out))
    before = snapshot(out)
    (site / "site.yaml").write_text(SITE_YAML.replace("Fault Test", "Read-only"))
    with read_only(out) as how:
        if how is None:
            pytest.skip("running as root without mount or chattr: cannot make a folder read-only")
        proc = run_build(site, out)
    assert proc.returncode == 1, f"{how}: {proc.stderr}"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert f"output folder {out}" in proc.stderr, proc.stderr
    assert snapshot(out) == before


# --- reproducible builds --------------------------------------------------------------


class _ThreeDaysLater(dt.datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return dt.datetime.now(tz) + dt.timedelta(days=3)


@pytest.mark.slow
def test_same_input_gives_the_same_bytes_whatever_the_file_order_or_day(
    corpus, tmp_path, monkeypatch
):
    """Files created in reverse order, with other mtimes, built three days later (same
    SOURCE_DATE_EPOCH) into another folder: the same release, manifest and id included."""
    copy = tmp_path / "reversed"
    for path in sorted((p for p in corpus.rglob("*") if p.is_file()), reverse=True):
        target = copy / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.utime(target, (1_800_000_000, 1_800_000_000))
    epoch = "1790000000"
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    first = run_build(corpus, tmp_path / "out1", as_of=None, env=env)
    assert first.returncode == 0, first.stderr
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    later = types.SimpleNamespace(**{k: getattr(dt, k) for k in dir(dt) if not k.startswith("_")})
    later.datetime = _ThreeDaysLater
    monkeypatch.setattr(build_stage, "dt", later)  # the build's clock only, not datetime's
    build_stage.run(BuildOptions(site_dir=copy, out_dir=tmp_path / "out2"))

    one, two = tmp_path / "out1/current", tmp_path / "out2/current"
    a, b = tree(one), tree(two)
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []
    assert os.readlink(one) == os.readlink(two)
