"""Building blocks of pages: story cards, listings with pagination, counters, campaigns.

Pure, apart from ``images`` measuring a photo the first time it is planned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from generator.config import SiteConfig
from generator.images import ImagePlan, ImagePlanner, ImageProblem
from generator.model import Campaign, Milestone, Story
from generator.site.views import CampaignView, Counter, Link, PageSpec, Pagination, StoryCard
from generator.urls import (
    campaign_url,
    country_url,
    injustice_url,
    listing_url,
    milestone_url,
    story_url,
    tag_url,
)


@cache
def term_label(term: str) -> str:
    """'labour-trafficking' → 'Labour trafficking'."""
    return term.replace("-", " ").capitalize()


def image_of(doc: Any, planner: ImagePlanner, problems: Any) -> ImagePlan | None:
    if doc.image is None or doc.image_path is None:
        return None
    try:
        return planner.plan(doc.image_path)
    except ImageProblem as exc:
        problems.error(
            doc.source.path, doc.source.lines.get(("image", "src")), "image.src", str(exc)
        )
        return None


# A card's links are one of a few dozen countries, terms and tags: shared, not made per
# story, so 10,000 cards hold about fifty Link objects, and a page fingerprint hashes
# each of them once instead of 50,000 times (and nothing here can change them: frozen)
@cache
def _country_link(country: str) -> Link:
    return Link(country, country_url(country))


@cache
def _term_links(terms: tuple[str, ...]) -> tuple[Link, ...]:
    return tuple(Link(term_label(t), injustice_url(t)) for t in terms)


@cache
def _tag_links(tags: tuple[str, ...]) -> tuple[Link, ...]:
    return tuple(Link(t, tag_url(t)) for t in tags)


def story_card(story: Story, planner: ImagePlanner, problems: Any) -> StoryCard:
    return StoryCard(
        story,
        story_url(story.slug),
        image_of(story, planner, problems),
        _country_link(story.country),
        _term_links(tuple(story.injustice)),
        _tag_links(tuple(story.tags)),
    )


def listing(
    base: str,
    heading: str,
    intro: str | None,
    cards: Sequence[StoryCard],
    config: SiteConfig,
    kind: str = "all",
    term: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[PageSpec]:
    per = config.per_page
    count = max(1, -(-len(cards) // per))
    urls = tuple(listing_url(base, n) for n in range(1, count + 1))
    specs = []
    for n in range(1, count + 1):
        title = heading if n == 1 else f"{heading} (page {n} of {count})"
        specs.append(
            PageSpec(
                urls[n - 1],
                "list.html",
                {
                    "heading": heading,
                    "intro": intro,
                    "kind": kind,
                    "term": term,
                    "stories": list(cards[(n - 1) * per : n * per]),
                    "total": len(cards),
                    "pagination": Pagination(n, count, urls),
                    **(extra or {}),
                },
                title,
            )
        )
    return specs


def counters(milestones: Sequence[Milestone]) -> list[Counter]:
    """Headline metrics, newest milestone first."""
    out = [
        Counter(metric, m, milestone_url(m.slug))
        for m in sorted(milestones, key=lambda m: (m.date, m.slug), reverse=True)
        if m.headline
        for metric in m.metrics
    ]
    return out


def campaign_view(
    c: Campaign, today: dt.date, planner: ImagePlanner, problems: Any
) -> CampaignView:
    percent = int(min(100, max(0, c.raised / c.goal.amount * 100)))
    if today < c.starts:
        state, days = "upcoming", (c.ends - today).days
    elif today <= c.ends:
        state, days = "running", (c.ends - today).days
    else:
        state, days = "ended", None
    team = tuple(sorted(c.team, key=lambda t: (-t.raised, t.name)))
    return CampaignView(
        c, campaign_url(c.slug), percent, days, state, image_of(c, planner, problems), team
    )
