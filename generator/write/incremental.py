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
from collections.abc import Mapping
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


# Fields of a document that do not come from its file's bytes: the slug may come from
# the file name, the gate filters related/stories to published slugs, and validation
# resolves the image path. Every other field is parsed from the bytes that
# ``source.sha256`` covers (with site.yaml and the generator version in the base).
_DERIVED = ("slug", "related", "stories", "image_path")
_SCALARS = (type(None), bool, int, float, str, dt.date, dt.datetime)


class Fingerprints:
    """Digests of page contexts, memoised per object: a story shown on twenty listing
    pages is hashed once."""

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so ids stay unique
        self._fields: dict[type, tuple[str, ...]] = {}

    def digest(self, value: Any) -> bytes:
        kind = type(value)
        # Scalars are length-prefixed so ["ab", "c"] and ["a", "bc"] never hash alike;
        # strings are not repr()'d, which would copy and escape long HTML bodies
        if kind is str:
            data = value.encode()
            return b"s%d:" % len(data) + data
        if kind in _SCALARS or isinstance(value, enum.Enum):
            data = repr(value).encode()
            return b"r%d:" % len(data) + data
        if kind is Html:  # its cache key decides its text, which may not even be read
            data = value.key.encode() if value.key else value.text.encode()
            return b"h%d:" % len(data) + data
        ident = id(value)
        memo = self._memo.get(ident)
        if memo is not None:
            return memo
        h = hashlib.sha256(kind.__name__.encode())
        source = getattr(value, "source", None)
        if isinstance(value, BaseModel) and hasattr(source, "sha256"):
            h.update(source.sha256.encode())  # type: ignore[union-attr]
            h.update(source.path.encode())  # type: ignore[union-attr]
            for name in _DERIVED:
                h.update(self.digest(getattr(value, name, None)))
        elif isinstance(value, BaseModel):
            for name in kind.model_fields:
                h.update(self.digest(getattr(value, name)))
        elif kind is dict:
            for k in sorted(value, key=str):
                h.update(self.digest(str(k)))
                h.update(self.digest(value[k]))
        elif kind is list or isinstance(value, tuple):  # NamedTuples are tuples too
            for item in value:
                h.update(self.digest(item))
        elif dataclasses.is_dataclass(value):
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(value))
            for name in names:
                h.update(self.digest(getattr(value, name)))
        elif isinstance(value, Mapping):
            for k in sorted(value, key=str):
                h.update(self.digest(str(k)))
                h.update(self.digest(value[k]))
        elif isinstance(value, set | frozenset):
            for item in sorted(value, key=repr):
                h.update(self.digest(item))
        else:
            h.update(repr(value).encode())
        result = h.digest()
        self._memo[ident] = result
        self._keep.append(value)
        return result


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
    return key(base, spec.template, spec.url, spec.title, fp.digest(dict(spec.context)))
