"""The allow-list for HTML in Markdown: what an editor's raw HTML may contain.

Content is written by editors, and an editor's account can be compromised: raw HTML
in a story passes through nh3 (the Rust ammonia sanitizer), so <script>, event
handlers, style attributes, javascript: URLs and unknown tags never reach a page.
Video embeds are allowed only as <iframe> from hosts listed in site.yaml's
video_hosts, over https. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

import nh3

POLICY = "2"  # bump when the lists below change: cached renderings depend on them

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
_COMMON = {"id", "class", "title", "lang", "dir"}
ATTRIBUTES = {
    "*": _COMMON,
    "a": {"href", "rel", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "iframe": {
        "src",
        "title",
        "width",
        "height",
        "allow",
        "allowfullscreen",
        "loading",
        "referrerpolicy",
    },
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
SCHEMES = {"http", "https", "mailto", "tel"}


_OPTIONS: dict[str, Any] = {
    "tags": TAGS,
    "attributes": ATTRIBUTES,
    "url_schemes": SCHEMES,
    "link_rel": None,  # our own links need no rel; external ones get it in the theme
    "strip_comments": True,
}
# Built once: nh3.clean converts the allow-lists on every call, a third of its time
_PLAIN = nh3.Cleaner(**_OPTIONS)
# a frame left without a source (nh3 writes tags in lower case, values in double quotes)
_EMPTY_FRAME = re.compile(r'<iframe(?: (?!src=)[a-z-]+="[^"]*")*></iframe>')


def clean(html: str, video_hosts: Collection[str]) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    # A frame's tag name is "iframe" in any ASCII case, so lower case finds every one;
    # a case-blind regular expression (no literal search) took longer than nh3 itself
    if "iframe" not in html.lower():
        # no frame, so no frame source to check: nothing for a filter called from
        # Rust on every attribute of every element (the same HTML either way)
        return _PLAIN.clean(html)
    hosts = frozenset(video_hosts)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and parts.hostname in hosts else None
        return value

    cleaned = nh3.clean(html, attribute_filter=keep, **_OPTIONS)
    # An iframe whose source was refused would be an empty frame: drop it whole
    return _EMPTY_FRAME.sub("", cleaned) if "<iframe" in cleaned else cleaned
