import datetime as dt
import itertools

from conftest import SITE_YAML, story
from helpers import AS_OF

from generator import config, gate, images, load, model, render, site, urls
from generator.errors import Problems


def _plan(root, **site_yaml):
    problems = Problems()
    cfg = config.load_config(root, problems)
    source = load.read_site(root, problems)
    published = gate.select(
        model.validate(source, cfg, problems),
        dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=dt.UTC),
    )
    routes = urls.route(published, cfg, problems)
    planner = images.ImagePlanner(root)
    docs = itertools.chain(
        published.stories, published.milestones, published.pages, published.campaigns
    )
    rendered = render.render_all(docs, load.bodies(source), routes, planner, problems)
    plan = site.assemble(published, rendered, routes, cfg, planner, problems)
    assert not problems.errors, problems.errors
    return {p.url: p for p in plan.pages}, plan


def test_listing_is_paginated_newest_first(make_site):
    files = dict(story(f"s{i:02d}", date=f"2024-01-{i + 1:02d}") for i in range(30))
    pages, _ = _plan(make_site(files, site_yaml=SITE_YAML + "per_page: 12\n"))
    first = pages["stories/"].context
    assert [c.story.slug for c in first["stories"]][:2] == ["s29", "s28"]
    assert first["pagination"].pages == 3 and first["pagination"].next_url == "stories/page/2/"
    assert [c.story.slug for c in pages["stories/page/3/"].context["stories"]] == [
        f"s{i:02d}" for i in range(5, -1, -1)
    ]


def test_taxonomy_pages_for_each_country_term_and_tag(make_site):
    files = dict(
        [
            story("a", country='"Côte d\'Ivoire"', tags="[Brick kilns]"),
            story("b", injustice="[forced-labour, land-theft]"),
        ]
    )
    pages, _ = _plan(make_site(files))
    for url in (
        "countries/",
        "countries/cote-divoire/",
        "countries/uganda/",
        "injustice/",
        "injustice/land-theft/",
        "injustice/forced-labour/",
        "tags/",
        "tags/brick-kilns/",
    ):
        assert url in pages, url
    assert len(pages["injustice/land-theft/"].context["stories"]) == 2


def test_related_stories_share_country_and_injustice_and_skip_self(make_site):
    files = dict(
        [
            story("a"),
            story("b"),
            story("c", country="Kenya"),
            story("d", injustice="[forced-labour]"),
            story("e", related="[c]"),
        ]
    )
    pages, _ = _plan(make_site(files))
    related = [c.story.slug for c in pages["stories/a/"].context["related"]]
    assert related[:2] == ["b", "e"] and "a" not in related and "c" not in related
    assert [c.story.slug for c in pages["stories/e/"].context["related"]][0] == "c"


def test_withheld_story_is_on_no_page(make_site):
    files = dict([story("a", related="[b]"), story("b", status="withdrawn")])
    files["content/pages/hope.md"] = "---\ntitle: Hope\nstories: [a, b]\n---\n"
    files["content/milestones/m.md"] = "---\ntitle: M\ndate: 2001\nstories: [b]\n---\n"
    pages, plan = _plan(make_site(files))
    assert pages["stories/b/"].template == "gone.html" and not pages["stories/b/"].context
    assert [c.story.slug for c in pages["hope/"].context["stories"]] == ["a"]
    assert pages["milestones/m/"].context["stories"] == []
    assert all(c.story.slug != "b" for c, _ in plan.feed)


def test_counters_and_campaign_progress(make_site):
    files = {
        "content/milestones/m.md": "---\ntitle: M\ndate: 2020\nheadline: true\nmetrics:\n"
        "  - value: 76063\n    label: people rescued\n---\n",
        "content/campaigns/run.md": "---\ntitle: Run\nsummary: s\ngoal: {amount: 1000}\n"
        "raised: 250\nstarts: 2026-11-01\nends: 2026-12-03\n"
        "donate_url: https://example.org/d\n---\n",
    }
    pages, _ = _plan(make_site(files))
    home = pages[""].context
    assert home["counters"][0].metric.value == 76063
    view = home["campaign"]
    assert (view.percent, view.days_left, view.state) == (25, 10, "running")
