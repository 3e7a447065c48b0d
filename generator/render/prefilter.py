"""Python-Markdown, minus the tries that cannot match.

Python-Markdown tries each of its fifteen inline patterns on every piece of text and
each of its thirteen block processors on every paragraph; each try costs microseconds
of Python or a regular-expression scan of the whole paragraph, and nearly all of them
fail: a pattern for inline code needs a backtick, a block quote needs a ``>``. At
10,000 stories that was 0.6 ms of a story's 1.5 ms conversion, the one stage of a
cold build that every story pays. Here each try is made only if the text holds a
string that every match must contain; a skipped try is one that would have failed,
and a failed try is exactly what the stock loops step over, so the HTML is the same.

Only tries known here are skipped: a pattern or processor is known by its class and
its expression, so a later Markdown release that changes one is simply tried every
time, and anything an extension adds is tried as before. ``install`` swaps in the
two loops only if this Markdown release has the ones they replace. The same reasoning
skips whole passes (whitespace, raw HTML, attribute lists, table of contents, escapes)
over documents that hold nothing they look for, each only where the stock pass is there.
``tests/test_prefilter.py`` compares the HTML both ways on every construct and on
random Markdown. Text plain enough skips the inline loop altogether: ``inline``.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown, blockparser, inlinepatterns, util
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.toc import TocTreeprocessor
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, UnescapeTreeprocessor

from generator.render import inline

_LINK = "(?<!\\!)\\["
_IMAGE = "\\!\\["
# (class name, expression) -> strings one of which every match contains
INLINE_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("BacktickInlineProcessor", "(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)"): ("`",),
    ("EscapeInlineProcessor", "\\\\(.)"): ("\\",),
    ("FootnoteInlineProcessor", "\\[\\^([^\\]]*)\\]"): ("[^",),
    ("ReferenceInlineProcessor", _LINK): ("[",),
    ("LinkInlineProcessor", _LINK): ("[",),
    ("ShortReferenceInlineProcessor", _LINK): ("[",),
    ("ImageInlineProcessor", _IMAGE): ("![",),
    ("ImageReferenceInlineProcessor", _IMAGE): ("![",),
    ("ShortImageReferenceInlineProcessor", _IMAGE): ("![",),
    ("AutolinkInlineProcessor", "<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): ("<",),
    ("AutomailInlineProcessor", "<([^<> !]+@[^@<> ]+)>"): ("<",),
    ("SubstituteTagInlineProcessor", "  \\n"): ("  \n",),
    ("HtmlInlineProcessor", inlinepatterns.HTML_RE): ("<",),
    ("HtmlInlineProcessor", inlinepatterns.ENTITY_RE): ("&",),
    ("DelimiterProcessor", "\\*|_"): ("*", "_"),
}

# (class name, the expression its test or run searches with) -> strings one of which a
# block must hold for the test to pass (or, where the test always passes, for the run
# to take the block: those runs give the block back untouched when they find nothing)
BLOCK_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("TableProcessor", "(?<!\\\\)(?:\\\\\\\\)*\\|$"): ("|",),
    (
        "HashHeaderProcessor",
        r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)",
    ): ("#",),
    ("SetextHeaderProcessor", "^.*?\\n(?:=+|-+)[ ]*(\\n|$)"): ("\n=", "\n-"),
    (
        "HRProcessor",
        r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
        r"(?P=atomicgroup)[ ]*$",
    ): tuple(  # a run of three: two of the same with at most two spaces between
        c + gap + c for c in "-_*" for gap in ("", " ", "  ")
    ),
    ("BlockQuoteProcessor", "(^|\\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    ("FootnoteBlockProcessor", "^[ ]{0,3}\\[\\^([^\\]]*)\\]:[ ]*(.*)$"): ("[^",),
    (
        "ReferenceProcessor",
        r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
        r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""",
    ): ("]:",),
}


def _holds(text: str, wants: tuple[str, ...] | None) -> bool:
    if wants is None:
        return True
    for s in wants:  # noqa: SIM110 (any() over a generator: twice the time, on every try)
        if s in text:
            return True
    return False


def inline_needs(pattern: Any) -> tuple[str, ...] | None:
    """What every match of the pattern contains, or None if it is not one known here."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor):
        return None
    return INLINE_NEEDS.get((type(pattern).__name__, getattr(pattern, "pattern", None)))


def block_needs(processor: Any) -> tuple[str, ...] | None:
    """What a block must hold for the processor to take it, or None if not known here."""
    expr = getattr(processor, "RE_END_BORDER", None) or getattr(processor, "RE", None)
    expr = getattr(expr, "pattern", expr)
    return BLOCK_NEEDS.get((type(processor).__name__, expr)) if type(expr) is str else None


class QuickInline(InlineProcessor):
    """The stock inline pass with its private loop (named by its mangled name) replaced."""

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # the registry sorts on every lookup by index: take the order once a document
        patterns = list(self.inlinePatterns)
        if patterns != getattr(self, "_patterns", None):
            self._patterns = patterns
            self._needs = [inline_needs(p) for p in patterns]
            known = None not in self._needs
            self._shortcut = inline.shortcut(patterns) if known else None
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        if patternIndex == 0 and self._shortcut is not None:
            # text with no Markdown but plain links and emphasis (``render.inline``)
            done = self._shortcut(self, data)
            if done is not None:
                return done
        patterns, needs = self._patterns, self._needs
        apply = self._InlineProcessor__applyPattern
        # A pattern is tried only if the text, as it is by then, holds a string its
        # matches need; else its try would fail, and the stock loop would move on to
        # the next pattern from the start of the text, as this one does
        for i in range(patternIndex, len(patterns)):
            if _holds(data, needs[i]):
                start, matched = 0, True
                while matched:  # the stock loop tries a pattern again after each match
                    data, matched, start = apply(patterns[i], data, i, start)
        return data


class QuickBlockParser(blockparser.BlockParser):
    """The stock block parser with ``parseBlocks`` (public, for extensions) prefiltered."""

    def parseBlocks(self, parent: Any, blocks: list[str]) -> None:
        # the registry builds a list on every iteration: once per call here
        processors = list(self.blockprocessors)
        if processors != getattr(self, "_known", None):
            self._known = processors
            self._needs = [block_needs(p) for p in processors]
        pairs = list(zip(processors, self._needs, strict=True))
        while blocks:
            for processor, needs in pairs:
                block = blocks[0]
                if (
                    _holds(block, needs)
                    and processor.test(parent, block)
                    and processor.run(parent, blocks) is not False
                ):
                    break


class QuickHtmlBlock(HtmlBlockPreprocessor):
    """Raw HTML is looked for only in text that could hold some.

    The stock run feeds the whole text through an HTML parser, which takes notice only
    at a ``<`` (a tag, comment or declaration) or an ``&`` (an entity); in text with
    neither it hands the text back whole, and the run gives back the lines as they came."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if "<" not in source and "&" not in source:
            return lines
        return super().run(lines)


class QuickToc(TocTreeprocessor):
    """The ``[TOC]`` marker is looked for only in a document whose text holds it, and a
    document with neither a heading nor the marker is left as it is.

    The stock search joins the text of every element below each one (a paragraph's
    words again for every link and emphasis in it), a tenth of a conversion, to find a
    paragraph whose text is the marker: such a text is one of the document's texts.
    Without a heading, the stock run finds no token and changes no element; it still
    builds, writes out and post-processes an empty table of contents (a story has no
    heading, mostly): that one is made once and set as the stock run would set it."""

    def run(self, doc: Any) -> None:
        rgx = self.header_rgx
        if any(isinstance(el.tag, str) and rgx.match(el.tag) for el in doc.iter()) or (
            self.marker and any(self.marker in text for text in doc.itertext())
        ):
            super().run(doc)
            return
        empty = getattr(self, "_empty", None)
        if empty is None:
            super().run(etree.Element("div"))  # no heading, no marker: the same
            empty = self._empty = self.md.toc  # type: ignore[attr-defined]
        self.md.toc_tokens = []  # type: ignore[attr-defined]
        self.md.toc = empty  # type: ignore[attr-defined]

    def replace_marker(self, root: Any, elem: Any) -> None:
        if any(self.marker in text for text in root.itertext()):
            super().replace_marker(root, elem)


class QuickAttrList(AttrListTreeprocessor):
    """Attribute lists are looked for only in a document whose text holds a ``{``: each
    of the stock expressions starts with one, searched in elements' texts and tails."""

    def run(self, doc: Any) -> None:
        if any("{" in text for text in doc.itertext()):
            super().run(doc)


class QuickUnescape(UnescapeTreeprocessor):
    """Escapes are put back only in a document whose text held a backslash: the only
    makers of the placeholders this looks for (backslash escapes) need one, and every
    text, tail and attribute value of the tree comes from the lines parsed."""

    def run(self, root: Any) -> None:
        lines = getattr(self.md, "lines", None)
        if lines is None or any("\\" in line for line in lines):
            super().run(root)


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Lines with nothing to normalise are given back as they came (and the two empty
    lines the stock run adds); else the stock run. It joins the lines, takes out
    ``\x02``/``\x03``, turns ``\r`` into line ends, expands tabs and empties lines of
    spaces only (one ends with " " before its line end), then splits again."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines) + "\n"
        for odd in _UNNORMAL:
            if odd in source:
                return super().run(lines)
        return [*lines, "", ""]


_UNNORMAL = ("\r", "\t", util.STX, util.ETX, " \n")


class _BlockLevel:
    """``Markdown.is_block_level`` with the block-level names in a set: the stock
    method searches the list of fifty for every element it is asked about (each one
    serialized, prettified or checked for attribute lists), 5 % of a conversion. The
    set is made again whenever the list is another one or its length changed (an
    extension adding a name); one name replaced by another in place would go unseen,
    which no extension does."""

    def __init__(self, md: Markdown):
        self.md = md
        self.names: list[str] | None = None
        self.length = -1
        self.known: frozenset[str] = frozenset()

    def __call__(self, tag: Any) -> bool:
        names = self.md.block_level_elements
        if names is not self.names or len(names) != self.length:
            self.names, self.length, self.known = names, len(names), frozenset(names)
        return isinstance(tag, str) and tag.lower().rstrip("/") in self.known


def install(md: Markdown) -> bool:
    """Swap in the prefiltered loops, if this Markdown release has the stock ones they
    replace; otherwise leave it be (slower, the same HTML). True if swapped."""
    stock = md.treeprocessors["inline"]
    if (
        type(stock) is not InlineProcessor
        or type(md.parser) is not blockparser.BlockParser
        or not hasattr(InlineProcessor, "_InlineProcessor__handleInline")
        or not hasattr(InlineProcessor, "_InlineProcessor__applyPattern")
    ):
        return False
    md.treeprocessors.register(QuickInline(md), "inline", 20)  # the stock one's priority
    md.parser.__class__ = QuickBlockParser  # same state, one method more
    if type(md).is_block_level is Markdown.is_block_level:  # the stock method
        md.is_block_level = _BlockLevel(md)  # type: ignore[method-assign]
    # where the stock processor is there, the same object with one method overridden
    for registry, name, stock, quick in (
        (md.preprocessors, "normalize_whitespace", NormalizeWhitespace, QuickNormalizeWhitespace),
        (md.preprocessors, "html_block", HtmlBlockPreprocessor, QuickHtmlBlock),
        (md.treeprocessors, "toc", TocTreeprocessor, QuickToc),
        (md.treeprocessors, "attr_list", AttrListTreeprocessor, QuickAttrList),
        (md.treeprocessors, "unescape", UnescapeTreeprocessor, QuickUnescape),
    ):
        if name in registry and type(registry[name]) is stock:
            registry[name].__class__ = quick
    return True
