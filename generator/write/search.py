"""The search index: our own, static, deterministic, sharded JSON.

Why not Pagefind: its output differs from run to run (hash-map order in its index
files), which would break byte-identical releases, and it needs WebAssembly, which the
Content-Security-Policy would have to allow. This index is plain JSON that the browser
fetches piece by piece (assets/search.js):

    search/index/<aa>.json   terms starting with "aa" → [doc, weight, doc, weight, …]
    search/docs/<n>.json     result cards for docs n*500 … n*500+499
    search/meta.json         doc count, shard size, and the country / injustice filters

Only published stories, milestones and pages are in it (the gate ran first), and it
is rewritten only when one of them changed; otherwise it is carried over. Weighing the
words of 10,000 stories takes a second, so the postings are made and cached by chunk of
documents: when one story is edited, one chunk is weighed again and the rest read back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from generator import words
from generator.cache import Cache, key
from generator.site import SitePlan
from generator.site.views import SearchDoc
from generator.words import STOP
from generator.write.files import Writer
from generator.write.incremental import Previous

FOLDER = "search"
DOCS_PER_FILE = 500
FORMAT = "3"
CHUNK = 500  # documents whose postings are made and cached together


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class SearchFiles:
    """The index's files, made but not written: the old ones to carry over when
    nothing in the index changed, else every file's path and bytes."""

    inputs: str
    carried: dict[str, Any]  # path → the previous release's manifest entry
    made: list[tuple[str, bytes]]


def write_search(out: Writer, plan: SitePlan, previous: Previous | None, cache: Cache) -> None:
    put_search(out, make_search(plan, previous, cache), previous, plan, cache)


def make_search(plan: SitePlan, previous: Previous | None, cache: Cache) -> SearchFiles:
    """The index's files for ``plan``, written nowhere yet (``put_search`` does)."""
    # Every field of a doc comes from its file (and site.yaml's labels, in the key too):
    # the URLs and file digests are enough to tell whether the index would change
    inputs = key("search-index", FORMAT, _settings(plan), *_ids(plan))
    if previous is not None:
        old = {p: e for p, e in previous.files.items() if p.startswith(FOLDER + "/")}
        if old and all(e.get("inputs") == inputs for e in old.values()):
            return SearchFiles(inputs, old, [])
    return SearchFiles(inputs, {}, _index(plan, cache))


def put_search(
    out: Writer,
    files: SearchFiles,
    previous: Previous | None,
    plan: SitePlan,
    cache: Cache,
) -> None:
    """Write what ``make_search`` made, or carry the old index over (made again if a
    file of the old one is missing or damaged)."""
    made = files.made
    if files.carried and previous is not None:
        old = sorted(files.carried.items())
        if all(out.link(p, previous.folder / p, e, files.inputs) for p, e in old):
            return
        made = _index(plan, cache)
    for path, data in made:
        out.write(path, data, files.inputs)


def _settings(plan: SitePlan) -> str:
    site = plan.globals.get("site")
    return site.model_dump_json() if site is not None else ""


def _ids(plan: SitePlan) -> list[str]:
    return [f"{d.url} {d.source}" for d in plan.search]


def _index(plan: SitePlan, cache: Cache) -> list[tuple[str, bytes]]:
    docs, ids, settings = plan.search, _ids(plan), _settings(plan)
    made: list[tuple[str, bytes]] = []
    # term -> [doc, weight, doc, weight, ...], chunk after chunk: doc numbers ascend
    postings: dict[str, list[int]] = {}
    found = postings.get
    for start in range(0, len(docs), CHUNK):
        for term, entries in _chunk(docs, ids, start, settings, cache).items():
            have = found(term)
            if have is None:
                postings[term] = entries
            else:
                have += entries
    filters: dict[str, dict[str, list[int]]] = {"country": {}, "injustice": {}}
    for number, doc in enumerate(docs):
        if doc.country:
            filters["country"].setdefault(doc.country, []).append(number)
        for label in doc.injustice:
            filters["injustice"].setdefault(label, []).append(number)
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term, entries in postings.items():
        shards[term[:2]][term] = entries
    for prefix, entries in sorted(shards.items()):
        made.append((f"{FOLDER}/index/{prefix}.json", _dump(entries)))
    for start in range(0, max(len(docs), 1), DOCS_PER_FILE):
        cards = [
            [d.url, d.title, d.summary, d.kind, d.country or "", list(d.injustice), d.date]
            for d in docs[start : start + DOCS_PER_FILE]
        ]
        made.append((f"{FOLDER}/docs/{start // DOCS_PER_FILE}.json", _dump(cards)))
    meta = {
        "format": FORMAT,
        "docs": len(docs),
        "per_file": DOCS_PER_FILE,
        "filters": filters,
        "stop": sorted(STOP),  # the browser drops the same words from queries
    }
    made.append((f"{FOLDER}/meta.json", _dump(meta)))
    return made


def _chunk(
    docs: tuple[SearchDoc, ...], ids: list[str], start: int, settings: str, cache: Cache
) -> dict:
    """The postings of ``docs[start:start + CHUNK]``, numbered from ``start``: from the
    cache when the same documents (``ids``: URL and file digest) were at the same places
    before."""
    end = start + CHUNK
    k = key("search-chunk", FORMAT, settings, str(start), *ids[start:end])
    got = cache.get("search", k)
    if isinstance(got, dict):
        return got
    made = _postings(docs[start:end], start)
    cache.put("search", k, made)
    return made


def _postings(docs: tuple[SearchDoc, ...], first: int) -> dict[str, list[int]]:
    postings: dict[str, list[int]] = {}
    found = postings.get  # one dict lookup per word of every story: the index's cost
    for number, doc in enumerate(docs, first):
        # title words weigh three, summary words two, on top of the text's own counts
        extra = {t: 3 * n for t, n in words.terms(doc.title).items()}
        for t, n in words.terms(doc.summary).items():
            extra[t] = extra.get(t, 0) + 2 * n
        for item in str(doc.words).split():
            term, _, count = item.rpartition(":")
            weight = int(count) + extra.pop(term, 0) if extra else int(count)
            entries = found(term)
            if entries is None:
                postings[term] = [number, weight]
            else:
                entries += (number, weight)
        for term, weight in sorted(extra.items()):  # few: title and summary words only
            postings.setdefault(term, []).extend((number, weight))
    return postings
