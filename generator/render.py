"""Rendering: Markdown bodies → HTML, with links between content files resolved.

Python-Markdown with footnotes, tables, attribute lists and heading anchors. A tree
processor turns relative links to other content files (``[x](other-story.md)``) into
the target page's URL, reporting a missing or unpublished target with its line, and
points Markdown images at their re-encoded, metadata-free copies. Pure apart from
``images`` measuring image files.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from generator.errors import Problems
from generator.images import ImagePlan, ImagePlanner, ImageProblem
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


@dataclass
class _DocContext:
    path: str
    folder: str
    body: str
    body_line: int
    problems: Problems
    links: list[str]
    images: list[ImagePlan]


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
        """(site-relative path, #fragment) for a relative link to a file, else None."""
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "#")) or not parts.path:
            return None
        assert self.doc is not None
        path = posixpath.normpath(posixpath.join(self.doc.folder, unquote(parts.path)))
        return path, ("#" + parts.fragment if parts.fragment else "")

    def _link(self, el: Element) -> None:
        doc = self.doc
        assert doc is not None
        target = el.get("href", "")
        local = self._local(target)
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
        local = self._local(target)
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

    def __init__(self, routes: Routes, planner: ImagePlanner):
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
        html = self.md.convert(body)
        self.resolver.doc = None
        return Rendered(html, tuple(ctx.links), tuple(ctx.images))


_TAGS = re.compile(r"<[^>]+>")


def plain_text(html: str) -> str:
    """Visible text of rendered HTML (for feeds' summaries and search)."""
    return " ".join(html_lib.unescape(_TAGS.sub(" ", html)).split())


def render_all(
    docs: Iterable[Any], routes: Routes, planner: ImagePlanner, problems: Problems
) -> dict[str, Rendered]:
    """Render the body of every published document, keyed by its source path."""
    renderer = Renderer(routes, planner)
    out: dict[str, Rendered] = {}
    for doc in docs:
        src = doc.source
        out[src.path] = renderer.render(src.path, src.folder, src.body, src.body_line, problems)
    return out
