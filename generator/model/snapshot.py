"""Validated documents of earlier builds, by file stamp: an edit build reads and
validates the files that changed, and takes the rest as they were.

Kept in the cache as JSON, like everything there: a planted file can at worst give
wrong values, never run code. Models are rebuilt from a closed list of classes, as
pydantic's own unpickling does (their fields as validated, no validation again), each
field converted by its annotation (dates as ISO text, line maps as text). The whole is
keyed by what validation depends on besides the file (vocabularies, the model and
loader code, pydantic and pycountry), each entry by its file's stamp and digest (see
``stamps``); the snapshots under other keys are deleted when a base is written.

Written as a base and a delta: an edit build writes the few entries that differ from
the base (encoding 10,000 documents costs half a second), and a new base once the
delta has grown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import secrets
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pydantic

from generator import load
from generator.cache import Cache, key
from generator.config import SiteConfig
from generator.model.content import (
    KIND_OF,
    Campaign,
    Consent,
    ImageRef,
    Metric,
    Milestone,
    Money,
    Page,
    PartialDate,
    Source,
    Story,
    Survivor,
    TeamMember,
    Video,
    fields_set,
)
from generator.stamps import Stamp, settled, stamp_of

_CLASSES: tuple[type[pydantic.BaseModel], ...] = (
    Story,
    Milestone,
    Page,
    Campaign,
    Source,
    Consent,
    Survivor,
    ImageRef,
    Video,
    Metric,
    Money,
    TeamMember,
)
_INDEX = {cls: i for i, cls in enumerate(_CLASSES)}
_NAMES = [tuple(cls.model_fields) for cls in _CLASSES]
_PLAIN = (str, int, float, bool, type(None))
KIND = "documents"
# A new base once the delta holds more than this many entries, or this share of them
DELTA_MIN, DELTA_SHARE = 64, 8


def _code_digest() -> str:
    """The code validation runs: the model, the loader and YAML reading."""
    here = Path(__file__).parent
    files = sorted(here.glob("*.py")) + sorted(Path(load.__file__).parent.glob("*.py"))
    files += [here.parent / "yamldoc.py", here.parent / "yamlmemo.py"]
    h = hashlib.sha256()
    for file in files:
        h.update(file.read_bytes())
    return h.hexdigest()


def _countries_stamp() -> str:
    """Which pycountry names the countries: its database file's stamp (asking for
    the package's version costs 20 ms of imports)."""
    spec = importlib.util.find_spec("pycountry")
    if spec is None or spec.origin is None:
        return "none"
    base = os.path.dirname(spec.origin)
    try:
        return repr(stamp_of(os.stat(os.path.join(base, "databases", "iso3166-1.json"))))
    except OSError:
        return base


def _converter(annotation: Any) -> Callable[[Any], Any] | None:
    """How a field's JSON value becomes the validated one, when it is not as it is."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # X | None
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:  # PlainDate and the like
        annotation = typing.get_args(annotation)[0]
    kind = typing.get_origin(annotation) or annotation
    if kind is dt.datetime:
        return dt.datetime.fromisoformat
    if kind is dt.date:
        return dt.date.fromisoformat
    if kind is PartialDate:
        return lambda v: PartialDate(*v)
    if isinstance(kind, type) and issubclass(kind, Mapping):
        return LineMap
    if kind is tuple:
        return tuple
    return None


# Per class: (position, converter) of each field whose JSON value needs one; the
# values of the rest (text, numbers, nested models) are what validation gave
_CONVERT: list[list[tuple[int, Callable[[Any], Any]]]] = []


def encode(value: Any) -> Any:
    """A validated value → JSON values; a model as its class and its fields' values,
    which ``_rebuild`` turns back by the field types (dates as ISO text, line maps as
    text, tuples as lists)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple:
        return [v if type(v) in _PLAIN else encode(v) for v in value]
    if kind is PartialDate:
        return list(value)
    if kind is dt.datetime or kind is dt.date:
        return value.isoformat()
    index = _INDEX.get(kind)
    if index is not None:
        fields = value.__dict__
        return {"\0m": [index, *(encode(fields[name]) for name in _NAMES[index])]}
    if isinstance(value, LineMap) and value.text is not None:
        return value.text
    if isinstance(value, Mapping):  # a key → line map
        return LineMap.pack(value)
    raise TypeError(f"cannot keep a {kind.__name__} in the snapshot")


def _rebuild(d: dict[str, Any]) -> Any:
    """``json.loads`` object hook: a model back from what ``encode`` made of it."""
    m = d.get("\0m")
    if m is None:
        return d
    index = m[0]
    cls = _CLASSES[index]
    values = m[1:]
    if len(values) != len(_NAMES[index]):
        raise ValueError("fields differ")
    for i, convert in _CONVERT[index]:
        if values[i] is not None:
            values[i] = convert(values[i])
    obj = cls.__new__(cls)
    setattr_ = object.__setattr__
    setattr_(obj, "__dict__", dict(zip(_NAMES[index], values, strict=True)))
    setattr_(obj, "__pydantic_fields_set__", fields_set(cls))
    setattr_(obj, "__pydantic_extra__", None)
    setattr_(obj, "__pydantic_private__", None)
    return obj


class LineMap(Mapping[tuple[str | int, ...], int]):
    """A document's key → line map, kept as text until a message needs a line: it was
    a third of the snapshot, and most builds look up none of it. A valid document's
    keys are field names and list positions: ``title:2;metrics.0.value:7``."""

    __slots__ = ("_lines", "text")

    def __init__(self, text: str):
        self.text: str | None = text
        self._lines: dict[tuple[str | int, ...], int] | None = None

    @staticmethod
    def pack(lines: Mapping[tuple[str | int, ...], int]) -> str:
        out = []
        for k, line in lines.items():
            for part in k:
                if type(part) is str and not part.isidentifier():
                    raise TypeError(f"cannot keep the key {part!r} in the snapshot")
            out.append(".".join(map(str, k)) + f":{line}")
        return ";".join(out)

    def _map(self) -> dict[tuple[str | int, ...], int]:
        if self._lines is None:
            assert self.text is not None
            lines: dict[tuple[str | int, ...], int] = {}
            for item in self.text.split(";") if self.text else ():
                k, line = item.rsplit(":", 1)
                parts = (int(p) if p.isdigit() else p for p in k.split("."))
                lines[tuple(parts)] = int(line)
            self._lines = lines
        return self._lines

    def __getitem__(self, key: tuple[str | int, ...]) -> int:
        return self._map()[key]

    def __iter__(self) -> Iterator[tuple[str | int, ...]]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())

    def __repr__(self) -> str:
        return repr(self._map())


for _cls in _CLASSES:
    _found = []
    for _i, _info in enumerate(_cls.model_fields.values()):
        _convert = _converter(_info.annotation)
        if _convert is not None:
            _found.append((_i, _convert))
    _CONVERT.append(_found)


def _same_front(old: Any, new: Any) -> bool:
    """Whether two validations of a file agree on everything but where its lines are
    and the digest of its bytes (so: but its body)."""
    if type(old) is not type(new):
        return False
    for name in type(new).model_fields:
        if name == "source":
            if (old.source.path, old.source.folder) != (new.source.path, new.source.folder):
                return False
        elif getattr(old, name) != getattr(new, name):
            return False
    return True


def decode(payload: bytes) -> Any:
    return json.loads(payload, object_hook=_rebuild)


class Snapshot:
    """The documents an earlier build validated, and those this build adds."""

    def __init__(self, cache: Cache, config: SiteConfig, site_dir: Path):
        self.cache = cache
        vocabularies = repr((config.vocabularies.injustice, config.vocabularies.milestone_kind))
        self.key = key(
            "documents-2",
            str(site_dir.resolve()),
            vocabularies,
            _code_digest(),
            pydantic.VERSION,
            _countries_stamp(),
        )
        self.base_id = ""
        # path → [stamp, settled, item]: the base with the delta over it
        self.entries: dict[str, list[Any]] = {}
        self.delta: dict[str, Any] = {}  # the stored delta, entries encoded
        self.fresh: dict[str, tuple[Stamp, Any]] = {}  # read and valid: stamp, item
        self._load()

    def _load(self) -> None:
        try:
            base = self.cache.get_bytes(KIND, self.key + "-base")
            if base is None:
                return
            stored = decode(base)
            self.base_id, self.entries = str(stored["id"]), dict(stored["entries"])

            delta = self.cache.get_bytes(KIND, self.key + "-delta")
            if delta is None:
                return
            raw = json.loads(delta)
            if raw.get("base") != self.base_id:
                return  # a delta over an earlier base: its files are read again
            for path, entry in decode(delta)["entries"].items():
                if entry is None:
                    self.entries.pop(path, None)
                else:
                    self.entries[path] = entry
            self.delta = raw["entries"]
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            self.base_id, self.entries, self.delta = "", {}, {}  # damaged: read everything

    def known(self) -> dict[str, load.Known]:
        """What load needs to leave files unread; {} if an entry is not as written."""
        found: dict[str, load.Known] = {}
        try:
            for path, (stamp, is_settled, item) in self.entries.items():
                sha = item.source.sha256
                if (
                    type(item) not in KIND_OF
                    or type(sha) is not str
                    or len(stamp) != 5
                    or not all(type(n) is int for n in stamp)
                ):
                    raise ValueError(path)
                found[path] = (tuple(stamp), sha, bool(is_settled))  # type: ignore[assignment]
        except (ValueError, TypeError, AttributeError):
            self.base_id, self.entries, self.delta = "", {}, {}
            return {}
        return found

    def item(self, path: str) -> Any:
        return self.entries[path][2]

    def body_edits(self, kept: Iterable[str]) -> frozenset[str] | None:
        """The documents this build read again whose front matter is as the last build
        validated it (their bodies may differ), when every other one was kept unread
        and none is new or gone; else None. For ``write.reuse``."""
        if not self.base_id:
            return None  # nothing from an earlier build
        paths = set(kept)
        for path, (_, item) in self.fresh.items():
            entry = self.entries.get(path)
            if entry is None or not _same_front(entry[2], item):
                return None
            paths.add(path)
        return frozenset(self.fresh) if paths == self.entries.keys() else None

    def record(self, doc: load.SourceDoc, item: Any) -> None:
        """A document this build read and found valid."""
        if doc.stamp is not None:
            self.fresh[doc.path] = (doc.stamp, item)

    def save(self, kept: Mapping[str, Stamp], since_ns: int) -> None:
        """Store this build's documents. ``since_ns``: a time before any file was read
        (a stamp is settled if its file had not changed for a while by then)."""
        # in a forked process while the build goes on: encoding 10,000 documents and
        # writing them cost the parent 0.4 s, with the other core idle
        self.cache.later(lambda: self._save(kept, since_ns))

    def _save(self, kept: Mapping[str, Stamp], since_ns: int) -> None:
        # paths gone since the base stay gone until the next base
        changed: dict[str, Any] = {p: None for p, v in self.delta.items() if v is None}
        for path, (stamp, item) in self.fresh.items():
            try:
                changed[path] = [list(stamp), settled(stamp, since_ns), encode(item)]
            except TypeError:  # a value the snapshot cannot hold: read it each time
                continue
        for path, stamp in kept.items():
            _, was_settled, item = self.entries[path]
            if not was_settled and settled(stamp, since_ns):
                changed[path] = [list(stamp), True, encode(item)]
            elif path in self.delta:
                changed[path] = self.delta[path]
        gone = [p for p in self.entries if p not in kept and p not in self.fresh]
        for path in gone:  # deleted, or failing now: read again next time
            changed[path] = None
        if changed == self.delta:
            return
        if not self.base_id or len(changed) > max(DELTA_MIN, len(self.entries) // DELTA_SHARE):
            self._write_base(kept, changed)
        else:
            payload = {"base": self.base_id, "entries": changed}
            self.cache.put(KIND, self.key + "-delta", payload)

    def _write_base(self, kept: Mapping[str, Stamp], changed: dict[str, Any]) -> None:
        entries: dict[str, Any] = {}
        for path in sorted(set(kept) | set(changed)):
            entry = changed.get(path)
            if entry is None and path in kept:
                stamp, is_settled, item = self.entries[path]
                entry = [list(stamp), is_settled, encode(item)]
            if entry is not None:
                entries[path] = entry
        base_id = secrets.token_hex(8)
        self.cache.put(KIND, self.key + "-base", {"id": base_id, "entries": entries})
        self.cache.drop(KIND, self.key + "-delta")
        # one snapshot per output folder: those of other vocabularies or code are 10 MB
        # each at 10,000 stories, and would never be read again until they are back
        self.cache.drop_others(KIND, {self.key + "-base"})
