"""Search terms: folded, split, counted, with stop words and single letters left out."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from generator import words


def _plain(text: str) -> Counter[str]:
    """The definition, written the slow obvious way."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    tokens = re.split(r"[^0-9a-z]+", folded)  # split on anything not a letter or digit
    return Counter(t for t in tokens if len(t) > 1 and t not in words.STOP)


def test_terms_fold_split_count_and_drop():
    text = "Tomás and TOMAS were freed; the court freed 12 of them: Tomas, a, b, x1."
    got = words.terms(text)
    assert got == {"tomas": 3, "freed": 2, "court": 1, "12": 1, "x1": 1}
    assert "the" not in got and "a" not in got and "b" not in got


def test_terms_match_their_definition():
    texts = [
        "",
        "a",
        "Ünïcödé café — naïve coöperation, ﬁne ligatures and ½ fractions",
        "The story of s3. See [s4](s4.md) and it was THE END, the end.",
        "x " * 50 + "word " * 7 + "Wörd wörd",
    ]
    for text in texts:
        assert words.terms(text) == _plain(text), text


def test_pack_round_trips():
    counts = {"court": 3, "freedom": 1, "a:b": 2}
    assert words.unpack(words.pack(counts)) == counts
    assert words.pack(counts) == "a:b:2 court:3 freedom:1"


def test_terms_of_html_are_the_terms_of_its_visible_text():
    import random

    rng = random.Random(7)
    pieces = [
        "<p>",
        "</p>",
        '<a href="x-y.html">',
        "</a>",
        "&amp;",
        "&eacute;",
        "&#8217;",
        "&lt;b&gt;",
    ]
    pieces += [
        "Court",
        "freed",
        "s3",
        "the",
        "a",
        " ",
        "\n",
        "-",
        "é",
        "’",
        "ﬁne",
        "x1",
        "Tomás",
        ">",
    ]
    for _ in range(2000):
        markup = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        expected = _plain(words.visible_text(markup))
        assert words.html_terms(markup) == expected, markup
        assert words.terms(words.visible_text(markup)) == expected, markup
