"""The prefiltered Markdown loops give the same HTML as Python-Markdown's own.

``render.prefilter`` skips the inline patterns and block processors that cannot match;
these tests convert the same text with a stock ``Markdown`` and a prefiltered one and
compare: every construct by hand, then random Markdown made of the characters the
prefilter looks for. Breaking one entry of the tables (a wrong character) fails them.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import markdown
import pytest
from helpers import markdown_pair

from generator.render import EXTENSION_CONFIGS, EXTENSIONS, prefilter

REPO = Path(__file__).resolve().parent.parent

CONSTRUCTS = [
    "plain words only",
    "*em* **strong** ***both*** _u_ __uu__ ___uuu___ a*b*c snake_case_name * lone _ lone",
    "`code` ``co`de`` \\`not code\\` \\\\`x`",
    "\\*escaped\\* \\[not a link\\] \\# \\\\ \\_",
    "[link](http://example.org) [ref][r] [r] ![img](a.png) ![ref img][r] ![r]\n\n"
    '[r]: http://example.org/r "Title"',
    "text[^1] and[^note]\n\n[^1]: the note\n[^note]: another *note*\n    continued",
    "<http://example.org> <mailto:a@b.org> <a@b.org> <span class=x>in</span> a <b>b</b>",
    "line one  \nline two  \n  \nthree",
    "&amp; &copy; &#35; &#x27; & alone AT&T",
    "<!-- comment --> <?php x ?> <![CDATA[ y ]]>",
    "# H1\n## H2 ##\n###### H6\n####### seven\n#not a header",
    "Setext one\n==========\n\nSetext two\n----------\n\nnot = setext\n- list",
    "---\n\n* * *\n\n___\n\n- - -\n\nbefore\n***\nafter",
    "-  -  -\n\n*  *  *\n\n_  _  _\n\n- -- -\n\nword -  -  - word\n\n-   -   -",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n\na | b\n- | -\n1 | 2\n\n|single|\n|---|\n|x|",
    "> quote\n> more\n>\n> > nested\n\nnot > a quote",
    "- one\n- two\n    - nested\n\n1. first\n2. second\n\n* star\n+ plus",
    "    code block\n    more\n\ntext\n\n\tcode with tab",
    "## Heading {#custom .cls}\n\nPara {: .lead }\n\n[link](u){: rel=nofollow }",
    "<div markdown>\n*raw*\n</div>\n\n<table><tr><td>x</td></tr></table>",
    "Para with ] : and ]: inside\n[x]: <http://a.b>\n\n[^]: odd",
    "emoji ✓ and non-ascii café — “quotes”",
    "# Title\n\n[TOC]\n\n## Part\n\n  [TOC]  \n\n*[TOC]* [TOC] and more\n\n> [TOC]",
    "[TO*C*] [TOC ] \\[TOC] `[TOC]`\n\n    [TOC]\n\n## [TOC]",
    "",
    "\n\n\n",
    "windows\r\nline ends\r\n\r\nand\rold mac",
    "control \x02 and \x03 characters\n\n\x02klzzwxh:0\x03",
    "a start of text \x02 alone",
    "an end of text \x03 alone",
    "tab\tin text\n\n\tcode\n    \n   \nafter spaces only\n \n",
    "   \nfirst line of spaces",
]

# the strings the prefilter's tables look for, and the text around them
ALPHABET = [
    "*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")", "!", "![", "[^1]", "[^1]:",
    "<", ">", "&", "&amp;", "&#35;", "#", "## ", "\n", "\n\n", "  \n", "|", "---", "===",
    "- ", "* ", "1. ", "> ", "    ", "\t", "=", "-", ":", "]:", "http://x.org", "<http://a.b>",
    "<a@b.c>", "<span>", "</span>", "<!-- c -->", "[x]: http://e.com", "[x]", "(u)", "{: .c}",
    "{#id}", "word", "words here", " ", "é", "'", '"', "[TOC]", "TOC", "\n\n[TOC]\n\n",
]  # fmt: skip


def _pair() -> tuple[markdown.Markdown, markdown.Markdown]:
    return markdown_pair()


def _both(stock: markdown.Markdown, quick: markdown.Markdown, text: str) -> tuple[str, str]:
    stock.reset()
    quick.reset()
    return stock.convert(text), quick.convert(text)


def test_the_prefilter_is_installed_with_this_markdown_release():
    _, quick = _pair()
    assert type(quick.treeprocessors["inline"]) is prefilter.QuickInline
    assert type(quick.parser) is prefilter.QuickBlockParser
    assert type(quick.preprocessors["html_block"]) is prefilter.QuickHtmlBlock
    assert type(quick.treeprocessors["toc"]) is prefilter.QuickToc
    assert type(quick.treeprocessors["attr_list"]) is prefilter.QuickAttrList
    assert type(quick.treeprocessors["unescape"]) is prefilter.QuickUnescape
    assert type(quick.preprocessors["normalize_whitespace"]) is prefilter.QuickNormalizeWhitespace
    # every stock try is known to it (else it would not skip anything)
    assert all(prefilter.inline_needs(p) for p in quick.inlinePatterns)
    known = [type(p).__name__ for p in quick.parser.blockprocessors if prefilter.block_needs(p)]
    assert len(known) == len(prefilter.BLOCK_NEEDS)


@pytest.mark.parametrize("text", CONSTRUCTS)
def test_every_construct_converts_the_same(text):
    stock, quick = _pair()
    a, b = _both(stock, quick, text)
    assert a == b


def test_the_table_of_contents_is_left_as_the_stock_run_leaves_it():
    """Documents without a heading skip the stock run; what it sets on the Markdown
    object (the empty table of contents, made once) is the same."""
    stock, quick = _pair()
    for text in ["plain", "# H\n\nx", "plain again", "[TOC]", "x\n\n[TOC]\n\n## H", ""]:
        _both(stock, quick, text)
        assert (quick.toc, quick.toc_tokens) == (stock.toc, stock.toc_tokens), text


def test_block_level_names_are_those_of_the_list_as_it_is_now():
    stock, quick = _pair()
    assert type(quick.is_block_level).__name__ == "_BlockLevel"
    for tag in ["p", "DIV", "hr/", "em", "span", "custom", None, len]:
        assert quick.is_block_level(tag) == stock.is_block_level(tag), tag
    for md in (stock, quick):
        md.block_level_elements.append("custom")  # as an extension would
    assert quick.is_block_level("Custom") and stock.is_block_level("Custom")
    quick.block_level_elements = ["x"]
    assert quick.is_block_level("x") and not quick.is_block_level("p")


def test_random_markdown_converts_the_same():
    stock, quick = _pair()
    rng = random.Random(20261127)
    for _ in range(4000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40)))
        a, b = _both(stock, quick, text)
        assert a == b, repr(text)


def test_the_example_site_converts_the_same():
    stock, quick = _pair()
    files = sorted((REPO / "content").rglob("*.md"))
    assert len(files) > 10
    for path in files:
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        a, b = _both(stock, quick, body)
        assert a == b, path


def test_what_it_does_not_know_is_tried_every_time():
    """A pattern an extension adds (or one whose expression a later release changed)
    is never skipped: here one that matches text the stock ``em_strong`` needs."""
    _, quick = _pair()
    marker = markdown.inlinepatterns.SimpleTagInlineProcessor(r"()~~(.+?)~~", "del")
    quick.inlinePatterns.register(marker, "del", 65)
    block = markdown.blockprocessors.HashHeaderProcessor(quick.parser)
    block.RE = re.compile(r"(?:^|\n)(?P<level>@{1,6})(?P<header>.*?)(?:\n|$)")
    quick.parser.blockprocessors.register(block, "hashheader", 70)
    assert prefilter.inline_needs(marker) is None and prefilter.block_needs(block) is None
    quick.reset()
    html = quick.convert("~~gone~~ and\n\n@ at header")
    assert "<del>gone</del>" in html
    assert ">at header</h1>" in html


def test_a_changed_markdown_release_falls_back_to_the_stock_loops(monkeypatch):
    monkeypatch.delattr(markdown.treeprocessors.InlineProcessor, "_InlineProcessor__handleInline")
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    assert not prefilter.install(md)
    assert type(md.parser) is markdown.blockparser.BlockParser


def test_text_without_a_tag_or_entity_is_not_parsed_for_raw_html(monkeypatch):
    stock, quick = _pair()
    parsed = []
    real = markdown.preprocessors.HtmlBlockPreprocessor.run
    monkeypatch.setattr(
        markdown.preprocessors.HtmlBlockPreprocessor,
        "run",
        lambda self, lines: parsed.append(len(lines)) or real(self, lines),
    )
    for text, html in [("plain *words*\n\nmore", False), ("a <b>c</b>", True), ("AT&T", True)]:
        parsed.clear()
        a, b = _both(stock, quick, text)
        assert a == b
        assert len(parsed) == (2 if html else 1)  # the stock one always, the quick one if needed
