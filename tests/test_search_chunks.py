"""The search index made chunk by chunk, chunks cached: the same bytes as made whole."""

from __future__ import annotations

import json

import pytest

from generator.cache import Cache
from generator.site.views import SearchDoc
from generator.write import search
from generator.write.files import Writer


class _Plan:
    def __init__(self, docs):
        self.search = tuple(docs)
        self.globals: dict = {}


def _doc(i: int, text: str = "") -> SearchDoc:
    words = f"river:{i % 3 + 1} field:2 word{i}:1 {text}".strip()
    country = "Kenya" if i % 2 else "Uganda"
    return SearchDoc(
        f"stories/s{i:02d}/",
        f"Story {i} river",
        "A summary",
        "Story",
        country,
        ("Land theft",),
        "2024-01-01",
        words,
        f"sha{i}{text}",
    )


def _index(tmp_path, name, docs, cache) -> dict[str, bytes]:
    (tmp_path / name).mkdir()  # a writer's root is there before it (never made by it)
    out = Writer(tmp_path / name)
    search.write_search(out, _Plan(docs), None, cache)
    return {
        p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
        for p in sorted((tmp_path / name).rglob("*.json"))
    }


def test_chunks_cached_or_not_give_the_index_made_whole(tmp_path, monkeypatch):
    docs = [_doc(i) for i in range(11)]
    whole = _index(tmp_path, "whole", docs, Cache(None))
    monkeypatch.setattr(search, "CHUNK", 3)  # four chunks, the last one short
    cache = Cache(tmp_path / "cache")
    assert _index(tmp_path, "cold", docs, cache) == whole
    made = sorted((tmp_path / "cache/search").rglob("*"))
    assert len([p for p in made if p.is_file()]) == 4
    assert _index(tmp_path, "warm", docs, cache) == whole and cache.hits == 4

    docs[4] = _doc(4, "edited:5")  # one story edited: its chunk is made again
    edited = _index(tmp_path, "edited", docs, cache)
    assert cache.hits == 4 + 3 and edited == _index(tmp_path, "x", docs, Cache(None))
    shard = json.loads(edited["search/index/ed.json"])
    assert shard == {"edited": [4, 5]}


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_damaged_chunk_is_made_again(tmp_path, monkeypatch, damage):
    monkeypatch.setattr(search, "CHUNK", 3)
    docs = [_doc(i) for i in range(7)]
    cache = Cache(tmp_path / "cache")
    first = _index(tmp_path, "first", docs, cache)
    for entry in (p for p in (tmp_path / "cache/search").rglob("*") if p.is_file()):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"x" * len(data))
    assert _index(tmp_path, "again", docs, cache) == first
