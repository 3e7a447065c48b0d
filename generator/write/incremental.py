"""Which pages can be carried over from the previous release unchanged.

A page's fingerprint hashes everything its HTML depends on: the generator version,
every template and theme asset, site.yaml, the navigation, the build date, and the
page's own context (its stories by source hash plus what the gate changed). A page
whose fingerprint equals the one recorded for the same file in the previous
release's manifest is hard-linked from there instead of rendered again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from generator import __version__
from generator.cache import key
from generator.render import Html
from generator.site import PageSpec, SitePlan
from generator.urls import Routes


@dataclass(frozen=True)
class Previous:
    """The release the new one may reuse pages from."""

    folder: Path
    files: Mapping[str, Mapping[str, Any]]  # path → manifest entry
    marks: Mapping[str, Any] | None = None  # what its build kept for this one (``reuse``)


# Fields of a document that do not come from its file's bytes: the slug may come from
# the file name, the gate filters related/stories to published slugs, and validation
# resolves the image path. Every other field is parsed from the bytes that
# ``source.sha256`` covers (with site.yaml and the generator version in the base).
_DERIVED = ("slug", "related", "stories", "image_path")
_SCALARS = (type(None), bool, int, float, str, dt.date, dt.datetime)


class Fingerprints:
    """Digests of page contexts, memoised per object: a story shown on twenty listing
    pages is hashed once. How a type is hashed is decided once per type, not by a chain
    of isinstance tests per value (16,000 pages: 400,000 values)."""

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so ids stay unique
        self._how: dict[type, Callable[[Any], bytes]] = {}
        self._keys: dict[str, bytes] = {}  # mapping keys: the same few on every page

    def digest(self, value: Any) -> bytes:
        kind = type(value)
        if kind is str:  # the most common value: no lookups
            data = value.encode()
            return b"s%d:" % len(data) + data
        if value is None:  # the next most common (fields not given)
            return _NONE
        # Only objects kept alive are in the memo, so an id found there is this object's
        found = self._memo.get(id(value))
        if found is not None:
            return found
        how = self._how.get(kind)
        if how is None:
            how = self._how[kind] = self._plan(kind)
        return how(value)

    def _plan(self, kind: type) -> Callable[[Any], bytes]:
        if kind in _SCALARS or issubclass(kind, enum.Enum):
            return _scalar
        if kind is Html:
            return _html
        if issubclass(kind, BaseModel):
            return self._memoised(kind, self._model(kind, self._fields(kind.model_fields)))
        if kind is dict:
            return self._memoised(kind, self._mapping)
        if kind is list or issubclass(kind, tuple):  # NamedTuples are tuples too
            return self._memoised(kind, self._items)
        if dataclasses.is_dataclass(kind):
            return self._memoised(kind, self._fields(f.name for f in dataclasses.fields(kind)))
        if issubclass(kind, Mapping):
            return self._memoised(kind, self._mapping)
        if issubclass(kind, set | frozenset):
            return self._memoised(kind, lambda v, h: self._items(sorted(v, key=repr), h))
        return self._memoised(kind, lambda v, h: h.update(repr(v).encode()))

    def _memoised(self, kind: type, feed: Callable[[Any, Any], None]) -> Callable[[Any], bytes]:
        name = kind.__name__.encode()
        memo, keep = self._memo, self._keep

        def how(value: Any) -> bytes:
            h = hashlib.sha256(name)
            feed(value, h)
            result = memo[id(value)] = h.digest()
            keep.append(value)
            return result

        return how

    def _fields(self, names: Iterable[str]) -> Callable[[Any, Any], None]:
        names = tuple(names)
        digest = self.digest

        def feed(value: Any, h: Any) -> None:
            update = h.update
            for name in names:
                update(digest(getattr(value, name)))

        return feed

    def _model(
        self, kind: type[BaseModel], fields: Callable[[Any, Any], None]
    ) -> Callable[[Any, Any], None]:
        digest = self.digest
        if "source" not in kind.model_fields:
            return fields
        # Looked up once per type: asking a model for a field it lacks goes through
        # pydantic's __getattr__ and an exception, 11,000 times a build. A field the
        # type lacks is hashed as None, as it always was
        derived = [(name, name in kind.model_fields) for name in _DERIVED]

        def feed(value: Any, h: Any) -> None:
            source = value.source
            if not hasattr(source, "sha256"):
                fields(value, h)
                return
            # A document: the bytes of its file decide every field but the derived ones
            update = h.update
            update(source.sha256.encode())
            update(source.path.encode())
            for name, present in derived:
                update(digest(getattr(value, name)) if present else _NONE)

        return feed

    def _items(self, items: Any, h: Any) -> None:
        update, digest = h.update, self.digest
        for item in items:
            update(digest(item))

    def context(self, value: Mapping[str, Any], h: Any) -> None:
        """A page's context into ``h``: a mapping seen once, so not memoised."""
        self._mapping(value, h)

    def _mapping(self, value: Mapping[Any, Any], h: Any) -> None:
        update, digest, keys = h.update, self.digest, self._keys
        try:
            order = sorted(value)  # text keys, nearly always: no key function
        except TypeError:
            order = sorted(value, key=str)
        for k in order:
            name = keys.get(k) if type(k) is str else None
            if name is None:
                name = digest(str(k))
                if type(k) is str:
                    keys[k] = name
            update(name)
            update(digest(value[k]))


_NONE = b"r4:None"


def _scalar(value: Any) -> bytes:
    # Scalars are length-prefixed so ["ab", "c"] and ["a", "bc"] never hash alike
    data = repr(value).encode()
    return b"r%d:" % len(data) + data


def _html(value: Html) -> bytes:  # its cache key decides its text, which may not be read
    data = value.key.encode() if value.key else value.text.encode()
    return b"h%d:" % len(data) + data


def theme_digest(env: jinja2.Environment) -> str:
    """Every file the theme could read: templates, partials and assets."""
    h = hashlib.sha256()
    loader = env.loader
    for sub in getattr(loader, "loaders", [loader]):
        for base in getattr(sub, "searchpath", []):
            for root, dirs, names in os.walk(base):
                dirs.sort()
                for name in sorted(names):
                    path = Path(root) / name
                    h.update(str(path.relative_to(base)).encode())
                    h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def global_fingerprint(
    plan: SitePlan, env: jinja2.Environment, routes: Routes, assets: Mapping[str, str]
) -> str:
    fp = Fingerprints()
    site = plan.globals.get("site")
    return key(
        __version__,
        theme_digest(env),
        site.model_dump_json() if site is not None else "",
        routes.base_url,
        plan.as_of.date().isoformat(),
        str(plan.drafts),
        fp.digest(plan.nav),
        fp.digest(dict(assets)),
    )


def page_fingerprint(base: str, spec: PageSpec, fp: Fingerprints) -> str:
    h = hashlib.sha256(b"page")
    for part in (base, spec.template, spec.url, spec.title):
        data = part.encode()
        h.update(b"%d:" % len(data) + data)
    fp.context(spec.context, h)
    return h.hexdigest()
