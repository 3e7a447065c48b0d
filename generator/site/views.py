"""The values a SitePlan is made of: pages, cards, counters, campaign progress, pagination.

Plain frozen data handed to templates; no behaviour beyond small derived properties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.images import ImagePlan
from generator.model import Campaign, Metric, Milestone, Story


@dataclass(frozen=True)
class Link:
    text: str
    url: str
    count: int = 0


@dataclass(frozen=True)
class StoryCard:
    """What a listing shows of a story."""

    story: Story
    url: str
    image: ImagePlan | None
    country: Link
    injustice: tuple[Link, ...]
    tags: tuple[Link, ...]


@dataclass(frozen=True)
class Counter:
    metric: Metric
    milestone: Milestone
    url: str


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    url: str
    percent: int  # 0-100, for the progress bar
    days_left: int | None  # None once ended
    state: str  # upcoming | running | ended
    image: ImagePlan | None
    team: tuple[Any, ...]


@dataclass(frozen=True)
class Pagination:
    page: int
    pages: int
    urls: tuple[str, ...]  # URL of every page of the listing

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.page - 2] if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.page] if self.page < self.pages else None

    @property
    def window(self) -> tuple[tuple[int, str | None], ...]:
        """The numbered links a pager shows: the first, the last and the pages either side
        of this one, with (0, None) for each gap. Worked out here because a template loop
        over every page, on every page of a listing, is quadratic (417 pages at 10k)."""
        near = range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)
        shown = sorted({1, self.pages, *near})
        out: list[tuple[int, str | None]] = []
        for n in shown:
            if out and n > out[-1][0] + 1:
                out.append((0, None))
            out.append((n, self.urls[n - 1]))
        return tuple(out)


@dataclass(frozen=True)
class PageSpec:
    url: str
    template: str
    context: Mapping[str, Any]
    title: str
    in_sitemap: bool = True
    lastmod: dt.date | None = None


@dataclass(frozen=True)
class SearchDoc:
    """One page in the search index: what a result shows, and its words."""

    url: str
    title: str
    summary: str
    kind: str  # Story | Milestone | Page
    country: str | None
    injustice: tuple[str, ...]
    date: str
    words: Any  # term:count pairs (words.pack; str() reads them): title, summary added later
    source: str  # digest of the file it came from: the index is rebuilt when one changes


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[PageSpec, ...]
    feed: tuple[tuple[StoryCard, str], ...]  # newest stories with their rendered body
    aliases: Mapping[str, str]
    images: tuple[ImagePlan, ...]
    static: tuple[str, ...]
    nav: tuple[Link, ...]
    as_of: dt.datetime
    drafts: bool
    globals: Mapping[str, Any] = field(default_factory=dict)
    search: tuple[SearchDoc, ...] = ()
