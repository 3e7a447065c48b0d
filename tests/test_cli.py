import os
import subprocess
import sys

from conftest import story

from generator.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_build_prints_what_it_did(make_site, capsys):
    root = make_site(dict([story()]))
    code, out, err = _run(capsys, "build", "--site", str(root), "--as-of", "2026-11-23")
    assert code == 0 and err == ""
    assert out.startswith("built ") and " pages (" in out and "release " in out
    assert (root / "output" / "current" / "index.html").is_file()


def test_failed_build_reports_all_problems_exits_1_and_keeps_current(make_site, capsys):
    root = make_site(dict([story("a"), story("b")]))
    assert _run(capsys, "build", "--site", str(root))[0] == 0
    before = (root / "output/current").resolve()
    snapshot = {p.relative_to(before): p.read_bytes() for p in before.rglob("*") if p.is_file()}
    (root / "content/stories/a.md").write_text(story("a", country="Atlantis")[1])
    (root / "content/stories/b.md").write_text(story("b", date="soon")[1])
    code, out, err = _run(capsys, "build", "--site", str(root))
    assert code == 1
    assert "content/stories/a.md:5: country: unknown country 'Atlantis'" in err
    assert "content/stories/b.md:3: date:" in err
    assert "build failed: 2 error(s)" in err and "Traceback" not in err
    assert (root / "output/current").resolve() == before
    assert {
        p.relative_to(before): p.read_bytes() for p in before.rglob("*") if p.is_file()
    } == snapshot


def test_usage_errors_exit_2(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--no-such-flag"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--as-of", "yesterday"])
    assert exit_info.value.code == 2


def test_check_writes_nothing_and_explains_withheld(make_site, capsys):
    root = make_site(dict([story("a"), story("b", status="withdrawn")]))
    code, out, err = _run(capsys, "check", "--site", str(root))
    assert code == 0 and not (root / "output").exists()
    assert "content/stories/b.md:10: not published: status is withdrawn" in out


def test_github_annotations(make_site, capsys):
    root = make_site(dict([story("a", country="Atlantis")]))
    code, _, err = _run(capsys, "check", "--site", str(root), "--format", "github")
    assert code == 1
    assert err.startswith("::error file=content/stories/a.md,line=5::country: unknown country")


def test_new_story_and_milestone_are_valid(make_site, capsys):
    root = make_site()
    assert _run(capsys, "new", "story", "Maya's new home", "--site", str(root))[0] == 0
    assert _run(capsys, "new", "milestone", "First court win", "--site", str(root))[0] == 0
    assert (root / "content/stories/mayas-new-home.md").is_file()
    code, out, _ = _run(capsys, "check", "--site", str(root), "--drafts")
    assert code == 0, out
    assert _run(capsys, "new", "story", "Maya's new home", "--site", str(root))[0] == 1


def test_missing_site_yaml_is_a_clear_error(tmp_path, capsys):
    code, _, err = _run(capsys, "build", "--site", str(tmp_path))
    assert code == 1 and "site.yaml: site settings file not found" in err


def test_module_entry_point_and_no_traceback(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: [unclosed\n---\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(root)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "content/stories/a.md:" in proc.stderr and "Traceback" not in proc.stderr


def test_command_exit_keeps_what_it_printed(make_site):
    # The command leaves by os._exit, which drops buffered output unless flushed first:
    # stdout to a pipe is block-buffered, so the report would be lost without the flush
    root = make_site(dict([story("a")]))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--site", str(root)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "built " in proc.stdout + proc.stderr and (root / "output/current").is_dir()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "releases", "--site", str(root)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr


def test_help_for_every_command(capsys):
    import pytest

    for command in ("build", "check", "new"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: storysite " + command in capsys.readouterr().out


def test_warnings_alone_exit_0(make_site, capsys):
    root = make_site(dict([story("a"), story("b", consent=None)]))
    code, _, err = _run(capsys, "check", "--site", str(root))
    assert code == 0 and "warning: consent: not published" in err


def test_deploy_command_dry_run_and_bad_target(make_site, tmp_path, capsys):
    root = make_site(dict([story("a")]))
    code, _, err = _run(capsys, "deploy", "--site", str(root), f"dir:{tmp_path}/www")
    assert code == 1 and "run `storysite build` first" in err
    _run(capsys, "build", "--site", str(root))
    code, out, _ = _run(capsys, "deploy", "--site", str(root), "--dry-run", f"dir:{tmp_path}/www")
    assert code == 0 and "would upload" in out and not (tmp_path / "www").exists()
    code, out, _ = _run(capsys, "deploy", "--site", str(root), f"dir:{tmp_path}/www")
    assert code == 0 and (tmp_path / "www/index.html").is_file()
    code, _, err = _run(capsys, "deploy", "--site", str(root), "ftp://nowhere")
    assert code == 1 and "storysite:" in err and "Traceback" not in err
