"""Parsed front matter from earlier builds, kept in the cache by the hash of its text.

Constructing Python values is the slow half of YAML loading; a front matter block seen
before is rebuilt from JSON instead (dates tagged so they come back as dates). Blocks
that would not survive the trip (non-text keys) are simply not memoised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from generator import yamlquick
from generator.cache import Cache
from generator.yamldoc import YamlDoc, parse


class NotMemoised(Exception):
    """The text is not in the memo (``parse(text, memo_only=True)``)."""


class ParseMemo:
    """The memo of one build: ``old`` as stored, ``new`` what this build used.

    ``last`` is the entry the latest ``parse`` used or made, so that a worker process
    can send it back to the parent, which keeps ``new`` and saves it.
    """

    KIND, KEY = "frontmatter", "index-v2"  # bump when parse() accepts less

    def __init__(self, cache: Cache):
        self.cache = cache
        stored = cache.get(self.KIND, self.KEY)
        self.old: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self.new: dict[str, Any] = {}
        self.last: tuple[str, Any] | None = None

    def parse(self, text: str, memo_only: bool = False) -> YamlDoc:
        """The parsed text; with ``memo_only``, raise ``NotMemoised`` instead of parsing.
        Front matter of the plainest kind is read at once (``yamlquick``), not memoised."""
        quick = yamlquick.parse(text)
        if quick is not None:
            self.last = None
            return quick
        digest = hashlib.sha256(text.encode()).hexdigest()
        entry = self.old.get(digest)
        if entry is not None:
            try:
                data = _untag(entry[0])
                lines = {tuple(path): line for path, line in entry[1]}
                self.new[digest] = entry
                self.last = (digest, None)  # the parent has it already
                return YamlDoc(data, lines)
            except (TypeError, ValueError, IndexError, KeyError):
                pass  # a damaged entry: parse the text again
        if memo_only:
            raise NotMemoised
        self.last = None
        doc = parse(text)
        tagged = _tag(doc.data)
        if tagged is not _UNSAFE:
            entry = [tagged, [[list(k), v] for k, v in doc.lines.items()]]
            self.new[digest] = entry
            self.last = (digest, entry)
        return doc

    def keep(self, used: tuple[str, Any] | None) -> None:
        """Record an entry a worker used (None: one made there)."""
        if used is not None:
            digest, entry = used
            self.new[digest] = self.old[digest] if entry is None else entry

    def save(self, keep_old: bool = False) -> None:
        """Store what this build used; with ``keep_old``, what it held too (the build
        left documents unread whose entries it would want again)."""
        new = {**self.old, **self.new} if keep_old else self.new
        if new.keys() != self.old.keys():
            # in a forked process (0.6 s of JSON at 10,000 stories) while validation runs
            self.cache.later(lambda: self.cache.put(self.KIND, self.KEY, new))


_UNSAFE = object()


def _tag(value: Any) -> Any:
    """Plain YAML values → JSON-safe values (dates tagged); _UNSAFE if impossible."""
    if isinstance(value, dt.datetime):
        return {"\u0000t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"\u0000d": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        items = [_tag(v) for v in value]
        return _UNSAFE if any(i is _UNSAFE for i in items) else items
    if isinstance(value, dict) and all(
        isinstance(k, str) and not k.startswith("\u0000") for k in value
    ):
        out = {k: _tag(v) for k, v in value.items()}
        return _UNSAFE if any(v is _UNSAFE for v in out.values()) else out
    return _UNSAFE


_PLAIN = (str, int, float, bool, type(None))


def _untag(value: Any) -> Any:
    # JSON gives lists, dicts and plain values only; plain ones (most) need no call
    if type(value) is list:
        return [v if type(v) in _PLAIN else _untag(v) for v in value]
    if type(value) is dict:
        if len(value) == 1:
            ((k, v),) = value.items()
            if k == "\u0000t":
                return dt.datetime.fromisoformat(v)
            if k == "\u0000d":
                return dt.date.fromisoformat(v)
        return {k: v if type(v) in _PLAIN else _untag(v) for k, v in value.items()}
    return value
