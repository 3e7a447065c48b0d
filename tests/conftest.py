"""Shared fixtures: tiny sites written from dicts, the example site built once."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import build
from generator.config import BuildOptions

REPO = Path(__file__).resolve().parent.parent
CORPUS_SCRIPT = REPO.parent / "shared" / "bench" / "make_corpus.py"

SITE_YAML = """\
title: Test Site
base_url: https://example.org/
language: en
organisation:
  name: Test Org
  url: https://example.org/
donate_url: https://example.org/donate
vocabularies:
  injustice: [forced-labour, land-theft, sex-trafficking]
  milestone_kind: [founding, rescue, conviction]
video_hosts: [www.youtube-nocookie.com]
"""


def story(name: str = "asha", **fields: str) -> tuple[str, str]:
    """A valid story file (path, text); keyword arguments replace or add front matter lines."""
    base = {
        "title": f'"{name.title()} goes home"',
        "date": "2024-03-05",
        "summary": '"A short summary."',
        "country": "Uganda",
        "injustice": "[land-theft]",
        "consent": "\n  obtained: 2024-01-01\n  scope: [web, social]",
    }
    base.update(fields)
    front = "\n".join(f"{k}: {v}" for k, v in base.items() if v is not None)
    return f"content/stories/{name}.md", f"---\n{front}\n---\n\nThe story of {name}.\n"


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site from {path: text}; site.yaml defaults to a valid one."""

    def make(
        files: dict[str, str | bytes] | None = None,
        site_yaml: str | None = SITE_YAML,
        name: str = "site",
    ) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        if site_yaml is not None:
            (root / "site.yaml").write_text(site_yaml)
        (root / "content" / "stories").mkdir(parents=True, exist_ok=True)
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
        return root

    return make


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's own site, built once (as of a fixed date) into a temp folder."""
    import datetime as dt

    out = tmp_path_factory.mktemp("example-out")
    build.run(BuildOptions(site_dir=REPO, out_dir=out, as_of=dt.date(2026, 11, 23)))
    return out / "current"


@pytest.fixture(scope="session")
def corpus_1k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared benchmark corpus at 1,000 stories, 50 of them with GPS-tagged photos."""
    import subprocess
    import sys

    if not CORPUS_SCRIPT.exists():
        pytest.fail(f"benchmark corpus script missing: {CORPUS_SCRIPT}")
    root = tmp_path_factory.mktemp("corpus") / "c1k"
    subprocess.run(
        [sys.executable, str(CORPUS_SCRIPT), str(root), "--stories", "1000", "--images", "50"],
        check=True,
    )
    return root


def copy_site(src: Path, dest: Path) -> Path:
    shutil.copytree(
        src,
        dest,
        ignore=shutil.ignore_patterns(
            "output", ".venv", "node_modules", ".git", "generator", "tests"
        ),
    )
    return dest
