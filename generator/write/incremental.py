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
from generator.site import PageSpec, SitePlan
from generator.urls import Routes


@dataclass(frozen=True)
class Previous:
    """The release the new one may reuse pages from."""

    folder: Path
    files: Mapping[str, Mapping[str, Any]]  # path → manifest entry


class Fingerprints:
    """Digests of page contexts, memoised per object: a story shown on twenty listing
    pages is hashed once."""

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._keep: list[Any] = []  # keeps memoised objects alive so ids stay unique

    def digest(self, value: Any) -> bytes:
        if value is None or isinstance(value, bool | int | float | str | dt.date | enum.Enum):
            return repr(value).encode()
        ident = id(value)
        memo = self._memo.get(ident)
        if memo is not None:
            return memo
        h = hashlib.sha256(type(value).__name__.encode())
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                field = getattr(value, name)
                # a document's source stands in for its text: hash of the file's bytes
                is_file = name == "source" and hasattr(field, "sha256")
                h.update(field.sha256.encode() if is_file else self.digest(field))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                h.update(self.digest(getattr(value, f.name)))
        elif isinstance(value, Mapping):
            for k in sorted(value, key=str):
                h.update(repr(k).encode())
                h.update(self.digest(value[k]))
        elif isinstance(value, list | tuple | frozenset | set):
            items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
            for item in items:
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
