"""The preview server, for real: a subprocess serving on 127.0.0.1, a real browser that
reloads when a story is saved and shows the error overlay when it is broken."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import launch
from conftest import story


@pytest.fixture
def preview(make_site, tmp_path):
    root = make_site(dict([story("a"), story("b", status="draft")]))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--site",
            str(root),
            "--out",
            str(out),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines: list[str] = []
    url = None
    deadline = time.time() + 30
    while time.time() < deadline and url is None:
        line = proc.stdout.readline()
        lines.append(line)
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        url = found.group(1) if found else None
    assert url, "".join(lines)
    yield root, out, url, proc, lines
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    assert proc.poll() is not None


def test_preview_builds_drafts_privately(preview):
    root, out, url, _, _ = preview
    page = urllib.request.urlopen(url + "stories/b/").read().decode()
    assert "B goes home" in page and "storysite-live" in page
    assert (out / ".preview").is_dir() and not (out / "releases").exists()
    assert not (out / "current").exists()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url + "no/such/page/")
    assert missing.value.code == 404


def test_live_reload_and_error_overlay(preview):
    from playwright.sync_api import sync_playwright

    root, _, url, proc, lines = preview
    story_file = root / "content/stories/a.md"
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(url + "stories/a/")
        assert "The story of a." in page.content()
        page.wait_for_timeout(300)  # the event stream is connected

        story_file.write_text(story_file.read_text().replace("The story of a.", "Edited live."))
        page.wait_for_function("document.body.innerText.includes('Edited live.')", timeout=15000)

        story_file.write_text(story_file.read_text().replace("country: Uganda", "country: Ugnada"))
        overlay = page.wait_for_selector("#storysite-overlay", timeout=15000)
        text = overlay.inner_text()
        assert "content/stories/a.md:5: country: unknown country 'Ugnada'" in text
        assert "Edited live." in page.inner_text("main")  # the last good preview stays

        story_file.write_text(story_file.read_text().replace("country: Ugnada", "country: Kenya"))
        page.wait_for_function("document.body.innerText.includes('Kenya')", timeout=15000)
        assert page.query_selector("#storysite-overlay") is None
        Path("tests/artifacts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path="tests/artifacts/preview-after-fix.png")
        browser.close()
    proc.send_signal(signal.SIGINT)
    log = proc.communicate(timeout=10)[0]
    assert re.search(
        r"rebuilt \(changed content/stories/a\.md\): \d+ of \d+ pages written "
        r"in \d+\.\d+s",
        log,
    ), log
    assert "rebuild failed (changed content/stories/a.md)" in log
    # the body edit was shown by the quick path first (its page, the listings and feed
    # that show it), the front matter ones were not
    quick = re.findall(r"quick: /stories/a/index\.html and \d+ more shown in \d+ ms", log)
    assert len(quick) == 1, log
