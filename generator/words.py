"""Words for the search index: visible text → normalised terms with counts.

Lower-cased, accents folded (so "Tomás" matches "tomas"), split on anything that is not
a letter or digit. The browser splits a query the same way (assets/search.js), and
matches terms by prefix, so "rescue" also finds "rescued". Pure.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter

_TAGS = re.compile(r"<[^>]+>")
# Terms: runs of letters and digits (after folding, which leaves ASCII only), two or
# more long. Found by turning every other character into a space and splitting: twice
# as fast as a regular expression's search, on 11,000 story bodies a build
_KEEP = "0123456789abcdefghijklmnopqrstuvwxyz"
_SEPARATE = str.maketrans({chr(i): " " for i in range(128) if chr(i) not in _KEEP})
# Words so common that an index entry for them would cost much and find nothing
STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
    }
)
_DROP = STOP | frozenset(_KEEP)  # stop words and runs one character long


def fold(text: str) -> str:
    if text.isascii():  # nothing to fold (NFKD leaves ASCII as it is)
        return text.lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def terms(text: str) -> Counter[str]:
    """Term → count for plain text."""
    # Find and count every run at C speed, then drop the stop words and single letters:
    # filtering each of a story's 700 tokens in Python cost more than all the rest
    counts = Counter(fold(text).translate(_SEPARATE).split())
    for term in _DROP & counts.keys():
        del counts[term]
    return counts


def visible_text(markup: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return " ".join(html.unescape(_TAGS.sub(" ", markup)).split())


def html_terms(markup: str) -> Counter[str]:
    """``terms(visible_text(markup))``: the terms of an HTML fragment's text."""
    if markup.isascii() and "&" not in markup:
        # nothing to decode, and spaces do not matter to terms: skip the joining
        return terms(_TAGS.sub(" ", markup))
    return terms(visible_text(markup))


def pack(counts: dict[str, int]) -> str:
    """Term counts as one compact string ("court:3 freedom:1"): a story's words held
    as Python tuples would cost kilobytes of objects each, thousands of stories over."""
    return " ".join(f"{t}:{n}" for t, n in sorted(counts.items()))


def unpack(packed: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in packed.split():
        term, _, count = item.rpartition(":")
        out[term] = int(count)
    return out
