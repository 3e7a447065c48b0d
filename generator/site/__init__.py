"""Assembly: Published + Rendered + Routes → SitePlan, every page the site will have.

Listings (paginated, newest first), countries, injustice terms and tags, related
stories, the milestone timeline, headline counters, campaign progress. Related
stories and taxonomies use indexes, never a comparison of every pair. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from generator.cache import Cache
from generator.config import SiteConfig
from generator.gate import Published
from generator.images import ImagePlanner
from generator.model import Milestone, slugify
from generator.render import BodyGone, Rendered
from generator.site.cards import campaign_view, counters, listing, story_card, term_label
from generator.site.charts import country_timeline, impact_charts
from generator.site.patch import Patched, patch, placement
from generator.site.related import related_stories
from generator.site.search import search_docs
from generator.site.views import (
    CampaignView,
    Counter,
    Link,
    PageSpec,
    Pagination,
    SearchDoc,
    SitePlan,
    StoryCard,
)
from generator.urls import (
    Routes,
    country_url,
    injustice_url,
    milestone_url,
    page_url,
    story_url,
    tag_url,
)

__all__ = [
    "CampaignView",
    "Counter",
    "Link",
    "PageSpec",
    "Pagination",
    "Patched",
    "SearchDoc",
    "SitePlan",
    "StoryCard",
    "assemble",
    "patch",
    "placement",
    "search_docs",
    "term_label",
]

HOME_STORIES = 6


def assemble(
    published: Published,
    rendered: Mapping[str, Rendered],
    routes: Routes,
    config: SiteConfig,
    planner: ImagePlanner,
    problems: Any,
    cache: Cache | None = None,
    search: tuple[SearchDoc, ...] | None = None,
) -> SitePlan:
    """Decide every page of the site, in a stable order (``cache``: where the related
    stories of the last build are kept; ``search``: ``search_docs``, if made already)."""
    today = published.as_of.date()
    cards = {s.slug: story_card(s, planner, problems) for s in published.stories}
    ordered = [cards[s.slug] for s in published.stories]  # newest first
    pages: list[PageSpec] = []

    def body(doc: Any) -> str:
        return rendered[doc.source.path].html

    # stories: one page each, related by index
    related = related_stories(published.stories, cache)
    part_of = defaultdict(list)
    for m in published.milestones:
        for slug in m.stories:
            part_of[slug].append(Link(m.title, milestone_url(m.slug)))
    for story in published.stories:
        card = cards[story.slug]
        pages.append(
            PageSpec(
                card.url,
                "story.html",
                {
                    "card": card,
                    "story": story,
                    "body": body(story),
                    "related": [cards[s] for s in related[story.slug]],
                    "milestones": part_of[story.slug],
                },
                story.title,
                lastmod=story.updated or story.date,
            )
        )

    pages += listing("stories/", "Stories", "Every story, newest first.", ordered, config)

    # taxonomies
    countries: dict[str, list[StoryCard]] = defaultdict(list)
    terms: dict[str, list[StoryCard]] = defaultdict(list)
    tags: dict[str, list[StoryCard]] = defaultdict(list)
    tag_names: dict[str, str] = {}
    for card in ordered:
        countries[card.story.country].append(card)
        for term in card.story.injustice:
            terms[term].append(card)
        for tag in card.story.tags:
            tags[slugify(tag)].append(card)
            tag_names.setdefault(slugify(tag), tag)
    country_milestones: dict[str, list[Milestone]] = defaultdict(list)
    for m in published.milestones:
        if m.country:
            country_milestones[m.country].append(m)
    for name in sorted(countries):
        pages += listing(
            country_url(name),
            f"Stories from {name}",
            None,
            countries[name],
            config,
            kind="country",
            term=name,
            extra={
                "milestones": country_milestones.get(name, []),
                "chart": country_timeline(name, country_milestones.get(name, [])),
            },
        )
    for term in sorted(terms):
        pages += listing(
            injustice_url(term),
            term_label(term),
            None,
            terms[term],
            config,
            kind="injustice",
            term=term,
        )
    for tag in sorted(tags):
        pages += listing(
            tag_url(tag),
            f"Tagged “{tag_names[tag]}”",
            None,
            tags[tag],
            config,
            kind="tag",
            term=tag_names[tag],
        )
    pages.append(
        PageSpec(
            "countries/",
            "terms.html",
            {
                "heading": "Countries",
                "kind": "country",
                "terms": [Link(n, country_url(n), len(countries[n])) for n in sorted(countries)],
            },
            "Countries",
        )
    )
    pages.append(
        PageSpec(
            "injustice/",
            "terms.html",
            {
                "heading": "Kinds of injustice",
                "kind": "injustice",
                "terms": [
                    Link(term_label(t), injustice_url(t), len(terms[t])) for t in sorted(terms)
                ],
            },
            "Kinds of injustice",
        )
    )
    pages.append(
        PageSpec(
            "tags/",
            "terms.html",
            {
                "heading": "Tags",
                "kind": "tag",
                "terms": [Link(tag_names[t], tag_url(t), len(tags[t])) for t in sorted(tags)],
            },
            "Tags",
        )
    )

    # milestones, impact, timeline
    headline = counters(published.milestones)
    for m in published.milestones:
        pages.append(
            PageSpec(
                milestone_url(m.slug),
                "milestone.html",
                {
                    "milestone": m,
                    "body": body(m),
                    "stories": [cards[s] for s in m.stories],
                },
                m.title,
            )
        )
    timeline: dict[int, list[Milestone]] = defaultdict(list)
    for m in published.milestones:
        timeline[m.date.year].append(m)
    pages.append(
        PageSpec(
            "impact/",
            "impact.html",
            {
                "counters": headline,
                "timeline": sorted(timeline.items()),
                "gifts": published.gifts,
                "charts": impact_charts(published.milestones),
            },
            "Our impact",
        )
    )

    # campaigns
    views = [campaign_view(c, today, planner, problems) for c in published.campaigns]
    for view in views:
        pages.append(
            PageSpec(
                view.url,
                "campaign.html",
                {
                    "view": view,
                    "campaign": view.campaign,
                    "body": body(view.campaign),
                },
                view.campaign.title,
            )
        )
    if views:
        pages.append(PageSpec("campaigns/", "campaigns.html", {"views": views}, "Campaigns"))
    running = sorted(
        (v for v in views if v.state == "running"), key=lambda v: (v.campaign.ends, v.campaign.slug)
    )

    # free pages and curated roundups
    for p in published.pages:
        if p.source.path not in routes.by_source:
            continue
        pages.append(
            PageSpec(
                page_url(p.slug),
                "page.html",
                {
                    "page": p,
                    "body": body(p),
                    "stories": [cards[s] for s in p.stories],
                },
                p.title,
            )
        )

    pages.append(
        PageSpec(
            "",
            "home.html",
            {
                "stories": ordered[:HOME_STORIES],
                "counters": headline[:4],
                "campaign": running[0] if running else None,
                "gifts": published.gifts[:3],
            },
            config.title,
        )
    )
    pages.append(PageSpec("404.html", "404.html", {}, "Page not found", in_sitemap=False))
    # The neutral page carries nothing of the story: no title, name, text or image
    for slug in routes.gone:
        pages.append(
            PageSpec(
                story_url(slug), "gone.html", {}, "Story no longer available", in_sitemap=False
            )
        )

    pages.append(
        PageSpec(
            "search/",
            "search.html",
            {
                "countries": [
                    Link(n, country_url(n), len(countries[n])) for n in sorted(countries)
                ],
                "terms": [
                    Link(term_label(t), injustice_url(t), len(terms[t])) for t in sorted(terms)
                ],
            },
            "Search",
        )
    )
    nav = [Link("Stories", "stories/"), Link("Countries", "countries/"), Link("Impact", "impact/")]
    if views:
        nav.append(Link("Campaigns", "campaigns/"))
    nav.append(Link("Search", "search/"))
    nav += [
        Link(p.title, page_url(p.slug))
        for p in sorted(
            (p for p in published.pages if p.menu is not None), key=lambda p: (p.menu, p.slug)
        )
    ]

    if search is None:
        search = search_docs(published, rendered)
    feed = []
    for c in ordered[: config.feed_size]:
        try:
            feed.append((c, rendered[c.story.source.path].html.text))
        except BodyGone as exc:
            problems.error(exc.path, None, None, f"{exc}; build again")
    images = {p.url: p for p in planner.all()}
    return SitePlan(
        tuple(pages),
        tuple(feed),
        dict(routes.aliases),
        tuple(images.values()),
        published.static,
        tuple(nav),
        published.as_of,
        published.drafts,
        {"site": config},
        search,
    )
