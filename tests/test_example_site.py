"""End to end: this repository's own site, built and checked as a reader and a validator would."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO
from lxml import etree

DATA = Path(__file__).parent / "data"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])
        if a.get("srcset"):
            self.links += [part.split()[0] for part in a["srcset"].split(",")]


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text())
    return parser


def _target(site: Path, page: Path, link: str) -> Path | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "tel:", "#")):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        target = site / path.lstrip("/")
    else:
        target = page.parent / path
    return target / "index.html" if path.endswith("/") or target.is_dir() else target


def test_expected_pages_exist(built_example: Path):
    for rel in (
        "index.html",
        "stories/index.html",
        "stories/hellen-home-restored/index.html",
        "countries/index.html",
        "countries/uganda/index.html",
        "injustice/land-theft/index.html",
        "impact/index.html",
        "campaigns/index.html",
        "about/index.html",
        "contact/index.html",
        "stories-of-hope/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
    ):
        assert (built_example / rel).is_file(), rel
    assert list((built_example / "tags").iterdir())
    assert list((built_example / "campaigns").glob("*/index.html"))


def test_withdrawn_example_story_is_nowhere(built_example: Path):
    neutral = built_example / "stories/a-quiet-new-start/index.html"
    assert 'content="noindex"' in neutral.read_text()
    source = (REPO / "content/stories/a-quiet-new-start.md").read_text()
    title = source.split("title:", 1)[1].split("\n", 1)[0].strip().strip('"')
    for path in built_example.rglob("*"):
        if not path.is_file() or path.name == "manifest.json":
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        assert title not in text, path
        if path != neutral:
            assert "a-quiet-new-start" not in text, path


def test_every_internal_link_resolves(built_example: Path):
    broken = []
    for page in built_example.rglob("*.html"):
        for link in _parse(page).links:
            target = _target(built_example, page, link)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(built_example)} → {link}")
    assert not broken, "\n".join(broken[:20])


def test_fragments_point_at_ids(built_example: Path):
    missing = []
    for page in built_example.rglob("*.html"):
        parsed = _parse(page)
        for link in parsed.links:
            if link.startswith("#") and len(link) > 1 and link[1:] not in parsed.ids:
                missing.append(f"{page.relative_to(built_example)} {link}")
    assert not missing, missing[:10]


def test_every_page_is_valid_html(built_example: Path):
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("the Nu validator needs java and `npm install` (make test does both)")
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(built_example)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[:3000]


def test_feed_is_valid_atom(built_example: Path):
    schema = etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))
    doc = etree.parse(str(built_example / "feed.xml"))
    assert schema.validate(doc), schema.error_log
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = doc.getroot()
    entries = feed.findall("a:entry", ns)
    assert entries
    feed_has_author = feed.find("a:author/a:name", ns) is not None
    for entry in entries:  # RFC 4287 rules RELAX NG cannot express
        assert feed_has_author or entry.find("a:author", ns) is not None
        assert (
            entry.find("a:link[@rel='alternate']", ns) is not None
            or entry.find("a:content", ns) is not None
        )
        assert entry.findtext("a:id", namespaces=ns).startswith("https://")
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(ids) == len(set(ids))


def test_atom_schema_rejects_a_broken_feed():
    schema = etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))
    broken = etree.fromstring(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    assert not schema.validate(broken)


def test_sitemap_is_valid_and_lists_every_page(built_example: Path):
    schema = etree.XMLSchema(etree.parse(str(DATA / "sitemap.xsd")))
    doc = etree.parse(str(built_example / "sitemap.xml"))
    assert schema.validate(doc), schema.error_log
    locs = {e.text for e in doc.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = {p for p in built_example.rglob("index.html") if "noindex" not in p.read_text()}
    assert len(locs) == len(pages)
    assert "Sitemap: https://" in (built_example / "robots.txt").read_text()


def test_story_page_shows_what_readers_need(built_example: Path):
    html = (built_example / "stories/camila-and-the-matraca/index.html").read_text()
    assert "Camila*" in html  # pseudonym with its asterisk
    assert (
        "pseudonym" in html.lower()
        or "name changed" in html.lower()
        or "changed to protect" in html.lower()
    )
    warning_at = html.lower().find("content warning")
    assert 0 < warning_at < html.find("<h2")  # the warning comes before the text
    bundle = (built_example / "stories/bablu-born-free/index.html").read_text()
    assert "<img" in bundle and 'alt="' in bundle and "/media/" in bundle


def test_numbers_are_formatted_for_people(built_example: Path):
    impact = (built_example / "impact/index.html").read_text()
    assert "76,063" in impact
    assert "7.3 million" in impact


def test_build_is_deterministic(built_example: Path, tmp_path: Path):
    import datetime as dt
    import filecmp

    from generator import build
    from generator.config import BuildOptions

    build.run(BuildOptions(site_dir=REPO, out_dir=tmp_path, as_of=dt.date(2026, 11, 23)))
    second = tmp_path / "current"
    a = sorted(p.relative_to(built_example) for p in built_example.rglob("*") if p.is_file())
    b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert a == b
    differ = [
        p
        for p in a
        if p.name != "manifest.json"
        and not filecmp.cmp(built_example / p, second / p, shallow=False)
    ]
    assert not differ, differ[:5]


def test_example_site_checks_with_zero_warnings(capsys):
    from generator.cli import main

    assert main(["check", "--site", str(REPO), "--as-of", "2026-11-23"]) == 0
    out = capsys.readouterr()
    assert "0 error(s), 0 warning(s)" in out.out and out.err == ""
