"""Page fingerprints: equal for equal contexts, different whenever a page could differ."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from types import MappingProxyType

from generator.render import Html
from generator.write.incremental import Fingerprints


@dataclasses.dataclass(frozen=True)
class Card:
    title: str
    count: int


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


def _d(value):
    return Fingerprints().digest(value)


def test_values_that_could_render_differently_never_share_a_digest():
    values = [
        ["ab", "c"],
        ["a", "bc"],
        ("ab", "c"),
        {"a": "bc"},
        {"a": ["bc"]},
        MappingProxyType({"a": "bc"}),
        Card("a", 1),
        Card("a", 2),
        Card("b", 1),
        [1],
        ["1"],
        [1.0],
        [True],
        [None],
        [dt.date(2024, 1, 2)],
        [dt.datetime(2024, 1, 2)],
        [Colour.RED],
        [Colour.BLUE],
        [Html("<p>a</p>")],
        [Html("<p>b</p>")],
        {"a", "b"},
        frozenset({"a"}),
    ]
    digests = [_d(v) for v in values]
    assert len(set(digests)) == len(values)


def test_equal_values_share_a_digest_across_objects_and_instances():
    assert _d([Card("a", 1), {"x": (1, 2)}]) == _d([Card("a", 1), {"x": (1, 2)}])
    assert _d({"b": 1, "a": 2}) == _d({"a": 2, "b": 1})  # key order does not matter
    assert _d({"b", "a", "c"}) == _d({"c", "a", "b"})
    fp = Fingerprints()
    card = Card("a", 1)
    first = fp.digest([card, card])
    assert fp.digest([card, card]) == first == _d([Card("a", 1), Card("a", 1)])


def test_a_memoised_object_is_kept_alive_so_a_new_one_cannot_reuse_its_id():
    fp = Fingerprints()
    seen = {fp.digest([Card(str(i), i)]) for i in range(200)}  # each list dropped at once
    assert len(seen) == 200
