"""A shortcut through Python-Markdown's inline pass for the text most stories are made of.

A story's paragraphs are words with now and then ``*emphasis*``, ``**strong**`` and a
``[link](url)``. Python-Markdown's inline pass tries its patterns one by one, and its
link and emphasis code walks the text a character at a time in Python: half of a
story's conversion at 10,000 stories. Text that holds no Markdown but those three
forms, each in its plainest shape, is converted here (``str.find`` to each ``*`` and
``[``, an anchored match there) into the same placeholders and elements the stock pass
would make; any other text (code, escapes, raw HTML, entities, footnotes, images,
references, underscores, a ``*`` or ``[`` outside those shapes) goes through the stock
pass as before.

The shapes are narrow on purpose: an emphasis holds no markup and no line break,
starts and ends with a letter or digit, and closes before a space, the end or a
punctuation mark (where Python-Markdown pairs a ``*`` run with the next of the same
length whatever its neighbours); a link's text and URL hold no brackets, spaces,
quotes or markup. ``tests/test_inline.py`` converts each shape between every
character that could change its reading, both ways, and compares.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

_LINK = (
    r"\[(?<!!\[)(?P<text>[^\[\]\n\\`*_<>&^\x02\x03]+)\]"
    r"\((?P<url>[^\s()<>\"'\\`*_&\[\]\x02\x03]+)\)"
)
_EMPHASIS = (
    r"(?P<stars>\*{1,3})"
    r"(?P<inner>[^\W_](?:[^*\[\]\n`\\<>&_\x02\x03]*[^\W_])?)"
    r"(?P=stars)(?=$|[ \n.,;:!?)])"
)
_LINK_AT = re.compile(_LINK)
_EMPHASIS_AT = re.compile(_EMPHASIS)
# what a text taken here holds nowhere (not in the forms either)
_NEVER = ("`", "\\", "<", ">", "&", "_", "\x02", "\x03", "  \n")
_TAGS = {1: ("em",), 2: ("strong",), 3: ("strong", "em")}  # outermost first
# the stock patterns, in their order: the shortcut is taken only with exactly these
# (an extension's own pattern could match plain words)
_STOCK = [
    "BacktickInlineProcessor",
    "EscapeInlineProcessor",
    "FootnoteInlineProcessor",  # the footnotes extension's
    "ReferenceInlineProcessor",
    "LinkInlineProcessor",
    "ImageInlineProcessor",
    "ImageReferenceInlineProcessor",
    "ShortReferenceInlineProcessor",
    "ShortImageReferenceInlineProcessor",
    "AutolinkInlineProcessor",
    "AutomailInlineProcessor",
    "SubstituteTagInlineProcessor",
    "HtmlInlineProcessor",
    "HtmlInlineProcessor",
    "DelimiterProcessor",
]

Shortcut = Callable[[Any, str], "str | None"]


def forms(data: str) -> list[re.Match[str]] | None:
    """The emphasis and links of a text, in order; None if it holds any other Markdown
    (or these forms in other shapes)."""
    for never in _NEVER:
        if never in data:
            return None
    # Every "*" and "[" must open one of the forms (found by str.find, at C speed:
    # a regular expression searching for either took longer than all the rest)
    found = []
    end = 0
    star, bracket = data.find("*"), data.find("[")
    while star >= 0 or bracket >= 0:
        if bracket < 0 or 0 <= star < bracket:
            m = _EMPHASIS_AT.match(data, star)
        else:
            m = _LINK_AT.match(data, bracket)
        if m is None:
            return None
        found.append(m)
        end = m.end()
        if 0 <= star < end:
            star = data.find("*", end)
        if 0 <= bracket < end:
            bracket = data.find("[", end)
    # (a "]" alone is text to every stock pattern)
    return found


def is_link(m: re.Match[str]) -> bool:
    return m.re is _LINK_AT


def tags(m: re.Match[str]) -> tuple[str, ...]:
    """An emphasis's elements, outermost first: em, strong, or strong around em."""
    return _TAGS[len(m.group("stars"))]


def shortcut(patterns: list[Any]) -> Shortcut | None:
    """A function (the inline processor, text) → the text with its forms stashed and
    placeholders in their place, as the stock pass leaves it; or None where the stock
    pass must run. None if ``patterns`` are not the stock ones (the caller has checked
    that each has the expression it was written against)."""
    names = [type(p).__name__ for p in patterns]
    if names not in (_STOCK, [n for n in _STOCK if n != "FootnoteInlineProcessor"]):
        return None
    emphasis = patterns[names.index("DelimiterProcessor")]
    star = getattr(emphasis, "delimiters", {}).get("*")
    if (
        star is None
        or star.smart
        or star.double
        or star.tags != ("strong", "em")
        or set(emphasis.delimiters) - {"*", "_"}
    ):
        return None
    kinds = {"a": patterns[names.index("LinkInlineProcessor")].type(), "em": emphasis.type()}
    excluded = frozenset(x.lower() for p in patterns for x in p.ANCESTOR_EXCLUDES)

    def convert(processor: Any, data: str) -> str | None:
        found = forms(data)
        if found is None:
            return None
        if not found:
            return data
        if not excluded.isdisjoint(processor.ancestors):
            return None
        stash = processor._InlineProcessor__stashNode
        out: list[str] = []
        end = 0
        for m in found:
            out.append(data[end : m.start()])
            end = m.end()
            if is_link(m):
                el = etree.Element("a")
                el.text = m.group("text")
                el.set("href", m.group("url"))
                out.append(stash(el, kinds["a"]))
            else:
                names = tags(m)
                el = inner = etree.Element(names[0])
                for name in names[1:]:
                    inner = etree.SubElement(inner, name)
                inner.text = m.group("inner")
                out.append(stash(el, kinds["em"]))
        out.append(data[end:])
        return "".join(out)

    return convert
