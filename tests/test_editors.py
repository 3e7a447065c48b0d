"""Editors' tooling: JSON Schemas, release listing and diffs, pre-commit hook definition."""

import json

import pytest
import yaml
from conftest import REPO, story
from helpers import build_site

from generator.cli import main


def test_schema_describes_every_kind_with_site_vocabularies(make_site, capsys):
    root = make_site()
    assert main(["schema", "--site", str(root)]) == 0
    story_schema = json.loads((root / "schemas/story.schema.json").read_text())
    props = story_schema["properties"]
    assert story_schema["additionalProperties"] is False
    assert set(story_schema["required"]) == {"title", "date", "summary", "country", "injustice"}
    assert "Uganda" in props["country"]["enum"] and "Bolivia" in props["country"]["enum"]
    assert props["injustice"]["items"]["enum"] == ["forced-labour", "land-theft", "sex-trafficking"]
    for kind in ("milestone", "page", "campaign", "gifts"):
        assert (root / f"schemas/{kind}.schema.json").is_file()


def test_releases_and_diff(make_site, capsys):
    root = make_site(dict([story("a")]))
    out = root / "output"
    build_site(root, out)
    (root / "content/stories/b.md").write_text(story("b")[1])
    (root / "content/stories/a.md").write_text(story("a", summary='"A new summary."')[1])
    build_site(root, out)
    capsys.readouterr()
    assert main(["releases", "--out", str(out)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3 and listing[2].startswith("* ")
    ids = [line.lstrip("* ").split()[0] for line in listing[1:]]
    assert main(["diff", "--out", str(out), ids[0], ids[1], "--text"]) == 0
    text = capsys.readouterr().out
    assert "added    stories/b/index.html" in text
    assert "changed  stories/index.html" in text
    assert "+A new summary." in text or "A new summary." in text


def test_rollback_to_the_previous_release(make_site, capsys):
    root = make_site(dict([story("a")]))
    out = root / "output"
    first = build_site(root, out).resolve().name
    (root / "content/stories/b.md").write_text(story("b")[1])
    build_site(root, out)
    assert main(["rollback", "--out", str(out)]) == 0
    assert (out / "current").resolve().name == first
    assert not (out / "current/stories/b").exists()


def test_pre_commit_hooks_run_storysite_check():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert ids["storysite-check"]["entry"] == "storysite check"
    assert ids["storysite-check"]["pass_filenames"] is False


@pytest.mark.slow
def test_pre_commit_hook_checks_a_site_repository(make_site, tmp_path):
    """The hook as a site repository would use it, through pre-commit itself."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    pre_commit = Path(sys.executable).parent / "pre-commit"
    root = make_site(dict([story("a")]))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(cmd, cwd=root, check=True)
    run = [str(pre_commit), "try-repo", str(REPO), "storysite-check", "--all-files"]
    ok = subprocess.run(run, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "Passed" in ok.stdout, ok.stdout[-2000:]
    (root / "content/stories/b.md").write_text(story("b", country="Atlantis")[1])
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    bad = subprocess.run(run, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "unknown country 'Atlantis'" in bad.stdout
