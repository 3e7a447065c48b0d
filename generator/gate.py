"""The consent gate: Corpus + build moment → Published, the only content later stages see.

The one place that decides what may be shown. A story leaves the gate only with
consent obtained, 'web' in its scope, no withdrawal, no expiry on or before the build
date, status published (or draft, when drafts are asked for) and its publish_at
reached. Everything downstream receives Published, so it cannot see a withheld
story's fields; it gets only slugs and reasons. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.model import Campaign, Corpus, Gift, Milestone, Page, Story


@dataclass(frozen=True)
class Withheld:
    """A story left out of the site, and why (for `storysite check` and link messages)."""

    path: str
    slug: str
    line: int | None
    kind: str  # draft | withdrawn | no-consent | no-web-scope | expired | scheduled
    reason: str

    @property
    def is_taken_down(self) -> bool:
        """Withdrawn or expired: links to it are dropped with a warning, never block a build."""
        return self.kind in {"withdrawn", "expired"}


@dataclass(frozen=True)
class Published:
    """What the site may show, as of one moment."""

    stories: tuple[Story, ...]  # newest first, then by slug
    milestones: tuple[Milestone, ...]  # oldest first
    pages: tuple[Page, ...]
    campaigns: tuple[Campaign, ...]
    gifts: tuple[Gift, ...]
    data: Mapping[str, Any]
    static: tuple[str, ...]
    withheld: tuple[Withheld, ...]
    as_of: dt.datetime
    drafts: bool
    # Slugs whose URL serves the neutral "no longer available" page: stories withdrawn or
    # expired, and stories the previous release showed that are gone now (file deleted)
    gone: tuple[str, ...] = ()

    def withheld_by_slug(self) -> dict[str, Withheld]:
        return {w.slug: w for w in self.withheld}


def _why_withheld(story: Story, as_of: dt.datetime, drafts: bool) -> tuple[str, str] | None:
    """(kind, reason) when the story must not be published, else None."""
    consent = story.consent
    if story.status == "withdrawn":
        return "withdrawn", "status is withdrawn"
    if consent is not None and consent.withdrawn is not None:
        return "withdrawn", f"consent was withdrawn on {consent.withdrawn.isoformat()}"
    if story.status == "draft" and not drafts:
        return "draft", "status is draft (preview it with --drafts)"
    if consent is None:
        return "no-consent", "no consent recorded: add consent.obtained and consent.scope"
    if "web" not in consent.scope:
        return "no-web-scope", "consent scope does not include web"
    if consent.expires is not None and consent.expires <= as_of.date():
        return "expired", f"consent expired on {consent.expires.isoformat()}"
    if story.publish_at is not None and story.publish_at > as_of:
        return "scheduled", f"scheduled for {story.publish_at.isoformat(sep=' ')}"
    return None


def select(
    corpus: Corpus,
    as_of: dt.datetime,
    drafts: bool = False,
    previously: frozenset[str] = frozenset(),
) -> Published:
    """Keep what may be published at ``as_of``; record why each other story is withheld.

    ``previously`` holds the story slugs the current release has pages for, so a story
    whose file was deleted still gets its neutral page rather than a 404 or stale copy.
    """
    shown: list[Story] = []
    withheld: list[Withheld] = []
    for story in corpus.stories:
        why = _why_withheld(story, as_of, drafts)
        if why is None:
            shown.append(story)
        else:
            line = story.source.lines.get(("status",)) or story.source.lines.get(("consent",))
            withheld.append(Withheld(story.source.path, story.slug, line, *why))
    shown.sort(key=lambda s: s.slug)
    shown.sort(key=lambda s: s.date, reverse=True)
    visible = {s.slug for s in shown}
    milestones = tuple(
        sorted(
            (
                m.model_copy(update={"stories": tuple(x for x in m.stories if x in visible)})
                for m in corpus.milestones
            ),
            key=lambda m: (m.date, m.slug),
        )
    )
    pages = tuple(
        p.model_copy(update={"stories": tuple(x for x in p.stories if x in visible)})
        for p in corpus.pages
    )
    # A copy only where a related story is hidden: a copy per story kept two of each in
    # memory for the whole build (the corpus stays alive for the next publish date)
    stories = tuple(
        s
        if all(x in visible for x in s.related)
        else s.model_copy(update={"related": tuple(x for x in s.related if x in visible)})
        for s in shown
    )
    campaigns = tuple(sorted(corpus.campaigns, key=lambda c: (c.starts, c.slug), reverse=True))
    taken_down = {w.slug for w in withheld if w.is_taken_down}
    gone = tuple(sorted((taken_down | previously) - visible))
    return Published(
        stories,
        milestones,
        pages,
        campaigns,
        corpus.gifts,
        corpus.data,
        corpus.static,
        tuple(sorted(withheld, key=lambda w: w.path)),
        as_of,
        drafts,
        gone,
    )
