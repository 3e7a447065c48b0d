"""Page fingerprints carried over when only the bodies of documents changed.

Fingerprinting every page (16,000 at 10,000 stories) walks and hashes every value of
every context: a quarter of an edit build. When the last build's inputs were the same
but for the bodies of some documents (their front matter as it was, no document added
or removed, no other file changed: templates, site.yaml, images, the generator), then
where every document appears, every listing and every card are as they were, and a
page's fingerprint can change only if its context shows one of those documents, its
card or its body. A page that shows none of them keeps the fingerprint the last
release's manifest gives it; the others are fingerprinted in full. Any value this
module does not know makes its page fingerprinted in full too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from generator.cache import key
from generator.render import Html
from generator.site import Link, PageSpec, Pagination, StoryCard


@dataclass(frozen=True)
class BodyEdits:
    """This build's changes against the last one's, as ``build.run`` found them."""

    # the documents whose body alone changed (their front matter as it was); None if
    # any document changed more, or is new or gone, or if there was no last build
    paths: frozenset[str] | None
    outside: str  # every other input file's stamps (``stamps.outside_documents``)


def marks(base: str, outside: str, pages: Sequence[PageSpec]) -> dict[str, str]:
    """What the next build compares with (kept in the cache under the release id)."""
    listed = (f"{spec.url} {spec.template}" for spec in pages)
    return {"base": base, "outside": outside, "pages": key(*listed)}


def carried(marks: Mapping[str, str], edits: BodyEdits | None, last: Any) -> bool:
    """Whether the last release's fingerprints may be carried over: the same site-wide
    inputs, other files and pages (``marks`` of this build and the last), and only
    bodies edited since."""
    return (
        edits is not None
        and edits.paths is not None
        and isinstance(last, Mapping)
        and all(last.get(name) == value for name, value in marks.items())
    )


_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, Link, Pagination})


class Untouched:
    """``page(context)``: whether a page's context shows none of the edited documents
    (as a document, a card or a body) and holds only values this knows. Objects are
    looked at once: a card is on many pages."""

    def __init__(self, edited: frozenset[str]):
        self.edited = edited
        self.memo: dict[int, bool] = {}
        self.keep: list[Any] = []  # the objects memoised, alive: their ids stay theirs

    def page(self, context: Mapping[str, Any]) -> bool:
        return all(map(self.value, context.values()))

    def value(self, value: Any) -> bool:
        kind = type(value)
        if kind in _PLAIN:
            return True
        if kind is list or kind is tuple:  # a page's own, mostly: not worth remembering
            return all(map(self.value, value))
        if kind is Html:
            return bool(value.path) and value.path not in self.edited
        found = self.memo.get(id(value))
        if found is None:
            found = self.memo[id(value)] = self._check(kind, value)
            self.keep.append(value)
        return found

    def _check(self, kind: type, value: Any) -> bool:
        if kind is StoryCard:  # made from its story, the routes and site.yaml only
            return value.story.source.path not in self.edited and self.value(value.image)
        if issubclass(kind, BaseModel):
            if "source" in kind.model_fields and hasattr(value.source, "sha256"):
                return value.source.path not in self.edited  # a document
            return all(self.value(getattr(value, name)) for name in kind.model_fields)
        if dataclasses.is_dataclass(kind):
            return all(self.value(getattr(value, f.name)) for f in dataclasses.fields(kind))
        if issubclass(kind, enum.Enum):
            return True
        if kind is dict:
            return all(self.value(k) and self.value(v) for k, v in value.items())
        return False  # not known here: fingerprinted
