from conftest import story
from helpers import problems_of

from generator.urls import Routes, output_path


def test_href_and_absolute_with_a_sub_path():
    routes = Routes("https://example.org/s/", "/s/", {}, {}, {})
    assert routes.href("stories/a/") == "/s/stories/a/"
    assert routes.href("") == "/s/"
    assert routes.absolute("feed.xml") == "https://example.org/s/feed.xml"
    assert routes.href("https://other.org/x") == "https://other.org/x"


def test_output_paths():
    assert output_path("") == "index.html"
    assert output_path("stories/a/") == "stories/a/index.html"
    assert output_path("feed.xml") == "feed.xml"


def test_alias_claiming_another_story_url_is_an_error(make_site):
    files = dict([story("a"), story("b", aliases="[/stories/a/]")])
    assert any(
        "URL /stories/a/ is already taken by content/stories/a.md" in p
        for p in problems_of(make_site(files))
    )


def test_page_may_not_take_a_generated_section(make_site):
    files = {"content/pages/stories.md": "---\ntitle: Stories\n---\n"}
    assert any(
        "the page slug 'stories' is used by the site itself" in p
        for p in problems_of(make_site(files))
    )
