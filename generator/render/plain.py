"""Plain documents written straight to HTML, as Python-Markdown would write them.

A story is paragraphs, a few ``## `` headings, short lists and now and then a quote,
with plain emphasis and links. For such a document Python-Markdown still tests every
block against thirteen processors, builds a tree, walks it six times and serializes
it: 0.4 ms a story, most of what a cold build spends rendering. A document made only
of the shapes below is written here in one pass over its lines, with the same HTML;
anything else goes the stock way, whole.

Blocks are separated by empty lines. Each is, entirely:

- a heading: ``#`` to ``######``, one space, words (no ``#`` or inline Markdown);
  one may also end or start a block of the other kinds, as the stock parser splits
  such a block there;
- a list: lines ``- item`` (or ``* ``, ``+ ``); right after another list, the stock
  parser adds its items to that one, two of them in paragraphs, and so does this;
- a quote: lines ``> text``; right after another quote, a paragraph of it;
- a paragraph: lines that start with nothing a block processor looks for.

Every line starts with a letter, a digit (not a list number), a quotation mark or a
parenthesis (or, in text, a ``*`` or ``[`` opening an ``inline`` form) and has no tab;
the text holds nothing ``inline.forms`` refuses, nor ``{`` (attribute lists). Links
are resolved by the renderer's ``LinkResolver``, as in the stock pass, once the whole
document has been accepted: a refused document has reported nothing. ``writer`` gives
nothing for a Markdown whose processors are not the ones this was written against
(another release, another extension): every document then goes the stock way.
``tests/test_plain.py`` converts documents of every shape and near miss both ways, the
other way being Python-Markdown as it comes, and compares.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

import markdown
from markdown.extensions.toc import unique
from markdown.serializers import _escape_attrib_html, to_html_string

from generator.render import inline, prefilter

# The processors of the Markdown this writes like, in their order
_PRE = ["QuickNormalizeWhitespace", "QuickHtmlBlock"]
_BLOCK = [
    "EmptyBlockProcessor",
    "ListIndentProcessor",
    "CodeBlockProcessor",
    "TableProcessor",
    "HashHeaderProcessor",
    "SetextHeaderProcessor",
    "HRProcessor",
    "SaneOListProcessor",
    "SaneUListProcessor",
    "BlockQuoteProcessor",
    "FootnoteBlockProcessor",
    "ReferenceProcessor",
    "ParagraphProcessor",
]
_TREE = sorted(
    [
        "FootnoteTreeprocessor",
        "QuickInline",
        "FootnotePostTreeprocessor",
        "PrettifyTreeprocessor",
        "QuickAttrList",
        "QuickToc",
        "QuickUnescape",
        "LinkResolver",  # (in no order: it and the table of contents share a priority)
    ]
)
_POST = ["RawHtmlPostprocessor", "FootnotePostprocessor", "AndSubstitutePostprocessor"]

_HEADING = re.compile(r"(#{1,6}) ([^#\s](?:[^#]*[^#\s])?)\Z")
# What a line of text may start with: no block processor takes such a line
_STARTS = re.compile(r"[^\W\d_]|\d+(?![\d.])|[\"'(“‘]|\*{1,3}(?=[^\s*])|\[")
_ITEM = re.compile(r"[-*+] ")
# Nowhere in a plain document: attribute lists, tabs, line ends other than "\n". (A
# table needs a line of "-", ":" or "|" under its head: no line here starts so; the
# placeholders Python-Markdown keeps for itself are refused by ``inline.forms``.)
_NEVER = ("{", "\t", "\r")
# The list expressions this was written against (the others are prefilter's)
_LISTS = {
    "SaneOListProcessor": r"^[ ]{0,3}\d+\.[ ]+(.*)",
    "SaneUListProcessor": r"^[ ]{0,3}[*+-][ ]+(.*)",
}

Link = Callable[[etree.Element], None]


class _Refused(Exception):
    pass


class Plain:
    """``__call__(body)``: the body's HTML, or None where the stock conversion must run."""

    def __init__(self, md: markdown.Markdown, link: Link):
        toc = md.treeprocessors["toc"]
        self.slugify, self.sep = toc.slugify, toc.sep
        self.link = link

    def __call__(self, body: str) -> str | None:
        try:
            blocks = _blocks(body)
        except _Refused:
            return None
        ids: set[str] = set()
        counters: dict[str, int] = {}
        out = []
        for kind, value in blocks:
            if kind == "h":
                level, text = value
                name = unique(self.slugify(text, self.sep), ids, counters)
                out.append(f'<h{level} id="{_escape_attrib_html(name)}">{text}</h{level}>')
            elif kind == "p":
                out.append(f"<p>{self._text(*value)}</p>")
            elif kind == "ul":
                items = "".join(
                    f"<li>\n<p>{self._text(*text)}</p>\n</li>\n"
                    if loose
                    else f"<li>{self._text(*text)}</li>\n"
                    for loose, text in value
                )
                out.append(f"<ul>\n{items}</ul>")
            else:
                paragraphs = "".join(f"<p>{self._text(*text)}</p>\n" for text in value)
                out.append(f"<blockquote>\n{paragraphs}</blockquote>")
        return "\n".join(out)

    def _text(self, text: str, found: list[re.Match[str]]) -> str:
        if not found:
            return text
        out, end = [], 0
        for m in found:
            out.append(text[end : m.start()])
            end = m.end()
            if inline.is_link(m):
                el = etree.Element("a", {"href": m.group("url")})
                self.link(el)  # as the stock pass resolves it: may report, or unlink
                words = m.group("text")
                if el.tag == "a":
                    out.append(f'<a href="{_escape_attrib_html(el.get("href", ""))}">{words}</a>')
                else:
                    out.append(f"<{el.tag}>{words}</{el.tag}>")
            else:
                names = inline.tags(m)
                opening = "".join(f"<{n}>" for n in names)
                closing = "".join(f"</{n}>" for n in reversed(names))
                out.append(f"{opening}{m.group('inner')}{closing}")
        out.append(text[end:])
        return "".join(out)


def writer(md: markdown.Markdown, link: Link) -> Plain | None:
    """A ``Plain`` for ``md``, if it is the Markdown this module writes like."""
    toc = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None  # noqa: SIM401 (a Registry has no get)
    if (
        [type(p).__name__ for p in md.preprocessors] != _PRE
        or [type(p).__name__ for p in md.parser.blockprocessors] != _BLOCK
        or sorted(type(p).__name__ for p in md.treeprocessors) != _TREE
        or [type(p).__name__ for p in md.postprocessors] != _POST
        or md.serializer is not to_html_string
        or not md.stripTopLevelTags
        or inline.shortcut(list(md.inlinePatterns)) is None
        or None in (prefilter.inline_needs(p) for p in md.inlinePatterns)
        or not all(_known_block(p) for p in md.parser.blockprocessors)
        or toc is None
        or toc.base_level != 0
        or toc.use_anchors
        or toc.use_permalinks not in (False, None)
    ):
        return None
    return Plain(md, link)


def _known_block(processor: Any) -> bool:
    name = type(processor).__name__
    if name in _LISTS:
        return getattr(processor.RE, "pattern", None) == _LISTS[name]
    if any(name == known for known, _ in prefilter.BLOCK_NEEDS):
        return prefilter.block_needs(processor) is not None
    return True  # no expression: the processors that take what no line here holds


def _blocks(body: str) -> list[tuple[str, Any]]:
    """The document's blocks: ("h", (level, text)), ("p", text), ("ul", [(loose,
    text), ...]), ("q", [text, ...]), each text with its ``inline.forms``. Raises
    _Refused."""
    for never in _NEVER:
        if never in body:
            raise _Refused
    blocks: list[tuple[str, Any]] = []
    group: list[str] = []
    for line in [*body.split("\n"), ""]:
        if line:  # (one indented, or of spaces only, starts as no text may)
            group.append(line)
        elif group:
            _block(group, blocks)
            group = []
    if not blocks:
        raise _Refused  # (no text: the stock conversion gives "")
    return blocks


def _block(lines: list[str], blocks: list[tuple[str, Any]]) -> None:
    """The blocks of lines between empty lines, added to ``blocks``."""
    start = 0
    for i, line in enumerate(lines):
        if line[0] == "#":  # the stock parser splits a block at a heading, wherever it is
            if start < i:
                _lines(lines[start:i], blocks)
            m = _HEADING.match(line)
            if m is None:
                raise _Refused
            text = m.group(2)
            if inline.forms(text) != []:  # words only: their own name in the contents
                raise _Refused
            blocks.append(("h", (len(m.group(1)), text)))
            start = i + 1
    if start < len(lines):
        _lines(lines[start:], blocks)


def _lines(lines: list[str], blocks: list[tuple[str, Any]]) -> None:
    """A list, a quote or a paragraph: lines with no heading among them."""
    last = blocks[-1] if blocks else ("", None)
    first = lines[0][0]
    if first in "-*+" and _ITEM.match(lines[0]):
        items = []
        for line in lines:
            if not _ITEM.match(line):
                raise _Refused
            items.append((False, _text(line[2:])))
        if last[0] != "ul":
            blocks.append(("ul", items))
            return
        # Right after a list, the stock parser adds the items to it, the list's last
        # item and this block's first each in a paragraph now (a "loose" item)
        before = last[1]
        before[-1] = (True, before[-1][1])
        items[0] = (True, items[0][1])
        before.extend(items)
    elif first == ">":
        texts = []
        for line in lines:
            if not line.startswith("> "):
                raise _Refused
            texts.append(line[2:])
        text = _text("\n".join(texts))
        if last[0] == "q":  # right after a quote: another paragraph of it
            last[1].append(text)
        else:
            blocks.append(("q", [text]))
    else:
        blocks.append(("p", _text("\n".join(lines))))


def _text(text: str) -> tuple[str, list[re.Match[str]]]:
    """Text of lines each starting as plain text does, with its forms. Raises _Refused."""
    for line in text.split("\n"):
        if not _STARTS.match(line):
            raise _Refused
    found = inline.forms(text)
    if found is None:
        raise _Refused
    return text, found
