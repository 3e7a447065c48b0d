"""Links and images inside a Markdown body: a tree processor that turns relative links
to other content files (``[x](other-story.md)``) into the target page's URL, reporting a
missing or unpublished target with its line, and points Markdown images at their
re-encoded, metadata-free copies."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from generator.errors import Problems
from generator.images import ImagePlan, ImagePlanner, ImageProblem
from generator.urls import Routes


@dataclass
class DocContext:
    path: str
    folder: str
    body: str
    body_line: int
    problems: Problems
    links: list[str]
    images: list[ImagePlan]


class _BadTarget(Exception):
    pass


class LinkResolver(Treeprocessor):
    def __init__(self, md: markdown.Markdown, routes: Routes, planner: ImagePlanner):
        super().__init__(md)
        self.routes = routes
        self.planner = planner
        self.doc: DocContext | None = None

    def run(self, root: Element) -> None:
        assert self.doc is not None
        for el in list(root.iter()):
            if el.tag == "a" and el.get("href"):
                self.link(el)
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

    def link(self, el: Element) -> None:
        """Point a link to a content file at its page (or report it, or unlink it)."""
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
