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
# Terms: runs of letters and digits (after folding), two or more long
_TERM = re.compile(r"[0-9a-z]{2,}")
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


def fold(text: str) -> str:
    if text.isascii():  # nothing to fold (NFKD leaves ASCII as it is)
        return text.lower()
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def terms(text: str) -> Counter[str]:
    """Term → count for plain text."""
    # Find and count every term at C speed, then drop the stop words: filtering each of
    # a story's 700 tokens in Python cost more than all the rest of this module
    counts = Counter(_TERM.findall(fold(text)))
    for term in STOP & counts.keys():
        del counts[term]
    return counts


def visible_text(markup: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return " ".join(html.unescape(_TAGS.sub(" ", markup)).split())


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
