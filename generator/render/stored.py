"""Renderings in the cache: their keys, their JSON, and the pack of the last build.

A rendering is cached under a key that hashes everything it depends on (the renderer's
settings, the body, and the state of every route and image it could link to), as JSON
holding its HTML, links, images, problems and search words; a worker's renderings go
into one parts file (``Cache.put_parts``). The pack is one more entry holding all of
the last build's renderings but their HTML and words, with each one's place in the
parts files: an edit build reads that one file instead of ten thousand, and a page's
HTML is read only if the page is rendered again (most are carried over from the
previous release as they are).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from generator.cache import Cache, key
from generator.errors import Problem, Severity
from generator.images import ImagePlan, ImagePlanner, Variant
from generator.urls import Routes

# (kind, key) of the pack; the key carries the cache schema and generator version
PACK = ("markdown-pack", key("last", "no words", "parts"))
PARTS = "renderings"  # the cache kind of the files holding renderings (Cache.put_parts)
# the used renderings are written again, packed, once the parts files hold more unused
# bytes than this share of the used ones, and this many
UNUSED_SHARE = 1.0
COMPACT_AFTER = 32 << 20
COMPACT_BATCH = 2000


class _Later:
    """Text held, or read when first asked for: ``read(key, path)``."""

    __slots__ = ("_path", "_read", "_text", "key")

    def __init__(
        self,
        key: str,
        text: str | None = None,
        read: Callable[[str, str], str] | None = None,
        path: str = "",
    ):
        self.key, self._text, self._read, self._path = key, text, read, path

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._read is not None
            self._text = self._read(self.key, self._path)
        return self._text

    @property
    def path(self) -> str:
        """The file the text was made from ("" if not known)."""
        return self._path

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key[:12]}…)"


class Html(_Later):
    """A rendered body: its HTML, or how to read it when a page needs it.

    ``key`` is the rendering's cache key, which decides the HTML: page fingerprints hash
    the key, not the text, so a page carried over never needs its body read.
    Templates see a plain string (``write.pages`` resolves bodies before rendering)."""

    __slots__ = ()

    def __html__(self) -> str:
        return self.text


class Words(_Later):
    """A rendered body's search terms (``words.pack``), or how to read them: only the
    search index reads them, and only for the chunks of documents that changed; they
    were three quarters of the pack every edit build read and wrote."""

    __slots__ = ()


class BodyGone(Exception):
    """A body could not be read back from the cache, nor rendered again from its file."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Rendered:
    html: Html
    links: tuple[str, ...]  # site URLs this body links to
    images: tuple[ImagePlan, ...]
    words: str | Words = ""  # search terms of the text with counts (words.pack)


# Every token that could be a link or image target: found from its extension, then
# widened to the whole token. A superset of what Markdown will resolve, so a cached
# rendering is keyed on every route and image it could depend on.
_EXT = re.compile(r"\.(md|jpe?g|png|webp|gif)\b", re.IGNORECASE)
_TOKEN_STOP = frozenset(" \t\n()<>[]\"'`")


def targets(body: str) -> tuple[list[str], list[str]]:
    """(.md targets, image targets) mentioned anywhere in ``body``."""
    pages: set[str] = set()
    pics: set[str] = set()
    for match in _EXT.finditer(body):
        start = match.start()
        while start > 0 and body[start - 1] not in _TOKEN_STOP:
            start -= 1
        token = body[start : match.end()]
        (pages if match.group(1).lower() == "md" else pics).add(token)
    return sorted(pages), sorted(pics)


def cache_key(
    settings: str,
    found: tuple[list[str], list[str]],
    routes: Routes,
    planner: ImagePlanner,
    source: Any,  # .path, .folder, .body_line, .sha256
) -> str:
    """The key of a rendering; ``found`` is ``targets(body)``. The file's digest stands
    for the body (the same bytes split the same way), so a kept document's body need
    not be read to know its key."""
    deps = []
    md_targets, image_targets = found
    for target in md_targets:
        path = posixpath.normpath(posixpath.join(source.folder, unquote(target)))
        withheld = routes.withheld.get(path)
        state = routes.by_source.get(path) or (withheld.kind if withheld else "missing")
        deps.append(f"{target}={state}")
    for target in image_targets:
        path = posixpath.normpath(posixpath.join(source.folder, unquote(target)))
        deps.append(f"{target}={planner.digest(path) if path.startswith('content/') else '-'}")
    return key(
        settings,
        routes.base_path,
        source.path,
        source.folder,
        str(source.body_line),
        source.sha256,
        "\n".join(deps),
    )


def meta_json(rendered: Rendered, problems: list[Problem]) -> list[Any]:
    """Everything of a rendering but its HTML, as JSON values (the pack keeps all but
    the last, the words)."""
    images = [
        [
            i.source,
            i.url,
            i.width,
            i.height,
            i.format,
            [[v.url, v.width, v.height, v.format] for v in i.variants],
        ]
        for i in rendered.images
    ]
    found = [[p.severity.value, p.line, p.field, p.message, p.hint] for p in problems]
    return [list(rendered.links), images, found, str(rendered.words)]


def to_json(rendered: Rendered, problems: list[Problem]) -> dict[str, Any]:
    return {"html": rendered.html.text, "meta": meta_json(rendered, problems)}


def from_meta(
    data: Any, path: str, html: Html, lazy: Words | None = None
) -> tuple[Rendered, list[Problem]] | None:
    """A rendering from its meta; ``lazy``: its words, when the meta (the pack's) has
    none."""
    try:
        links, images, found, *text = data
        if len(text) != (0 if lazy else 1):
            return None
        plans = tuple(ImagePlan(*i[:5], tuple(Variant(*v) for v in i[5])) for i in images)
        problems = [
            Problem(path, line, field, msg, hint, Severity(sev))
            for sev, line, field, msg, hint in found
        ]
        words = lazy if lazy is not None else str(text[0])
        return Rendered(html, tuple(str(u) for u in links), plans, words), problems
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another shape: render afresh


def from_json(data: Any, path: str, k: str) -> tuple[Rendered, list[Problem]] | None:
    if not isinstance(data, dict) or not isinstance(data.get("html"), str):
        return None
    return from_meta(data.get("meta"), path, Html(k, data["html"], None, path))


class Pack:
    """The last build's renderings without their HTML, where each one's HTML is (its
    place in a parts file), and each body's link targets."""

    def __init__(self, cache: Cache):
        self.cache = cache
        data = cache.get(*PACK)
        ok = isinstance(data, dict)
        self.entries: dict[str, Any] = data.get("entries", {}) if ok else {}
        self.targets: dict[str, Any] = data.get("targets", {}) if ok else {}
        self.places: dict[str, Any] = data.get("places", {}) if ok else {}
        if not all(isinstance(d, dict) for d in (self.entries, self.targets, self.places)):
            self.entries, self.targets, self.places = {}, {}, {}
        # a rendering whose parts file is gone is not one: rendered again, put again
        files = cache.part_files(PARTS)
        for k in [k for k, p in self.places.items() if not (p and p[0] in files)]:
            del self.places[k]
        for k in [k for k in self.entries if k not in self.places]:
            del self.entries[k]
        self.used: dict[str, Any] = {}
        self.used_places: dict[str, Any] = {}
        self.found: dict[str, Any] = {}

    def targets_of(self, sha256: str, body: Callable[[], str]) -> tuple[list[str], list[str]]:
        """``targets(body())``, remembered by the digest of the file holding the body."""
        known = self.targets.get(sha256)
        if not (isinstance(known, list) and len(known) == 2):
            known = targets(body())
        self.found[sha256] = known
        return known[0], known[1]

    def use(self, k: str, meta: list[Any], place: list[Any] | None = None) -> None:
        """``place``: where a rendering made in this build was put (None: not put, or
        one of the last build's, whose place the pack knows)."""
        self.used[k] = meta
        place = place or self.places.get(k)
        if place is not None:
            self.used_places[k] = place

    def read(self, k: str) -> Any:
        """The JSON of a rendering (HTML, meta, words) from its place, or None."""
        payload = self.cache.get_part(PARTS, self.used_places.get(k) or self.places.get(k))
        try:
            return json.loads(payload) if payload is not None else None
        except ValueError:
            return None

    def save(self) -> None:
        """Keep what this build used, if it differs from what the pack holds; delete
        the parts files nothing uses, and write the used parts again, packed, once
        most of what the files hold is unused."""
        if (
            self.used.keys() == self.entries.keys()
            and self.found.keys() == self.targets.keys()
            and self.used_places == self.places
        ):
            return
        files = self.cache.part_files(PARTS)
        live = sum(p[2] for p in self.used_places.values())
        held = sum(files.get(name, 0) for name in {p[0] for p in self.used_places.values()})
        if held - live > max(live * UNUSED_SHARE, COMPACT_AFTER):
            self._compact()
        self.cache.put(
            PACK[0],
            PACK[1],
            {"entries": self.used, "targets": self.found, "places": self.used_places},
        )
        keep = {p[0] for p in self.used_places.values()}
        for name in files.keys() - keep:
            self.cache.drop_parts(PARTS, name)
        self.cache.drop_folder("markdown")  # one file per rendering, before parts

    def _compact(self) -> None:
        """The used renderings into new parts files, in the order of their places."""
        order = sorted(self.used_places, key=lambda k: self.used_places[k][:2])
        for start in range(0, len(order), COMPACT_BATCH):
            batch = order[start : start + COMPACT_BATCH]
            payloads = [self.cache.get_part(PARTS, self.used_places[k]) for k in batch]
            kept = [(k, p) for k, p in zip(batch, payloads, strict=True) if p is not None]
            for k in batch:
                del self.used_places[k]  # damaged: rendered again next time
            places = self.cache.put_parts(PARTS, [p for _, p in kept]) or []
            for (k, _), place in zip(kept, places, strict=False):
                self.used_places[k] = place
