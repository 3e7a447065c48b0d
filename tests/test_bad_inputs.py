"""Broken sites (tests/bad/<case>/): refused with exact, located messages, and harmless.

Each case is built in a subprocess, so "no traceback" and "no crash" are real: libyaml
once took the whole process down with a segfault on deeply nested input. The output
folder already holds a good release, which must come through byte-for-byte. See
tests/bad/README.md for the layout of a case.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import Problem

BAD = Path(__file__).resolve().parent / "bad"
AS_OF = "2026-01-01"
CASE_FILES = ("expected.txt", "expected.re", "xfail.txt", "BUILDS")

SITE_YAML = """\
title: Bad Input Test
base_url: https://example.org/
organisation:
  name: Test Org
donate_url: https://example.org/donate
vocabularies:
  injustice: [forced-labour, land-theft]
"""
GOOD_STORY = """\
---
title: Asha goes home
date: 2024-03-05
summary: A short summary.
country: Uganda
injustice: [land-theft]
consent:
  obtained: 2024-01-01
  scope: [web]
---

The story of Asha.
"""


def _secret(tmp: Path) -> Path:
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("a file outside the site that must never be published\n")
    return secret


def _symlink_story(site: Path, tmp: Path) -> None:
    (site / "content/stories/bad.md").symlink_to(_secret(tmp))


def _symlink_template(site: Path, tmp: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/404.html").symlink_to(_secret(tmp))


def _symlink_static(site: Path, tmp: Path) -> None:
    _secret(tmp)
    (site / "static").symlink_to(tmp / "outside")  # would publish the build machine's files


def _symlink_content(site: Path, tmp: Path) -> None:
    outside = tmp / "outside-content"
    shutil.move(site / "content", outside)
    (site / "content").symlink_to(outside)


def _decompression_bomb(site: Path, tmp: Path) -> None:
    from PIL import Image

    # 81 megapixels in about 80 KB: over MAX_IMAGE_PIXELS, under Pillow's hard limit
    Image.new("L", (9000, 9000)).save(site / "content/stories/bad/photo.png", optimize=True)


def _huge_file(site: Path, tmp: Path) -> None:
    (site / "content/stories/bad.md").write_text(GOOD_STORY + "x" * (3 * 1024 * 1024))


def _very_deep_yaml(site: Path, tmp: Path) -> None:
    # deep enough to overflow the C stack in libyaml's recursive composer (~30,000 levels)
    (site / "content/stories/deeper.md").write_text("---\ntitle: " + "[" * 200_000 + "\n---\n")


SETUP: dict[str, Callable[[Path, Path], None]] = {
    "symlink-story-outside": _symlink_story,
    "template-symlink-outside": _symlink_template,
    "static-folder-symlink": _symlink_static,
    "content-folder-symlink": _symlink_content,
    "huge-file": _huge_file,
    "image-decompression-bomb": _decompression_bomb,
    "yaml-deep-nesting": _very_deep_yaml,
}


def _cases() -> list:
    params = []
    for case in sorted(p for p in BAD.iterdir() if p.is_dir()):
        xfail = case / "xfail.txt"
        marks = (
            [pytest.mark.xfail(strict=True, reason=xfail.read_text().strip())]
            if xfail.exists()
            else []
        )
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def build(
    site: Path, out: Path, *extra: str, command: str = "build"
) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "generator", command, "--site", str(site)]
    if command == "build":
        args += ["--out", str(out)]
    return subprocess.run(
        [*args, "--as-of", AS_OF, *extra],
        capture_output=True,
        text=True,
        cwd=out.parent,
        timeout=120,
        check=False,
    )


def snapshot(out: Path) -> dict:
    """Everything a failed build must leave alone: the link, the releases, every byte."""
    current = out / "current"
    files = {}
    if current.exists():
        root = current.resolve()
        for path in sorted(root.rglob("*")):
            if path.is_file():
                files[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return {
        "current": os.readlink(current) if current.is_symlink() else None,
        "releases": sorted(p.name for p in (out / "releases").iterdir()),
        "files": files,
        "staging": sorted(p.name for p in out.glob(".staging-*")),
    }


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding one good release, built once and copied for each case."""
    root = tmp_path_factory.mktemp("bad-inputs")
    site = root / "site"
    (site / "content/stories").mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML)
    (site / "content/stories/asha.md").write_text(GOOD_STORY)
    out = root / "out"
    proc = build(site, out)
    assert proc.returncode == 0, proc.stderr
    return out


def prepare(case: Path, tmp_path: Path, good_output: Path) -> tuple[Path, Path]:
    site = tmp_path / "site"
    shutil.copytree(case, site, symlinks=True, ignore=shutil.ignore_patterns(*CASE_FILES))
    SETUP.get(case.name, lambda site, tmp: None)(site, tmp_path)
    out = tmp_path / "out"
    shutil.copytree(good_output, out, symlinks=True)
    return site, out


@pytest.mark.parametrize("case", _cases())
def test_broken_site_is_refused_with_located_messages(case, tmp_path, good_output):
    site, out = prepare(case, tmp_path, good_output)
    before = snapshot(out)
    proc = build(site, out)
    said = proc.stdout + proc.stderr
    assert "Traceback" not in said and "internal error" not in said, said
    assert not (tmp_path / "pwned").exists()  # yaml-python-tag tries to create it

    if (case / "BUILDS").exists():
        assert proc.returncode == 0, said
        after = snapshot(out)
        assert after["current"] != before["current"] and not after["staging"]
        return

    assert proc.returncode == 1, said
    lines = proc.stderr.splitlines()
    expected = case / "expected.txt"
    pattern_file = case / "expected.re"
    assert expected.exists() or pattern_file.exists(), f"{case.name} has no expected.txt/.re"
    if expected.exists():
        for line in expected.read_text().splitlines():
            assert line in lines, f"missing line: {line}\nstderr:\n{proc.stderr}"
    if pattern_file.exists():
        for pattern in pattern_file.read_text().splitlines():
            assert any(re.fullmatch(pattern, line) for line in lines), (
                f"no line matches: {pattern}\nstderr:\n{proc.stderr}"
            )
    assert "nothing was written" in proc.stderr
    assert snapshot(out) == before


def test_bom_and_crlf_story_reads_like_any_other(tmp_path, good_output):
    site, out = prepare(BAD / "ok-bom-crlf", tmp_path, good_output)
    assert build(site, out).returncode == 0
    page = (out / "current/stories/bad/index.html").read_text()
    assert "<h1>Windows story</h1>" in page and "\ufeff" not in page and "\r" not in page


def test_check_finds_errors_that_only_rendering_shows(tmp_path, good_output):
    site, out = prepare(BAD / "template-undefined-variable", tmp_path, good_output)
    proc = build(site, out, command="check")
    assert proc.returncode == 1
    assert "'no_such_variable' is undefined" in proc.stderr


def test_a_file_name_cannot_forge_a_github_annotation():
    line = Problem("content/stories/a,b.md\n::warning::forged", 3, None, "oops").format_github()
    assert "\n" not in line and "file=content/stories/a%2Cb.md%0A%3A%3Awarning" in line


def test_a_value_cannot_drive_the_terminal():
    # YAML's "\e" escape gives ESC; the unknown-country message quotes the value back
    text = Problem("content/stories/a.md", 5, "country", "unknown country '\x1b[2J'").format()
    assert "\x1b" not in text
