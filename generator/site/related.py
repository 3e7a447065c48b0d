"""Related stories from indexes: buckets by (country, term) and by country, nearest in date.

Comparing every pair of stories would be quadratic; a bucket lookup plus a bisect keeps
the cost linear in the number of stories. Pure.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from generator.cache import Cache, key
from generator.model import Story

RELATED = 3
_CODE = Path(__file__).read_bytes()  # a change to the rule is a change to the cache key


def related_stories(stories: Sequence[Story], cache: Cache | None = None) -> dict[str, list[str]]:
    """Up to RELATED stories per story (see ``_related``). The last build's lists are
    kept in the cache under the fields they come from: an edit that changes none of
    them (most do not) costs a hash of those fields, not the 0.1 s of choosing again."""
    if cache is None:
        return _related(stories)
    fields = "\n".join(
        f"{s.slug}\0{s.date.toordinal()}\0{s.country}\0{_list(s.injustice)}\0{_list(s.related)}"
        for s in stories
    )
    k = key("related", str(RELATED), _CODE, fields)
    stored = cache.get("related", key("last"))
    if isinstance(stored, dict) and stored.get("key") == k:
        found = stored.get("related")
        if isinstance(found, dict) and len(found) == len(stories):
            return found
    made = _related(stories)
    cache.put("related", key("last"), {"key": k, "related": made})
    return made


def _list(items: Sequence[str]) -> str:
    return "\x1f".join(items)


def _related(stories: Sequence[Story]) -> dict[str, list[str]]:
    """Up to RELATED stories per story: hand-picked first, then the same country and a
    shared injustice, then the same country, each time nearest in date. Uses buckets
    keyed by (country, term) and by country, so the cost grows with n, not n²."""
    by_pair: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    by_country: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for s in stories:
        key = (s.date.toordinal(), s.slug)
        by_country[s.country].append(key)
        for term in s.injustice:
            by_pair[(s.country, term)].append(key)
    for bucket in (*by_pair.values(), *by_country.values()):
        bucket.sort()
    result: dict[str, list[str]] = {}
    for s in stories:
        chosen = [r for r in s.related if r != s.slug][:RELATED]
        day = s.date.toordinal()
        buckets = [by_pair[(s.country, t)] for t in s.injustice] + [by_country[s.country]]
        for bucket in buckets:
            if len(chosen) >= RELATED:
                break
            for slug in _nearest(bucket, day, RELATED * 2 + 1):
                if slug != s.slug and slug not in chosen:
                    chosen.append(slug)
                    if len(chosen) >= RELATED:
                        break
        result[s.slug] = chosen
    return result


def _nearest(bucket: list[tuple[int, str]], day: int, k: int) -> list[str]:
    """The k entries of a date-sorted bucket nearest to ``day`` (ties by slug)."""
    i = bisect.bisect_left(bucket, (day, ""))
    window = bucket[max(0, i - k) : i + k]
    window.sort(key=lambda e: (abs(e[0] - day), e[1]))
    return [slug for _, slug in window[:k]]
