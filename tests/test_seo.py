"""Search engines and shared links: titles, descriptions, canonical, Open Graph, JSON-LD.

A shared story shows its photo only with consent for social media, and structured data
describes the article and its publisher, never the survivor.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import story
from helpers import build_site
from PIL import Image

ORIGIN = "https://storysite.example.org/"


class Head(HTMLParser):
    """What a crawler reads in <head>: title, meta, link rel, JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.ld: list[str] = []
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title" or (tag == "script" and a.get("type") == "application/ld+json"):
            self._in, self._text = tag, []
        elif tag == "meta" and ("property" in a or "name" in a):
            key = a.get("property") or a.get("name")
            self.meta.setdefault(key, []).append(a.get("content") or "")
        elif tag == "meta" and a.get("http-equiv") == "refresh":
            self.meta.setdefault("refresh", []).append(a.get("content") or "")
        elif tag == "link":
            for rel in (a.get("rel") or "").split():
                self.links.setdefault(rel, []).append(a.get("href") or "")

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._text)
            if tag == "title":
                self.title = text
            else:
                self.ld.append(text)
            self._in = None

    def one(self, key: str) -> str | None:
        values = self.meta.get(key, [])
        assert len(values) <= 1, f"{key} appears {len(values)} times"
        return values[0] if values else None

    def data(self) -> list[dict]:
        return [json.loads(block) for block in self.ld]


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text().split("</head>")[0])
    return parser


def _pages(site: Path) -> dict[str, Head]:
    return {p.relative_to(site).as_posix(): head(p) for p in sorted(site.rglob("*.html"))}


def _is_gone(h: Head) -> bool:
    return h.title.startswith("Story no longer available")


def test_every_page_has_a_unique_title_and_description(built_example: Path):
    pages = _pages(built_example)
    indexable = {k: h for k, h in pages.items() if k != "404.html" and not _is_gone(h)}
    assert len(indexable) > 60
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for rel, h in pages.items():
        description = h.one("description")
        assert h.title.strip() and description and description.strip(), rel
        assert 10 <= len(description) <= 320, (rel, description)
        assert "  " not in description and "\n" not in description, (rel, description)
        if rel in indexable:
            assert h.title not in titles, f"{rel} and {titles.get(h.title)}: {h.title}"
            assert description not in descriptions, (
                f"{rel} and {descriptions.get(description)}: {description}"
            )
            titles[h.title] = rel
            descriptions[description] = rel
            assert h.title.endswith("Stories of Justice") or rel == "index.html", rel


def test_open_graph_and_twitter_cards_on_every_page(built_example: Path):
    for rel, h in _pages(built_example).items():
        assert h.one("og:site_name") == "Stories of Justice", rel
        assert h.one("og:title") and h.one("twitter:title") == h.one("og:title"), rel
        assert h.one("og:description") == h.one("description") == h.one("twitter:description")
        assert h.one("og:type") == (
            "article"
            if rel.startswith("stories/") and rel.count("/") == 2 and not _is_gone(h)
            else "website"
        ), rel
        assert h.one("twitter:card") in {"summary", "summary_large_image"}, rel
        if rel == "404.html" or _is_gone(h):
            # served at many addresses, or a story's old one: no address, no image
            assert "canonical" not in h.links and h.one("og:url") is None, rel
            assert h.one("robots") == "noindex" and h.one("og:image") is None, rel
            assert not h.ld, rel
        else:
            canonical = h.links["canonical"]
            assert len(canonical) == 1 and canonical[0].startswith(ORIGIN), rel
            assert h.one("og:url") == canonical[0], rel
            expected = ORIGIN + rel.removesuffix("index.html")
            assert canonical[0] == expected, rel
        image = h.one("og:image")
        if image is not None:
            assert image.startswith(ORIGIN + "media/") and h.one("og:image:alt"), rel
            assert h.one("twitter:card") == "summary_large_image", rel
            assert h.one("twitter:image") == image


def test_gone_page_says_nothing_about_the_story(built_example: Path):
    gone = built_example / "stories/a-quiet-new-start/index.html"
    h = head(gone)
    assert _is_gone(h)
    text = gone.read_text()
    for needle in ("quiet new start", "Kofi", "Ghana", "a-quiet-new-start"):
        assert needle not in text


def test_story_article_structured_data(built_example: Path):
    h = head(built_example / "stories/camila-and-the-matraca/index.html")
    [article] = h.data()
    assert article["@context"] == "https://schema.org" and article["@type"] == "Article"
    assert article["headline"] == h.one("og:title")
    assert article["description"] == h.one("description")
    assert article["datePublished"] <= article["dateModified"]
    assert article["url"] == article["mainEntityOfPage"] == h.links["canonical"][0]
    for who in (article["author"], article["publisher"]):
        assert who["@type"] == "Organization" and who["name"] == "Justice Rising"
        assert who["url"] == ORIGIN and who["logo"].startswith(ORIGIN + "assets/favicon.")
    assert "image" not in article  # this story has no photo


def test_updated_story_is_modified_later(built_example: Path):
    found = 0
    for path in (built_example / "stories").glob("*/index.html"):
        h = head(path)
        if h.ld:
            [article] = h.data()
            assert h.one("article:modified_time") == article["dateModified"]
            found += article["dateModified"] != article["datePublished"]
    assert found, "no example story has an `updated` date to check dateModified with"


def test_home_has_organisation_with_contact_and_site_search(built_example: Path):
    h = head(built_example / "index.html")
    [data] = h.data()
    org, site = data["@graph"]
    assert org["@type"] == "Organization" and org["name"] == "Justice Rising"
    assert org["contactPoint"] == {
        "@type": "ContactPoint",
        "contactType": "Media relations",
        "name": "Miriam Achterberg",
        "email": "press@storysite.example.org",
        "telephone": "+1 555 0100",
    }
    assert site["@type"] == "WebSite" and site["publisher"] == {"@id": org["@id"]}
    target = site["potentialAction"]["target"]["urlTemplate"]
    assert target == ORIGIN + "search/?q={search_term_string}"


def test_campaign_is_an_event_with_dates(built_example: Path):
    h = head(built_example / "campaigns/run-for-freedom-2026/index.html")
    [event] = h.data()
    assert event["@type"] == "Event" and event["name"] == "Run for Freedom 2026"
    assert event["startDate"] < event["endDate"]
    assert event["organizer"]["name"] == "Justice Rising"
    assert event["location"]["@type"] == "VirtualLocation"


def test_json_ld_only_where_it_describes_something(built_example: Path):
    kinds = {}
    for rel, h in _pages(built_example).items():
        for data in h.data():
            kinds.setdefault(data.get("@type", "graph"), []).append(rel)
    assert set(kinds) == {"Article", "Event", "graph"}
    assert kinds["graph"] == ["index.html"]
    assert len(kinds["Article"]) == 11  # every published story
    assert all(rel.startswith("campaigns/") for rel in kinds["Event"])


def _photo_story_site(make_site, scope: str, title: str = '"Amani finds work"'):
    files = {
        "content/stories/amani/index.md": story(
            "amani",
            title=title,
            summary='"A summary about the workshop."',
            survivor="\n  name: Zawadi\n  pseudonym: true\n  age: 41",
            image='\n  src: photo.jpg\n  alt: "A workshop bench"',
            consent=f"\n  obtained: 2024-01-01\n  scope: {scope}",
            updated="2024-06-01",
        )[1]
        + "\nZawadi, 41, now runs the workshop.\n"
    }
    root = make_site(files)
    Image.new("RGB", (600, 400), (90, 120, 30)).save(root / "content/stories/amani/photo.jpg")
    return root


@pytest.mark.parametrize("scope,shared", [("[web]", False), ("[web, social, print]", True)])
def test_photo_in_structured_data_only_with_social_consent(make_site, tmp_path, scope, shared):
    out = build_site(_photo_story_site(make_site, scope), tmp_path / "out")
    h = head(out / "stories/amani/index.html")
    [article] = h.data()
    assert ("image" in article) is shared
    assert (h.one("og:image") is not None) is shared
    assert h.one("twitter:card") == ("summary_large_image" if shared else "summary")
    if shared:
        assert article["image"] == [h.one("og:image")]
        assert article["image"][0].startswith("https://example.org/media/")
    assert article["dateModified"] == "2024-06-01" and article["datePublished"] == "2024-03-05"


def test_structured_data_never_holds_survivor_data(make_site, tmp_path):
    out = build_site(_photo_story_site(make_site, "[web, social]"), tmp_path / "out")
    page = (out / "stories/amani/index.html").read_text()
    assert "Zawadi" in page  # the page shows the (pseudonymous) name...
    h = head(out / "stories/amani/index.html")
    for block in h.ld:
        # ...structured data does not: no name, age, pseudonym flag or person
        assert "Zawadi" not in block and "41" not in block
        assert "Person" not in block and "pseudonym" not in block and "survivor" not in block
    meta = json.dumps(h.meta)
    assert "Zawadi" not in meta


def test_json_ld_is_escaped_inside_its_script(make_site, tmp_path):
    title = '"Amani </script><script>alert(1)</script> & <!-- friends"'
    out = build_site(_photo_story_site(make_site, "[web]", title=title), tmp_path / "out")
    html = (out / "stories/amani/index.html").read_text()
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and ">" not in block
    assert (
        json.loads(block)["headline"] == "Amani </script><script>alert(1)</script> & <!-- friends"
    )
    assert "<script>alert" not in html


def test_redirect_pages_point_at_their_target_and_are_not_indexed(make_site, tmp_path):
    root = make_site(dict([story("new-name", aliases="[/stories/old-name/]")]))
    out = build_site(root, tmp_path / "out")
    h = head(out / "stories/old-name/index.html")
    assert h.links["canonical"] == ["https://example.org/stories/new-name/"]
    assert h.one("robots") == "noindex"
    assert h.one("og:url") is None and not h.ld


def test_site_without_contact_tagline_or_campaigns(make_site, tmp_path):
    """The corpus-like minimum: every template copes with None settings."""
    out = build_site(make_site(dict([story("a")])), tmp_path / "out")
    h = head(out / "index.html")
    [data] = h.data()
    org = data["@graph"][0]
    assert "contactPoint" not in org and "description" not in org
    assert h.title == "Test Site"
    assert head(out / "stories/a/index.html").data()[0]["publisher"]["name"] == "Test Org"
    assert not (out / "impact/index.html").read_text().count("<svg")


def test_pages_of_a_listing_have_their_own_title_and_description(make_site, tmp_path):
    from conftest import SITE_YAML

    files = dict(story(n, date=f"2024-03-0{i + 1}") for i, n in enumerate(["a", "b", "c"]))
    root = make_site(files, site_yaml=SITE_YAML + "per_page: 1\n")
    out = build_site(root, tmp_path / "out")
    heads = [head(out / f"stories/{rel}index.html") for rel in ("", "page/2/", "page/3/")]
    assert len(heads) == 3
    assert len({h.title for h in heads}) == len({h.one("description") for h in heads}) == 3
    assert heads[1].one("description").endswith("(Page 2 of 3.)")
