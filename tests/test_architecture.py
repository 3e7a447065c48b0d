"""The shape of the code: stage order enforced, pure stages really pure, theme in the wheel."""

from __future__ import annotations

import builtins
import datetime as dt
import io
import itertools
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from generator import config, gate, images, load, model, render, site, theme, urls, write
from generator.errors import Problems


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_stages_before_write_neither_write_files_nor_open_sockets(monkeypatch):
    """Rules 2 and 3 of the architecture: run config → site with writes and sockets poisoned."""
    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"a pure stage tried to write {file}")
        return real_open(file, mode, *args, **kwargs)

    def no_socket(*args, **kwargs):
        raise AssertionError("a pure stage opened a socket")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(Path, "write_text", lambda *a, **k: guarded_open(a[0], "w"))
    monkeypatch.setattr(Path, "write_bytes", lambda *a, **k: guarded_open(a[0], "wb"))
    monkeypatch.setattr(socket, "socket", no_socket)
    problems = Problems()
    cfg = config.load_config(REPO, problems)
    source = load.read_site(REPO, problems)
    published = gate.select(
        model.validate(source, cfg, problems), dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    )
    routes = urls.route(published, cfg, problems)
    planner = images.ImagePlanner(REPO)
    docs = itertools.chain(
        published.stories, published.milestones, published.pages, published.campaigns
    )
    rendered = render.render_all(docs, load.bodies(source), routes, planner, problems)
    site.assemble(published, rendered, routes, cfg, planner, problems)
    write.check_templates(theme.environment(REPO, cfg), REPO, problems)
    assert not problems.errors


def test_modules_stay_small():
    big = [p for p in (REPO / "generator").rglob("*.py") if len(p.read_text().splitlines()) > 400]
    assert not big, f"split these into a package: {big}"


@pytest.mark.slow
def test_wheel_carries_the_theme(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [wheel] = tmp_path.glob("storysite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("base.html", "story.html", "home.html", "assets/style.css"):
        assert f"generator/templates/{template}" in names, template
