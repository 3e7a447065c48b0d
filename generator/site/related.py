"""Related stories from indexes: buckets by (country, term) and by country, nearest in date.

Comparing every pair of stories would be quadratic; a bucket lookup plus a bisect keeps
the cost linear in the number of stories. Pure.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence

from generator.model import Story

RELATED = 3


def related_stories(stories: Sequence[Story]) -> dict[str, list[str]]:
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
