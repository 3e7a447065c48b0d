"""Plain documents (``render.plain``) are written as Python-Markdown writes them.

Each document is rendered twice by the renderer a build uses: once as it is, once with
the plain writer taken away (every document through Python-Markdown), and the HTML,
the problems reported and the links found are compared. Documents are put together
from lines of every shape the writer takes and of their near misses (a space too many,
a heading with no space, a list number, a quote with no space, a table row...), so
that both the taken and the refused sides are crossed. The writer must also be taken
where it should (else the comparisons prove nothing) and never for a Markdown with a
processor it does not know.
"""

from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest

from generator.errors import Problems
from generator.gate import Withheld
from generator.images import ImagePlanner
from generator.render import EXTENSION_CONFIGS, EXTENSIONS, Renderer, plain
from generator.render.links import LinkResolver
from generator.urls import Routes

LINES = [
    "Words and more words.",
    "Words with *em* and **strong** and ***both*** here.",
    "*Leaning* words first.",
    "**Strong** words first.",
    "***Both*** first.",
    "[A story](a.md) first, then words.",
    "Read about [her story](a.md#part), and [the report](https://example.org/r/2019).",
    "A link to [a draft](draft.md) here.",
    "A link to [a withdrawn story](gone.md) here.",
    "A link to [nothing](missing.md) here.",
    "A link [up](../milestones/m.md) and [away](mailto:a@example.org).",
    "2016 was the year.",
    "2016. A list?",
    "1. one",
    "3) three",
    '"Quoted" first.',
    "'Single' first.",
    "(Brackets) first.",
    "“Curly” first.",
    "Émile first, ünïcödé inside.",
    "- an item",
    "- an item with *em*",
    "* a star item",
    "+ a plus item",
    "-no space",
    "-  two spaces",
    "- - nested",
    "- # heading item",
    "- > quote item",
    "- 1. numbered item",
    "> a quote",
    "> a quote with [a link](a.md)",
    ">no space",
    ">  two spaces",
    ">",
    "> > nested",
    "> ## heading",
    "> - item",
    "## A heading",
    "## A heading",
    "# Top",
    "###### Six",
    "####### Seven",
    "##No space",
    "## Closed ##",
    "## Heading with *em*",
    "## Heading with [a link](a.md)",
    "## Ünïcödé heading",
    "## Fish & chips",
    "## A <b>bold</b> move",
    "## Under_score",
    "## Back\\slash",
    "## `code`",
    "## Trailing space ",
    "## 1",
    "## !!!",
    "##",
    "---",
    "***",
    "* * *",
    "___",
    "===",
    "Text | with a pipe",
    "| a | b |",
    "Text {: .lead }",
    "A [link](a.md){: .c} with attributes",
    "## Heading {: #custom }",
    "- item {: .x }",
    "carriage\rreturn",
    "windows\r",
    "a\x02b\x03c",
    "    indented code",
    " one space first",
    "trailing space ",
    "hard break  ",
    "tab\there",
    "<b>raw</b> html",
    "an &amp; entity",
    "a & b",
    "[ref]: https://example.org/ref",
    "[ref] used",
    "Text[^1] note",
    "[^1]: A note.",
    "_under_ score",
    "a \\*escaped\\* star",
    "`code` here",
    "![an image](pic.png)",
    "**unclosed strong",
    "[TOC]",
    "\ufeffbom",
    "Words\u2028with a line separator",
    "\xa0non-breaking first",
    "a \x00 nul",
    "   ",
]
JOINS = ["\n\n", "\n\n", "\n\n\n", "\n"]


def _routes() -> Routes:
    withheld = {
        "content/stories/draft.md": Withheld(
            "content/stories/draft.md", "draft", 3, "draft", "status is draft"
        ),
        "content/stories/gone.md": Withheld(
            "content/stories/gone.md", "gone", 3, "withdrawn", "status is withdrawn"
        ),
    }
    by_source = {
        "content/stories/a.md": "stories/a/",
        "content/milestones/m.md": "milestones/m/",
    }
    return Routes("https://example.org/", "/", by_source, withheld, {"a": "stories/a/"})


@pytest.fixture(scope="module")
def renderers(tmp_path_factory) -> tuple[Renderer, Renderer]:
    planner = ImagePlanner(Path(tmp_path_factory.mktemp("site")))
    quick, stock = Renderer(_routes(), planner), Renderer(_routes(), planner)
    assert quick.plain is not None
    # the other one: Python-Markdown as it comes (no prefilter, no inline shortcut)
    stock.plain = None
    stock.md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    stock.resolver = LinkResolver(stock.md, _routes(), planner)
    stock.md.treeprocessors.register(stock.resolver, "storysite_links", 5)
    return quick, stock


def _render(renderer: Renderer, body: str) -> tuple[str, list[tuple], tuple]:
    problems = Problems()
    done = renderer.render("content/stories/b.md", "content/stories", body, 10, problems)
    found = [(p.path, p.line, p.message, p.severity) for p in problems.items]
    return done.html.text, found, done.links


def _same(renderers: tuple[Renderer, Renderer], body: str) -> None:
    quick, stock = renderers
    assert _render(quick, body) == _render(stock, body), repr(body)


def _taken(renderer: Renderer, body: str) -> bool:
    """Whether the renderer writes ``body`` with the plain writer."""
    writer = renderer.plain
    assert writer is not None
    answers = []

    def counted(text: str) -> str | None:
        answers.append(writer(text))
        return answers[-1]

    renderer.plain = counted  # type: ignore[assignment]
    try:
        _render(renderer, body)
    finally:
        renderer.plain = writer
    return answers[0] is not None


@pytest.mark.parametrize("line", LINES)
def test_each_line_alone_and_between_others_converts_the_same(renderers, line):
    for before, after in [("", ""), ("Words.", ""), ("", "Words."), ("- item", "- item")]:
        for join in JOINS:
            _same(renderers, join.join(x for x in (before, line, after) if x))


def test_lines_two_by_two_convert_the_same(renderers):
    for first in LINES:
        for second in LINES:
            for join in ("\n", "\n\n"):
                _same(renderers, first + join + second)


def test_random_documents_convert_the_same(renderers):
    rng = random.Random(20261127)
    taken = 0
    for _ in range(3000):
        blocks = []
        for _ in range(rng.randint(1, 7)):
            # mostly the shapes the writer takes, so that most documents are taken whole
            pool = LINES[:12] if rng.random() < 0.95 else LINES
            lines = [rng.choice(pool) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                marker = rng.choice(["- ", "> ", "* "])
                lines = [marker + rng.choice(LINES[:6]) for _ in range(rng.randint(1, 4))]
            blocks.append("\n".join(lines))
        body = "".join(b + rng.choice(JOINS) for b in blocks)
        body = rng.choice(["", "\n", "\n\n"]) + body
        _same(renderers, body)
        taken += _taken(renderers[0], body)
    assert 1000 < taken < 2500  # both sides crossed


def test_story_shapes_are_taken(renderers):
    body = (
        "\n- First item with *em*\n- Second, with a [link](a.md).\n\n"
        "A paragraph with **strong** and ***both*** words.\nIts second line.\n\n"
        "## A heading\n\n## A heading\n\n> A quote.\n\n> Its second paragraph.\n\n"
        "- another list\n\n- joined to the one before\n\n"
        "2016 was the year [they left](gone.md).\n## Heading inside a block\nMore words.\n"
    )
    assert _taken(renderers[0], body)
    _same(renderers, body)
    html, found, links = _render(renderers[0], body)
    assert '<h2 id="a-heading_1">A heading</h2>' in html
    assert "<li>\n<p>another list</p>\n</li>" in html
    assert "<span>they left</span>" in html and links == ("stories/a/",)
    assert [f[2] for f in found] == [
        "link to content/stories/gone.md, which is not published (status is withdrawn); "
        "shown as plain text"
    ]


def test_other_markdown_is_refused(renderers):
    for body in [
        "`code`",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "a | b\n--- | ---\n1 | 2",
        "Text[^1]\n\n[^1]: x",
        "    code",
    ]:
        assert not _taken(renderers[0], body)
        _same(renderers, body)


def test_an_unknown_processor_turns_the_writer_off(tmp_path):
    renderer = Renderer(_routes(), ImagePlanner(tmp_path))
    assert plain.writer(renderer.md, renderer.resolver.link) is not None
    marker = markdown.inlinepatterns.SimpleTagInlineProcessor(r"()~~(.+?)~~", "del")
    renderer.md.inlinePatterns.register(marker, "del", 65)
    assert plain.writer(renderer.md, renderer.resolver.link) is None
    other = Renderer(_routes(), ImagePlanner(tmp_path))
    other.md.treeprocessors.register(markdown.treeprocessors.PrettifyTreeprocessor(), "x", 1)
    assert plain.writer(other.md, other.resolver.link) is None
    smart = markdown.Markdown(extensions=["smarty", "toc"])
    assert plain.writer(smart, lambda el: None) is None
