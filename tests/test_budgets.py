"""Weight and speed budgets for readers on slow, expensive connections.

Sizes are what travels over the wire: each file gzip-compressed at level 6, summed over the
HTML page and the CSS, JavaScript and icons it references (photos are not counted). Raise
a budget only on purpose, and record why in docs/benchmarks.md.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS
from conftest import REPO
from servers import static_server

KB = 1000
STORY_WITHOUT_PHOTO = 30 * KB  # issue #6: a story, text only, in one round trip's worth
PAGE = 30 * KB  # any page, HTML + CSS + JS
STYLESHEET = 8 * KB
SCRIPT = 5 * KB  # per script; only the search page has one
HTML = 12 * KB  # one page's own HTML
LIGHTHOUSE_MIN = 0.95
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
ARTIFACTS = Path(__file__).parent / "artifacts"
FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}


class Refs(HTMLParser):
    """Every resource a page makes the browser fetch, by kind."""

    def __init__(self) -> None:
        super().__init__()
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.other: list[str] = []  # icons, preloads
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and FETCHED_RELS & set((a.get("rel") or "").split()):
            rels = (a.get("rel") or "").split()
            (self.styles if "stylesheet" in rels else self.other).append(a.get("href") or "")
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag in {"img", "source", "video", "audio"}:
            if a.get("src"):
                self.images.append(a["src"])
            for part in (a.get("srcset") or "").split(","):
                if part.strip():
                    self.images.append(part.split()[0])


def refs(page: Path) -> Refs:
    parser = Refs()
    parser.feed(page.read_text())
    return parser


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def weight(site: Path, page: Path) -> dict[str, int]:
    """Gzipped bytes of the page and of every CSS, JS and icon file it references."""
    found = refs(page)
    sizes = {page.relative_to(site).as_posix(): gz(page)}
    for url in found.styles + found.scripts + found.other:
        sizes[url] = gz(site / urlsplit(url).path.lstrip("/"))
    return sizes


def _story_pages(site: Path) -> list[Path]:
    return [
        p
        for p in sorted((site / "stories").glob("*/index.html"))
        if '<article class="story"' in p.read_text()  # not the neutral page of a takedown
    ]


def test_story_without_photo_is_under_30_kb(built_example: Path):
    bare = [p for p in _story_pages(built_example) if "<picture>" not in p.read_text()]
    assert len(bare) >= 5
    for page in bare:
        sizes = weight(built_example, page)
        assert sum(sizes.values()) <= STORY_WITHOUT_PHOTO, sizes


def test_every_page_is_within_its_budget(built_example: Path):
    pages = sorted(built_example.rglob("*.html"))
    assert len(pages) > 60
    for page in pages:
        sizes = weight(built_example, page)
        rel = page.relative_to(built_example).as_posix()
        assert sum(sizes.values()) <= PAGE, sizes
        assert sizes[rel] <= HTML, (rel, sizes[rel])
        for url in refs(page).styles:
            assert sizes[url] <= STYLESHEET, (url, sizes[url])
        for url in refs(page).scripts:
            assert sizes[url] <= SCRIPT, (url, sizes[url])


def test_only_the_search_page_runs_a_script(built_example: Path):
    with_js = {
        p.relative_to(built_example).as_posix()
        for p in built_example.rglob("*.html")
        if refs(p).scripts
    }
    assert with_js == {"search/index.html"}


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("//")


def test_every_fetched_resource_is_same_origin(built_example: Path):
    """No third-party request, render-blocking or not: a visit is reported to no one."""
    checked = 0
    for page in sorted(built_example.rglob("*.html")):
        found = refs(page)
        for url in found.styles + found.scripts + found.other + found.images:
            checked += 1
            assert url and _same_origin(url), (page.relative_to(built_example), url)
    assert checked > 200


def test_same_origin_check_catches_a_third_party_font():
    assert not _same_origin("https://fonts.example.com/font.css")
    assert not _same_origin("//cdn.example.com/x.js")
    assert _same_origin("/assets/style.css") and _same_origin("media/a-480.webp")


# --- Lighthouse: the built site, served on 127.0.0.1 with its own headers -----------------


def _need(path: Path | str, what: str) -> None:
    if not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing ({path})")
        pytest.skip(f"{what} is missing ({path})")


@pytest.fixture(scope="module")
def served(built_example: Path):
    with static_server(built_example) as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,path",
    [("home", ""), ("story", "stories/bablu-born-free/"), ("impact", "impact/")],
)
def test_lighthouse_scores(served: str, name: str, path: str):
    _need(CHROMIUM, "chromium (.ci/run installs it)")
    _need(LIGHTHOUSE, "lighthouse (npm install)")
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"lighthouse-{name}.json"
    report.unlink(missing_ok=True)
    subprocess.run(
        [
            str(LIGHTHOUSE),
            served + path,
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
            "--output",
            "json",
            "--output-path",
            str(report),
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        timeout=180,
        capture_output=True,
    )
    data = json.loads(report.read_text())
    scores = {k: c["score"] for k, c in data["categories"].items()}
    failing = {
        audit: data["audits"][audit]["score"]
        for c in data["categories"].values()
        for audit in (r["id"] for r in c["auditRefs"] if r["weight"])
        if data["audits"][audit]["score"] is not None and data["audits"][audit]["score"] < 1
    }
    assert set(scores) == {"performance", "accessibility", "best-practices", "seo"}
    assert all(s is not None and s >= LIGHTHOUSE_MIN for s in scores.values()), (
        scores,
        failing,
    )
    # the browser's own list of requests: every one went to the site itself
    requests = data["audits"]["network-requests"]["details"]["items"]
    assert requests and all(r["url"].startswith(served) for r in requests), [
        r["url"] for r in requests
    ]
