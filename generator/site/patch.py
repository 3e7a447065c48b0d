"""The preview's quick path: the last plan with one document's words replaced.

An edit that changes only what a document says (a story's text, title, summary, quote,
image caption…) and nothing that decides where it appears (slug, date, country,
terms, tags, consent, status, related stories, photos) leaves every page of the site
as it was, except the pages that show that document. Those are found by identity: the
plan's page contexts hold the document and its card as objects, so a page shows the
document exactly when its context holds one of them. Pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from generator.images import ImagePlanner
from generator.site.cards import story_card
from generator.site.views import PageSpec, SitePlan

# Front matter a story may change without moving on the site: words only. Everything
# else (and every field of the other kinds: milestones feed counters and timelines,
# campaigns their progress) sends the edit to the full build.
WORDS: Mapping[str, frozenset[str]] = {
    "story": frozenset({"title", "summary", "survivor", "content_warning", "quote"}),
}
# Parts of a nested field that are words too; the rest (image.src, video.url) is not
WORDS_WITHIN: Mapping[str, Mapping[str, frozenset[str]]] = {
    "story": {
        "image": frozenset({"alt", "caption", "credit"}),
        "video": frozenset({"title", "transcript"}),
    },
}


def placement(kind: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The front matter that decides where a document appears: all but its words."""
    words = WORDS.get(kind, frozenset())
    within = WORDS_WITHIN.get(kind, {})
    kept: dict[str, Any] = {}
    for name, value in meta.items():
        if name in words:
            continue
        if name in within and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in within[name]}
        kept[name] = value
    return kept


@dataclasses.dataclass(frozen=True)
class Patched:
    plan: SitePlan
    pages: tuple[PageSpec, ...]  # the pages that show the document (its own first)
    feed: bool  # the feed shows it too


def patch(
    plan: SitePlan,
    kind: str,
    own: PageSpec,
    fresh: Any,
    html: str,
    planner: ImagePlanner,
    problems: Any,
) -> Patched:
    """``plan`` with the document on its page ``own`` (under ``kind``) replaced by the
    validated ``fresh`` (same file, placement unchanged: the caller compared
    ``placement``) and its body by ``html``."""
    old = own.context[kind]
    words = WORDS.get(kind, frozenset())
    # Fields the gate or validation derived (related filtered to published stories,
    # the image's resolved path) stay as they were: their inputs did not change
    new = old.model_copy(
        update={name: getattr(fresh, name) for name in (*words, *WORDS_WITHIN.get(kind, {}))}
        | {"source": fresh.source}
    )
    swap: dict[int, Any] = {id(old): new}
    card = own.context.get("card")
    if card is not None:  # a story's: the same card object on every page that lists it
        swap[id(card)] = story_card(new, planner, problems)
    pages: list[PageSpec] = []
    changed: list[PageSpec] = []
    for spec in plan.pages:
        context = None
        for name, value in spec.context.items():
            replaced = _swapped(value, swap)
            if replaced is not value:
                context = context if context is not None else dict(spec.context)
                context[name] = replaced
        if context is None:
            pages.append(spec)
            continue
        if context.get(kind) is new and "body" in context:  # the document's own page
            context["body"] = html
            spec = dataclasses.replace(spec, context=context, title=new.title)
            changed.insert(0, spec)
        else:
            spec = dataclasses.replace(spec, context=context)
            changed.append(spec)
        pages.append(spec)
    feed = tuple(
        (swap[id(card)], html) if id(card) in swap else (card, body) for card, body in plan.feed
    )
    in_feed = any(id(card) in swap for card, _ in plan.feed)
    plan = dataclasses.replace(plan, pages=tuple(pages), feed=feed)
    return Patched(plan, tuple(changed), in_feed)


def _swapped(value: Any, swap: Mapping[int, Any]) -> Any:
    """``value`` with the old document and card replaced; the same object if neither is in
    it. Contexts hold them directly or in lists (listings, related stories)."""
    found = swap.get(id(value))
    if found is not None:
        return found
    if type(value) is list and any(id(item) in swap for item in value):
        return [swap.get(id(item), item) for item in value]
    return value
