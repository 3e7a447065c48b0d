"""The inline shortcut (``render.inline``) gives the HTML Python-Markdown's own pass gives.

Its forms (``*em*``, ``**strong**``, ``[text](url)``) are put between every character
that could change how Python-Markdown reads them, alone and two by two, and random text
made of those characters is converted too; each text both ways, compared. The shortcut
must also be taken where it should (else the comparisons prove nothing) and never with
an inline pattern it does not know.
"""

from __future__ import annotations

import itertools
import random

import markdown
import pytest
from helpers import markdown_pair

from generator.render import inline

BEFORE = [
    "", " ", "a", "a ", "\n", "x\n", "(", '"', "'", "!", ".", "*", "**", "[", "]", "\xa0",
    "é", "_", "1", "\u3000", "\t", "  ", "> ", "- ", "# ", "\\", "`", "&", "<", "x*",
]  # fmt: skip
FORMS = [
    "*w*", "**w**", "***w***", "***w w***", "***w**", "**w***", "****w****", "*w w*", "*w*w", "*w.*", "* w*", "*w *", "**w*", "*w**",
    "*é*", "*1*", "*w!*", "*w'*", "*w\xa0*", "*w\nw*", "*w  \nw*", "*_w_*", "*w_w*",
    "[t](u)", "[t](u.md)", "[t t](http://x.org/a?b=c#d)", '[t](u "t")', "[t]( u)", "[t](u )",
    "[t](<u>)", "[t](u)(v)", "[t][r]", "[t]", "[r]", "![t](u)", "[*t*](u)", "[t](u_v)",
    "[t\n](u)", "[^t](u)", "[t](u)[t](u)", "*[t](u)*", "[t](u)*w*", "*w*[t](u)",
    "[t](u(v))", "[t](u)]", "[[t](u)", "[t] (u)", "[ t ](u)", "[t!](u)", "[t'](u)", "[é](ü)",
    "[t](mailto:a@b.c)", "[t](javascript:x)", "[t](u&v)", "[t](#x)", "[t](u){: .c}",
]  # fmt: skip
AFTER = [
    "", " ", "a", " a", "\n", ".", "?", "!", ",", ";", ":", ")", "(", "'", '"', "*", "**",
    "_", "[", "]", "é", "\xa0", "-", "\t", "{: .c}", " {: .c}", "  \nx", "\\", "`", "&",
]  # fmt: skip
REFERENCES = "\n\n[r]: http://example.org/r\n[t]: http://example.org/t"


def _pair() -> tuple[markdown.Markdown, markdown.Markdown]:
    return markdown_pair()


def _same(stock: markdown.Markdown, quick: markdown.Markdown, text: str) -> None:
    stock.reset()
    quick.reset()
    assert quick.convert(text) == stock.convert(text), repr(text)


def _counting(quick: markdown.Markdown) -> dict[str, int]:
    """Counts of texts the shortcut took and handed on, from the next conversion on."""
    counts = {"taken": 0, "passed": 0}
    processor = quick.treeprocessors["inline"]
    quick.reset()
    quick.convert("a")  # the shortcut is made on the first conversion
    made = processor._shortcut
    assert made is not None

    def counted(proc, data):
        done = made(proc, data)
        counts["taken" if done is not None else "passed"] += 1
        return done

    processor._shortcut = counted
    processor._patterns = list(processor.inlinePatterns)  # so run() keeps this one
    return counts


@pytest.mark.parametrize("form", FORMS)
def test_each_form_between_every_neighbour_converts_the_same(form):
    stock, quick = _pair()
    for before, after in itertools.product(BEFORE, AFTER):
        _same(stock, quick, before + form + after)
    for before in BEFORE:
        _same(stock, quick, before + form + " and " + form + REFERENCES)


def test_forms_two_by_two_convert_the_same():
    stock, quick = _pair()
    for first, second in itertools.product(FORMS, repeat=2):
        for middle in ("", " ", "a", ". ", "\n", "*"):
            _same(stock, quick, first + middle + second)


def test_random_text_of_those_characters_converts_the_same():
    stock, quick = _pair()
    pieces = [*{c for part in BEFORE + FORMS + AFTER for c in part}, "word", " ", " ", "*"]
    pieces += ["[t](u)", "*w*", "**w**", "\n\n", "(", ")"]
    rng = random.Random(20261127)
    counts = _counting(quick)
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        _same(stock, quick, text)
    assert counts["taken"] > 1000 and counts["passed"] > 1000


def test_story_text_takes_the_shortcut():
    stock, quick = _pair()
    counts = _counting(quick)
    text = (
        "> Words in a quote with *one* word leaning.\n\n"
        "A paragraph with **strong** words, a [link](story-002.md) and *more*? Yes! "
        "See the [annual report](https://example.org/reports/2019).\n\n"
        "- a list item with *emphasis*\n- and [a link](u)\n\n"
        "Plain words only, with 'quotes', (brackets) and numbers 1, 2: 3."
    )
    _same(stock, quick, text)
    # the quote's paragraph, the next, two list items, the last: all taken
    assert counts == {"taken": 5, "passed": 0}


def test_text_with_other_markdown_is_handed_to_the_stock_pass():
    _, quick = _pair()
    counts = _counting(quick)
    for text in ["`code` *em*", "a_b *c*", "*em*{: .c}", "x  \ny", "&amp; *em*", "[t][r]"]:
        quick.reset()
        quick.convert(text)
    assert counts == {"taken": 0, "passed": 6}


def test_an_unknown_inline_pattern_turns_the_shortcut_off():
    stock, quick = _pair()
    marker = markdown.inlinepatterns.SimpleTagInlineProcessor(r"()~~(.+?)~~", "del")
    quick.inlinePatterns.register(marker, "del", 65)
    quick.reset()
    assert "<del>gone</del>" in quick.convert("~~gone~~ and *em*")
    assert quick.treeprocessors["inline"]._shortcut is None
    assert inline.shortcut(list(stock.inlinePatterns)) is not None
    assert inline.shortcut(list(quick.inlinePatterns)) is None
