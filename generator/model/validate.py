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
    META,
    Campaign,
    Gift,
    Milestone,
    Page,
    Source,
    Story,
)
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


def validate(source: SiteSource, config: SiteConfig, problems: Problems) -> Corpus:
    """Validate every document and the references between them."""
    context = {
        "injustice": config.vocabularies.injustice,
        "milestone_kind": config.vocabularies.milestone_kind,
    }
    known = _known_fields()
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for doc in source.docs:
        item = _validate_doc(doc, context, known, problems)
        if item is not None:
            by_kind[doc.kind].append(item)
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
        _fields_set=_fields_set(Source),
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
    return full.model_construct(_fields_set=_fields_set(full), **fields, source=src)


# Pydantic gives every model instance its own set of the fields that were given
# (``model_fields_set``, for ``exclude_unset``, which storysite never uses): 2 KB for
# a story, 47 MB of the build's memory at 10,000 stories, and scattered pages that
# each page worker copies. Documents share one set per model class instead. Pydantic
# copies the set before changing it (``model_copy``), so sharing it is safe.
_FIELDS_SETS: dict[type, set[str]] = {}


def _fields_set(model: type[BaseModel]) -> set[str]:
    shared = _FIELDS_SETS.get(model)
    if shared is None:
        shared = _FIELDS_SETS[model] = set(model.model_fields)
    return shared


_PLAIN = (str, int, float, bool, type(None))


def _share_fields_sets(value: Any) -> None:
    """Give the models inside a validated field value their class's shared set."""
    kind = type(value)
    if kind in _PLAIN:  # most values: no call per string of a story's tags and terms
        return
    if isinstance(value, BaseModel):
        object.__setattr__(value, "__pydantic_fields_set__", _fields_set(kind))
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
