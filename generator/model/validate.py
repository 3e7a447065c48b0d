"""Validation: SourceDoc values → typed documents (Corpus), every problem located.

Checks each file against its model, then what only the whole site can tell:
duplicate slugs, references to unknown stories, images that are missing or outside
the site, video hosts not on the allow-list. Pure: works on values ``load`` read.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from generator.config import SiteConfig
from generator.errors import Problems
from generator.load import SiteSource, SourceDoc
from generator.model.content import (
    FULL,
    KIND_OF,
    META,
    Campaign,
    Gift,
    Milestone,
    Page,
    Source,
    Story,
    fields_set,
)
from generator.model.snapshot import Snapshot
from generator.yamldoc import line_of, report_validation

IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


@dataclass(frozen=True)
class Corpus:
    """Every valid document of the site, each kind sorted by path."""

    stories: tuple[Story, ...]
    milestones: tuple[Milestone, ...]
    pages: tuple[Page, ...]
    campaigns: tuple[Campaign, ...]
    gifts: tuple[Gift, ...]
    data: Mapping[str, Any]  # other files of content/data, by stem
    static: tuple[str, ...]


def _known_fields() -> list[str]:
    names: set[str] = set()
    stack: list[type[BaseModel]] = [*list(META.values()), Gift]
    while stack:
        model = stack.pop()
        for name, info in model.model_fields.items():
            names.add(name)
            for arg in (*getattr(info.annotation, "__args__", ()), info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in stack:
                    stack.append(arg)
    return sorted(names)


def validate(
    source: SiteSource, config: SiteConfig, problems: Problems, snapshot: Snapshot | None = None
) -> Corpus:
    """Validate every document and the references between them. The documents load
    kept unread (``source.kept``) are taken from ``snapshot`` as validated before; the
    ones read and found valid are recorded in it."""
    context = {
        "injustice": config.vocabularies.injustice,
        "milestone_kind": config.vocabularies.milestone_kind,
    }
    known = _known_fields()
    by_kind: dict[str, list[Any]] = defaultdict(list)
    items: list[tuple[str, str, Any]] = []  # (path, kind, item), in path order
    for doc in source.docs:
        item = _validate_doc(doc, context, known, problems)
        if item is not None:
            items.append((doc.path, doc.kind, item))
            if snapshot is not None:
                snapshot.record(doc, item)
    if source.kept:
        assert snapshot is not None
        items += [(p, KIND_OF[type(snapshot.item(p))], snapshot.item(p)) for p in source.kept]
        items.sort(key=lambda i: i[0])  # the first of two claiming a slug keeps it
    for _path, kind, item in items:
        by_kind[kind].append(item)
    for kind, items in by_kind.items():
        by_kind[kind] = _unique_slugs(kind, items, problems)
    stories = tuple(by_kind["story"])
    story_slugs = {s.slug for s in stories}
    for story in stories:
        _check_refs(story, "related", story.related, story_slugs, problems)
        _check_video(story, config, problems)
    for doc in by_kind["milestone"] + by_kind["page"]:
        _check_refs(doc, "stories", doc.stories, story_slugs, problems)
    stories = tuple(_with_image(s, source, problems) for s in stories)
    campaigns = tuple(_with_image(c, source, problems) for c in by_kind["campaign"])
    gifts = _gifts(source, known, problems)
    data = {k: v.data for k, v in source.data.items() if k != "gifts"}
    return Corpus(
        stories,
        tuple(by_kind["milestone"]),
        tuple(by_kind["page"]),
        campaigns,
        gifts,
        data,
        source.static,
    )


def validate_one(doc: SourceDoc, config: SiteConfig, problems: Problems) -> Any:
    """One document against its model alone (the preview's quick path). The checks
    between documents are left out: the quick path only takes an edit that cannot
    change their outcome (see ``site.patch``)."""
    context = {
        "injustice": config.vocabularies.injustice,
        "milestone_kind": config.vocabularies.milestone_kind,
    }
    return _validate_doc(doc, context, _known_fields(), problems)


def _validate_doc(
    doc: SourceDoc, context: dict[str, Any], known: list[str], problems: Problems
) -> Any:
    try:
        front = META[doc.kind].model_validate(dict(doc.meta), context=context)
    except ValidationError as exc:
        report_validation(exc, doc.path, doc.lines, 0, 1, known, problems)
        return None
    slug = front.slug or doc.stem  # type: ignore[attr-defined]
    if front.slug is None and not _is_slug(slug):  # type: ignore[attr-defined]
        problems.error(
            doc.path,
            None,
            None,
            f"file name '{slug}' cannot be a URL slug",
            "rename the file with lowercase letters, digits and hyphens, or set slug:",
        )
        return None
    src = Source.model_construct(
        _fields_set=fields_set(Source),
        path=doc.path,
        lines=doc.lines,
        body_line=doc.body_line,
        sha256=doc.sha256,
        folder=doc.folder,
    )
    fields = {name: getattr(front, name) for name in type(front).model_fields}
    for value in fields.values():
        _share_fields_sets(value)
    fields["slug"] = slug
    full = FULL[doc.kind]
    return full.model_construct(_fields_set=fields_set(full), **fields, source=src)


_PLAIN = (str, int, float, bool, type(None))


def _share_fields_sets(value: Any) -> None:
    """Give the models inside a validated field value their class's shared set."""
    kind = type(value)
    if kind in _PLAIN:  # most values: no call per string of a story's tags and terms
        return
    if isinstance(value, BaseModel):
        object.__setattr__(value, "__pydantic_fields_set__", fields_set(kind))
        for name in kind.model_fields:
            item = getattr(value, name)
            if type(item) not in _PLAIN:
                _share_fields_sets(item)
    elif kind is tuple or kind is list:
        for item in value:
            if type(item) not in _PLAIN:
                _share_fields_sets(item)


def _is_slug(text: str) -> bool:
    from generator.model.fields import SLUG_RE

    return bool(SLUG_RE.match(text))


def _line(doc: Any, *key: str | int) -> int | None:
    return line_of(doc.source.lines, key, 1)


def _unique_slugs(kind: str, items: list[Any], problems: Problems) -> list[Any]:
    """The items with a slug of their own; a second claim is an error and left out (so
    later stages do not report the same clash again as a URL taken twice)."""
    seen: dict[str, Any] = {}
    for item in items:
        first = seen.setdefault(item.slug, item)
        if first is not item:
            problems.error(
                item.source.path,
                _line(item, "slug"),
                "slug",
                f"{kind} slug '{item.slug}' is already used by {first.source.path}",
                "give one of them a different file name or slug:",
            )
    return list(seen.values())


def _check_refs(
    doc: Any, field: str, slugs: tuple[str, ...], known: set[str], problems: Problems
) -> None:
    for i, slug in enumerate(slugs):
        if slug not in known:
            problems.error(
                doc.source.path,
                _line(doc, field, i),
                f"{field}[{i}]",
                f"no story has the slug '{slug}'",
                "use the file name of a story in content/stories/ without .md",
            )


def _check_video(story: Story, config: SiteConfig, problems: Problems) -> None:
    if story.video is None:
        return
    host = urlsplit(story.video.url).hostname or ""
    if host not in config.video_hosts:
        allowed = ", ".join(config.video_hosts) or "none yet"
        problems.error(
            story.source.path,
            _line(story, "video", "url"),
            "video.url",
            f"video host '{host}' is not allowed (allowed: {allowed})",
            "add the host to video_hosts in site.yaml if it is trusted",
        )


def _with_image(doc: Any, source: SiteSource, problems: Problems) -> Any:
    """Resolve image.src to a site-relative file path, refusing anything outside content/."""
    if doc.image is None:
        return doc
    src = doc.image.src
    line = _line(doc, "image", "src")
    candidates = [
        posixpath.normpath(posixpath.join(doc.source.folder, src)),
        posixpath.normpath(posixpath.join("content", src)),
    ]
    if src.startswith("/") or ".." in src.split("/"):
        problems.error(
            doc.source.path,
            line,
            "image.src",
            f"'{src}' points outside the content folder",
            "put the image beside the story (content/stories/<slug>/photo.jpg)",
        )
        return doc
    if not src.lower().endswith(IMAGE_TYPES):
        problems.error(
            doc.source.path, line, "image.src", f"'{src}' is not a JPEG, PNG, WebP or GIF image"
        )
        return doc
    for path in candidates:
        if path in source.assets:
            return doc.model_copy(update={"image_path": path})
    problems.error(
        doc.source.path,
        line,
        "image.src",
        f"image file '{src}' not found",
        f"put it at {candidates[0]}",
    )
    return doc


def _gifts(source: SiteSource, known: list[str], problems: Problems) -> tuple[Gift, ...]:
    item = source.data.get("gifts")
    if item is None:
        return ()
    if not isinstance(item.data, list):
        problems.error(item.path, 1, None, "must be a list of {amount, currency, provides}")
        return ()
    gifts: list[Gift] = []
    for i, entry in enumerate(item.data):
        try:
            gifts.append(Gift.model_validate(entry))
        except ValidationError as exc:
            shifted = {k[1:]: v for k, v in item.lines.items() if k and k[0] == i}
            report_validation(exc, item.path, shifted, 0, item.lines.get((i,), 1), known, problems)
    return tuple(sorted(gifts, key=lambda g: (g.currency, g.amount)))
