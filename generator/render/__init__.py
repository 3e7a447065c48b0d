"""Rendering: Markdown bodies → HTML, with links between content files resolved.

Python-Markdown with footnotes, tables, attribute lists and heading anchors; ``links``
resolves links and images, ``stored`` keeps renderings in the cache. Pure apart from
``images`` measuring image files, and the cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import markdown

from generator import load, parallel, sanitize, words
from generator.cache import Cache
from generator.errors import Problems
from generator.images import ImagePlanner
from generator.render import plain, prefilter
from generator.render.links import DocContext, LinkResolver
from generator.render.stored import (
    PARTS,
    BodyGone,
    Html,
    Pack,
    Rendered,
    Words,
    cache_key,
    from_json,
    from_meta,
    targets,
    to_json,
)
from generator.urls import Routes

__all__ = ["BodyGone", "Html", "Rendered", "Renderer", "render_all"]

EXTENSIONS = ["footnotes", "tables", "attr_list", "toc", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": False},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}


class Renderer:
    """One configured Markdown instance; reset between documents (cheap, unlike building one)."""

    def __init__(self, routes: Routes, planner: ImagePlanner, video_hosts: tuple[str, ...] = ()):
        self.video_hosts = video_hosts
        self.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        prefilter.install(self.md)
        self.resolver = LinkResolver(self.md, routes, planner)
        # after inline patterns (priority 20) so links exist, before prettify
        self.md.treeprocessors.register(self.resolver, "storysite_links", 5)
        # most stories: written straight to HTML, the same as the stock conversion's
        self.plain = plain.writer(self.md, self.resolver.link)

    def render(
        self, path: str, folder: str, body: str, body_line: int, problems: Problems, key: str = ""
    ) -> Rendered:
        """``key``: the rendering's cache key, if it has one (see ``stored.Html``)."""
        ctx = DocContext(path, folder, body, body_line, problems, [], [])
        self.resolver.doc = ctx
        converted = self.plain(body) if self.plain is not None else None
        if converted is None:
            self.md.reset()
            converted = self.md.convert(body)
        html = sanitize.clean(converted, self.video_hosts)
        self.resolver.doc = None
        found = words.pack(words.html_terms(html))
        return Rendered(Html(key, html), tuple(ctx.links), tuple(ctx.images), found)


RENDER_SETTINGS = repr((EXTENSIONS, EXTENSION_CONFIGS, markdown.__version__, sanitize.POLICY))


class _Reader:
    """Reads a body's HTML back from the cache when a page needs it; if its entry is
    gone or damaged since, renders it again from its file, which must still be the one
    the build read (the key says so)."""

    def __init__(
        self, pack: Pack, routes: Routes, planner: ImagePlanner, video_hosts: tuple[str, ...]
    ):
        self.pack = pack
        self.routes = routes
        self.planner = planner
        self.video_hosts = video_hosts

    def __call__(self, k: str, path: str) -> str:
        return self.entry(k, path).html.text

    def words(self, k: str, path: str) -> str:
        return str(self.entry(k, path).words)

    def entry(self, k: str, path: str) -> Rendered:
        hit = from_json(self.pack.read(k), path, k)
        if hit is not None:
            return hit[0]
        problems = Problems()
        doc = load.read_doc(self.planner.site_dir, path, problems)
        if (
            doc is None
            or _fresh_key(doc, doc.body, self.routes, self.planner, self.video_hosts)[0] != k
        ):
            raise BodyGone(path, "the file changed while the site was being built")
        renderer = Renderer(self.routes, self.planner, self.video_hosts)
        # not put back: the next build finds its place damaged and renders it again
        return renderer.render(path, doc.folder, doc.body, doc.body_line, problems, k)


def _key(
    source: Any,
    bodies: Mapping[str, str],
    routes: Routes,
    planner: ImagePlanner,
    video_hosts: tuple[str, ...],
    pack: Pack,
) -> str:
    """The rendering's key; ``bodies`` are read only if the pack does not know the
    body's link targets (a kept document's body is read only then)."""

    def text() -> str:
        return bodies[source.path]

    found = pack.targets_of(source.sha256, text)
    return cache_key(_settings(video_hosts), found, routes, planner, source)


def _settings(video_hosts: tuple[str, ...]) -> str:
    return RENDER_SETTINGS + repr(sorted(video_hosts))


def _fresh_key(
    source: Any, body: str, routes: Routes, planner: ImagePlanner, video_hosts: tuple[str, ...]
) -> tuple[str, tuple[list[str], list[str]]]:
    """``_key`` of a body at hand, and its link targets (for the pack)."""
    found = targets(body)
    return cache_key(_settings(video_hosts), found, routes, planner, source), found


def render_all(
    docs: Iterable[Any],
    bodies: Mapping[str, str],
    routes: Routes,
    planner: ImagePlanner,
    problems: Problems,
    cache: Cache | None = None,
    video_hosts: tuple[str, ...] = (),
) -> dict[str, Rendered]:
    """Render the body of every published document, keyed by its source path.

    ``bodies`` maps each document's source path to its Markdown (``load.bodies``).

    Bodies found in the cache (same text, same routes for every link, same images) are
    not rendered again; the rest are rendered across worker processes. A body found in
    the last build's pack is not even read: its HTML is read if a page needs it.
    """
    cache = cache or Cache(None)
    pack = Pack(cache)
    read = _Reader(pack, routes, planner, video_hosts)
    out: dict[str, Rendered] = {}
    todo: list[tuple[Any, str, str]] = []
    # Nothing from a last build (a cold one): every body is rendered, and its key ("")
    # is worked out by the worker that renders it (0.25 s of the parent's time at 10,000)
    cold = not pack.entries
    for doc in docs:
        src = doc.source
        try:
            k = "" if cold else _key(src, bodies, routes, planner, video_hosts, pack)
        except load.FileChanged as exc:
            out[src.path] = _changed(exc, problems)
            continue
        meta = pack.entries.get(k)
        hit = None
        if meta:
            lazy = Words(k, None, read.words, src.path)
            hit = from_meta(meta, src.path, Html(k, None, read, src.path), lazy)
        if hit is None:
            try:
                todo.append((doc, k, bodies[src.path]))  # read here, before forking
            except load.FileChanged as exc:
                out[src.path] = _changed(exc, problems)
            continue
        pack.use(k, meta[:3])
        out[src.path], replayed = hit
        problems.items.extend(replayed)
        for image in hit[0].images:
            planner.add(image)

    def job(chunk: Sequence[tuple[Any, str, str]]) -> list[tuple[dict[str, Any], Any, Any]]:
        renderer = Renderer(routes, planner, video_hosts)
        results, payloads, keys = [], [], []
        for doc, k, body in chunk:
            src, local = doc.source, Problems()
            found = None
            if not k:
                k, found = _fresh_key(src, body, routes, planner, video_hosts)
            keys.append((k, found))
            rendered = renderer.render(src.path, src.folder, body, src.body_line, local, k)
            data = to_json(rendered, local.items)
            results.append(data)
            # encoded here, in parallel: it is not free; the chunk's renderings in one file
            payloads.append(json.dumps(data, separators=(",", ":")).encode())
        places = cache.put_parts(PARTS, payloads) or [None] * len(results)
        # Put away: the HTML is read back from its place by the page that shows it,
        # as after an edit, not sent back to be held by the parent and copied again
        # into each page worker that touches it (peak 513 -> 501 MiB at 10,000 stories)
        return [
            ({"meta": data["meta"]} if place else data, place, made)
            for data, place, made in zip(results, places, keys, strict=True)
        ]

    # Markdown's time goes with the length of the text (and some per document): the
    # last chunk (milestones, pages: shorter than stories) had ended 1.2 s before the
    # other at 10,000 stories, its worker idle
    done = parallel.map_chunks(job, todo, weight=lambda item: 1000 + len(item[2]))
    for (doc, _k, _body), (data, place, (k, found)) in zip(todo, done, strict=True):
        path = doc.source.path
        if found is not None:
            pack.found[doc.source.sha256] = found
        if place:
            fresh = from_meta(data["meta"], path, Html(k, None, read, path))
        else:
            fresh = from_json(data, path, k)
        assert fresh is not None
        pack.use(k, data["meta"][:3], place)
        out[path], found = fresh
        problems.items.extend(found)
        for image in fresh[0].images:
            planner.add(image)
    if not cache.readonly:
        pack.save()
    return out


def _changed(exc: load.FileChanged, problems: Problems) -> Rendered:
    """The error; and an empty body, so that later stages can still report theirs."""
    problems.error(
        exc.path,
        None,
        None,
        "the file changed while the site was being built",
        "build again once the file is saved",
    )
    return Rendered(Html("", ""), (), ())
