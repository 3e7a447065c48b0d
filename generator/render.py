"""Rendering: Markdown bodies → HTML, with links between content files resolved.

Python-Markdown with footnotes, tables, attribute lists and heading anchors. A tree
processor turns relative links to other content files (``[x](other-story.md)``) into
the target page's URL, reporting a missing or unpublished target with its line, and
points Markdown images at their re-encoded, metadata-free copies. Pure apart from
``images`` measuring image files.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from generator import parallel, sanitize, words
from generator.cache import Cache, key
from generator.errors import Problem, Problems, Severity
from generator.images import ImagePlan, ImagePlanner, ImageProblem, Variant
from generator.urls import Routes

EXTENSIONS = ["footnotes", "tables", "attr_list", "toc", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": False},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}


@dataclass(frozen=True)
class Rendered:
    html: str
    links: tuple[str, ...]  # site URLs this body links to
    images: tuple[ImagePlan, ...]
    words: str = ""  # search terms of the text with counts (words.pack)


@dataclass
class _DocContext:
    path: str
    folder: str
    body: str
    body_line: int
    problems: Problems
    links: list[str]
    images: list[ImagePlan]


class _BadTarget(Exception):
    pass


class _LinkResolver(Treeprocessor):
    def __init__(self, md: markdown.Markdown, routes: Routes, planner: ImagePlanner):
        super().__init__(md)
        self.routes = routes
        self.planner = planner
        self.doc: _DocContext | None = None

    def run(self, root: Element) -> None:
        assert self.doc is not None
        for el in list(root.iter()):
            if el.tag == "a" and el.get("href"):
                self._link(el)
            elif el.tag == "img" and el.get("src"):
                self._image(el)

    def _line(self, target: str) -> int:
        doc = self.doc
        assert doc is not None
        pos = doc.body.find(target)
        return doc.body_line + (doc.body[:pos].count("\n") if pos >= 0 else 0)

    def _local(self, target: str) -> tuple[str, str] | None:
        """(site-relative path, #fragment) for a relative link to a file, else None.
        Raises _BadTarget for a target no browser could follow either."""
        try:
            parts = urlsplit(target)
        except ValueError:
            raise _BadTarget(f"{target} is not a valid address") from None
        if parts.scheme or parts.netloc or target.startswith(("/", "#")) or not parts.path:
            return None
        assert self.doc is not None
        name = unquote(parts.path)
        if any(ord(c) < 32 for c in name):
            raise _BadTarget(f"{target} contains a control character")
        path = posixpath.normpath(posixpath.join(self.doc.folder, name))
        return path, ("#" + parts.fragment if parts.fragment else "")

    def _checked(self, target: str) -> tuple[str, str] | None:
        """_local, with an unusable target reported at its line (and then ignored)."""
        try:
            return self._local(target)
        except _BadTarget as exc:
            assert self.doc is not None
            self.doc.problems.error(
                self.doc.path,
                self._line(target),
                None,
                f"link to {exc}",
                "check the address between the brackets",
            )
            return None

    def _link(self, el: Element) -> None:
        doc = self.doc
        assert doc is not None
        target = el.get("href", "")
        local = self._checked(target)
        if local is None or not local[0].endswith(".md"):
            return
        path, fragment = local
        line = self._line(target)
        url = self.routes.by_source.get(path)
        if url is not None:
            el.set("href", self.routes.href(url) + fragment)
            doc.links.append(url)
            return
        withheld = self.routes.withheld.get(path)
        if withheld is not None and withheld.is_taken_down:
            # A takedown must never be blocked by someone else's link: drop the link
            doc.problems.warning(
                doc.path,
                line,
                None,
                f"link to {path}, which is not published ({withheld.reason}); shown as plain text",
                "remove the link from this file",
            )
            _unlink(el)
        elif withheld is not None:
            doc.problems.error(
                doc.path,
                line,
                None,
                f"link to {path}, which is not published ({withheld.reason})",
                "remove the link, or publish that story",
            )
        else:
            doc.problems.error(
                doc.path,
                line,
                None,
                f"link to {target}: no such content file",
                "check the file name; links are relative to this file",
            )

    def _image(self, el: Element) -> None:
        doc = self.doc
        assert doc is not None
        target = el.get("src", "")
        local = self._checked(target)
        if local is None:
            return
        path = local[0]
        line = self._line(target)
        if not path.startswith("content/"):
            doc.problems.error(
                doc.path, line, None, f"image {target} is outside the content folder"
            )
            return
        if not el.get("alt"):
            doc.problems.error(
                doc.path,
                line,
                None,
                f"image {target} has no alt text",
                "write a description inside the brackets: ![a field at dawn](photo.jpg)",
            )
        try:
            plan = self.planner.plan(path)
        except ImageProblem as exc:
            doc.problems.error(doc.path, line, None, f"image {target}: {exc}")
            return
        el.set("src", self.routes.href(plan.url))
        el.set(
            "srcset",
            ", ".join(f"{self.routes.href(v.url)} {v.width}w" for v in plan.sources(plan.format)),
        )
        el.set("sizes", "(min-width: 44rem) 42rem, 100vw")
        el.set("width", str(plan.width))
        el.set("height", str(plan.height))
        el.set("loading", "lazy")
        el.set("decoding", "async")
        doc.images.append(plan)


def _unlink(el: Element) -> None:
    """Turn <a href=…>text</a> into <span>text</span>, keeping its children."""
    href_free = {k: v for k, v in el.attrib.items() if k not in {"href", "title"}}
    el.attrib.clear()
    el.attrib.update(href_free)
    el.tag = "span"


class Renderer:
    """One configured Markdown instance; reset between documents (cheap, unlike building one)."""

    def __init__(self, routes: Routes, planner: ImagePlanner, video_hosts: tuple[str, ...] = ()):
        self.video_hosts = video_hosts
        self.md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )
        self.resolver = _LinkResolver(self.md, routes, planner)
        # after inline patterns (priority 20) so links exist, before prettify
        self.md.treeprocessors.register(self.resolver, "storysite_links", 5)

    def render(
        self, path: str, folder: str, body: str, body_line: int, problems: Problems
    ) -> Rendered:
        ctx = _DocContext(path, folder, body, body_line, problems, [], [])
        self.resolver.doc = ctx
        self.md.reset()
        html = sanitize.clean(self.md.convert(body), self.video_hosts)
        self.resolver.doc = None
        found = words.pack(words.terms(words.visible_text(html)))
        return Rendered(html, tuple(ctx.links), tuple(ctx.images), found)


# Every token that could be a link or image target: found from its extension, then
# widened to the whole token. A superset of what Markdown will resolve, so a cached
# rendering is keyed on every route and image it could depend on.
_EXT = re.compile(r"\.(md|jpe?g|png|webp|gif)\b", re.IGNORECASE)
_TOKEN_STOP = frozenset(" \t\n()<>[]\"'`")
RENDER_SETTINGS = repr((EXTENSIONS, EXTENSION_CONFIGS, markdown.__version__, sanitize.POLICY))


def _targets(body: str) -> tuple[list[str], list[str]]:
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


def _cache_key(
    doc: Any, body: str, routes: Routes, planner: ImagePlanner, video_hosts: tuple[str, ...]
) -> str:
    src = doc.source
    deps = []
    md_targets, image_targets = _targets(body)
    for target in md_targets:
        path = posixpath.normpath(posixpath.join(src.folder, unquote(target)))
        withheld = routes.withheld.get(path)
        state = routes.by_source.get(path) or (withheld.kind if withheld else "missing")
        deps.append(f"{target}={state}")
    for target in image_targets:
        path = posixpath.normpath(posixpath.join(src.folder, unquote(target)))
        deps.append(f"{target}={planner.digest(path) if path.startswith('content/') else '-'}")
    return key(
        RENDER_SETTINGS,
        repr(sorted(video_hosts)),
        routes.base_path,
        src.path,
        src.folder,
        str(src.body_line),
        body,
        "\n".join(deps),
    )


def _to_json(rendered: Rendered, problems: list[Problem]) -> dict[str, Any]:
    return {
        "html": rendered.html,
        "links": list(rendered.links),
        "images": [
            [
                i.source,
                i.url,
                i.width,
                i.height,
                i.format,
                [[v.url, v.width, v.height, v.format] for v in i.variants],
            ]
            for i in rendered.images
        ],
        "problems": [[p.severity.value, p.line, p.field, p.message, p.hint] for p in problems],
        "words": rendered.words,
    }


def _from_json(data: Any, path: str) -> tuple[Rendered, list[Problem]] | None:
    try:
        images = tuple(ImagePlan(*i[:5], tuple(Variant(*v) for v in i[5])) for i in data["images"])
        problems = [
            Problem(path, line, field, msg, hint, Severity(sev))
            for sev, line, field, msg, hint in data["problems"]
        ]
        found = str(data["words"])
        return Rendered(str(data["html"]), tuple(data["links"]), images, found), problems
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another shape: render afresh


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
    not rendered again; the rest are rendered across worker processes.
    """
    cache = cache or Cache(None)
    out: dict[str, Rendered] = {}
    todo: list[tuple[Any, str]] = []
    for doc in docs:
        k = _cache_key(doc, bodies[doc.source.path], routes, planner, video_hosts)
        hit = _from_json(cache.get("markdown", k), doc.source.path)
        if hit is None:
            todo.append((doc, k))
            continue
        out[doc.source.path], replayed = hit
        problems.items.extend(replayed)
        for image in hit[0].images:
            planner.add(image)

    def job(chunk: Sequence[tuple[Any, str]]) -> list[dict[str, Any]]:
        renderer = Renderer(routes, planner, video_hosts)
        results = []
        for doc, k in chunk:
            src, local = doc.source, Problems()
            body = bodies[src.path]
            rendered = renderer.render(src.path, src.folder, body, src.body_line, local)
            data = _to_json(rendered, local.items)
            cache.put("markdown", k, data)  # here, in parallel: encoding it is not free
            results.append(data)
        return results

    for (doc, _), data in zip(todo, parallel.map_chunks(job, todo), strict=True):
        fresh = _from_json(data, doc.source.path)
        assert fresh is not None
        out[doc.source.path], found = fresh
        problems.items.extend(found)
        for image in fresh[0].images:
            planner.add(image)
    return out
