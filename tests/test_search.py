"""Search in a real browser: Pagefind finds a story by a word from its body and filters
by country; withheld stories are never in the index."""

from __future__ import annotations

import pytest
from browser import launch
from conftest import story
from helpers import build_site
from servers import static_server


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search") / "site"
    from conftest import SITE_YAML

    (root / "content/stories").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    texts = {
        "kenya-one": ("Kenya", "The cooperative planted sorghum along the riverbank."),
        "kenya-two": ("Kenya", "Her sorghum harvest paid the school fees."),
        "uganda-one": ("Uganda", "A sorghum field was returned to the widow."),
        "hidden": ("Uganda", "The word zanzibarian appears only in a withdrawn story."),
    }
    for slug, (country, text) in texts.items():
        extra = {"status": "withdrawn"} if slug == "hidden" else {}
        name, front = story(slug, country=country, **extra)
        (root / name).write_text(front + "\n" + text + "\n")
    return build_site(root, root / "output")


def test_index_holds_no_withheld_text(search_site):
    files = [p for p in (search_site / "search").rglob("*.json")]
    assert files
    for path in files:
        assert b"zanzibarian" not in path.read_bytes(), path
        assert b"hidden" not in path.read_bytes(), path


def test_search_finds_a_body_word_and_filters_by_country(search_site):
    from playwright.sync_api import expect, sync_playwright

    with static_server(search_site) as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(url + "search/")
        page.wait_for_selector("#search-form:not([hidden])")
        page.fill("#search-q", "sorghum")
        results = page.locator(".search__result")
        expect(results).to_have_count(3)
        assert page.inner_text("#search-status") == "3 results"
        titles = page.inner_text("#search-results")
        assert "Kenya-One goes home" in titles and "Uganda-One goes home" in titles
        page.select_option("#search-country", "Uganda")
        expect(results).to_have_count(1)
        assert "Uganda-One" in page.inner_text("#search-results")
        page.click("#search-results a")
        page.wait_for_url("**/stories/uganda-one/")
        page.goto(url + "search/?q=sorgh")  # prefixes match, and ?q= works from links
        expect(results).to_have_count(3)
        page.fill("#search-q", "zanzibarian")
        expect(page.locator("#search-status")).to_have_text("No stories found.")
        browser.close()


def test_index_is_deterministic_and_carried_over(search_site, tmp_path):
    from helpers import build_site as build

    again = build(search_site.resolve().parents[2], tmp_path / "again")
    for path in sorted((search_site / "search").rglob("*.json")):
        rel = path.relative_to(search_site)
        assert (again / rel).read_bytes() == path.read_bytes(), rel


def test_search_page_works_without_javascript(search_site):
    html = (search_site / "search/index.html").read_text()
    assert 'href="/countries/kenya/"' in html and 'href="/injustice/land-theft/"' in html
