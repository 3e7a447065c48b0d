"""Front matter of the plainest kind, read without a YAML parser: the same data and lines.

Most front matter is ``key: value`` lines, a list in brackets, a mapping or a list
indented one level below a key. libyaml reads it fast, but PyYAML then resolves and
builds every value in Python and ``yamldoc`` walks the nodes for the line map: 0.25 ms
of a document, most of reading a site of 10,000 stories. Text made only of these forms
is read here line by line; each plain value is typed by PyYAML's own resolver table
(so ``true``, ``2024-05-01`` and ``12`` become what PyYAML makes of them), and
anything this does not know for certain (comments after a value, block scalars,
anchors, tags, flow mappings, escapes in quotes, keys read as non-text, a repeated
key, tabs, odd line breaks, numbers in other notations...) gives None: the caller
parses the text with ``yamldoc`` as before, which also reports the mistakes.
``tests/test_yamlquick.py`` compares both on every form and on random front matter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml.resolver

from generator.yamldoc import KeyPath, YamlDoc

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?\Z")
_ITEM = re.compile(r"- (.*)\Z")
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
# first characters that make YAML read a plain value as something else (or refuse it)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW = frozenset("[]{},")
_RESOLVERS: dict[str, list[tuple[str, Any]]] = yaml.resolver.Resolver.yaml_implicit_resolvers
_YAML = "tag:yaml.org,2002:"
# of the words YAML 1.1 reads as true or false, those read here (not yes/no/on/off)
_BOOLS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}


class _Unknown(Exception):
    """Text outside the forms read here."""


def parse(text: str) -> YamlDoc | None:
    """The front matter's data and key lines, as ``yamldoc.parse`` gives them; None if
    the text is not of the plainest kind (then ``yamldoc.parse`` must read it)."""
    lines = text.split("\n")
    # no tab, no carriage return, no character YAML refuses or reads as a line break
    if not "".join(lines).isprintable():
        return None
    try:
        data, where, _ = _mapping(lines, 0, 0, ())
    except _Unknown:
        return None
    return YamlDoc(data, where) if data else None


def _blank(line: str) -> bool:
    stripped = line.lstrip(" ")
    return not stripped or stripped[0] == "#"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _mapping(
    lines: list[str], at: int, indent: int, path: KeyPath, first: str | None = None
) -> tuple[dict[str, Any], dict[KeyPath, int], int]:
    """The mapping whose keys start at column ``indent`` from line ``at`` (``first``:
    the text of its first line after a list's "- "); its data, lines and next line."""
    data: dict[str, Any] = {}
    where: dict[KeyPath, int] = {}
    while at < len(lines):
        line = lines[at] if first is None else " " * indent + first
        if first is None and _blank(line):
            at += 1
            continue
        first = None
        if _indent(line) < indent:
            break
        m = _KEY.match(line, indent)  # (a line indented further matches no key there)
        if m is None:
            raise _Unknown
        key, rest = m.group(1), m.group(2)
        if key in data or _typed(key) is not key:
            raise _Unknown  # a repeated key, or one read as a number, date or true/false
        where[(*path, key)] = at + 1
        if rest:
            data[key] = _inline(rest, (*path, key), at + 1, where)
            at += 1
            continue
        if rest is not None or indent:
            raise _Unknown  # "key: " with nothing after, or a block two levels down
        data[key], at = _block(lines, at + 1, (*path, key), where)
    return data, where, at


def _block(lines: list[str], at: int, path: KeyPath, where: dict[KeyPath, int]) -> tuple[Any, int]:
    """The mapping or list indented below a top-level key."""
    start = at
    while at < len(lines) and _blank(lines[at]):
        at += 1
    if at == len(lines) or _indent(lines[at]) == 0:
        raise _Unknown  # an empty value (null)
    indent = _indent(lines[at])
    if not lines[at].startswith("- ", indent):
        data, found, at = _mapping(lines, start, indent, path)
        where.update(found)
        return data, at
    items: list[Any] = []
    while at < len(lines):
        line = lines[at]
        if _blank(line):
            at += 1
            continue
        if _indent(line) < indent:
            break
        m = _ITEM.match(line, indent)
        if _indent(line) != indent or m is None:
            raise _Unknown
        item = (*path, len(items))
        where[item] = at + 1
        rest = m.group(1)
        if _KEY.match(rest):
            # a mapping in the list: its first key after "- ", the rest below it
            data, found, at = _mapping(lines, at, indent + 2, item, rest)
            where.update(found)
            items.append(data)
            continue
        items.append(_inline(rest, item, at + 1, where))
        at += 1
    return items, at


def _inline(text: str, path: KeyPath, line: int, where: dict[KeyPath, int]) -> Any:
    """A value on its key's line: a scalar, or a list in brackets."""
    if not text:
        raise _Unknown  # "- " with nothing after it
    if text[0] == "[":
        if text[-1] != "]":
            raise _Unknown
        inner = text[1:-1]
        if not inner.strip():
            if inner:
                raise _Unknown
            return []
        items = []
        for i, part in enumerate(inner.split(",")):
            item = part.strip(" ")
            if not item or (part != item and part != " " + item and i):
                raise _Unknown
            if i == 0 and part != item:
                raise _Unknown
            value = _scalar(item, flow=True)
            where[(*path, i)] = line
            items.append(value)
        return items
    return _scalar(text, flow=False)


def _scalar(text: str, flow: bool) -> Any:
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"' or '"' in text[1:-1] or "\\" in text:
            raise _Unknown
        value = text[1:-1]
    elif text[0] == "'":
        if len(text) < 2 or text[-1] != "'" or "'" in text[1:-1]:
            raise _Unknown
        value = text[1:-1]
    else:
        if (
            text[0] in _INDICATORS
            or text != text.strip(" ")
            or ": " in text
            or " #" in text
            or text[-1] == ":"
            or (flow and not _FLOW.isdisjoint(text))
        ):
            raise _Unknown
        value = text
    return value if text[0] in "'\"" else _typed(value)


def _typed(value: str) -> Any:
    """A plain value as PyYAML would build it, for the kinds known here."""
    # as PyYAML's Resolver.resolve: those for the first character, then any for all
    resolvers = _RESOLVERS.get(value[0] if value else "", []) + _RESOLVERS.get(None, [])
    tag = None
    for found, expression in resolvers:
        if expression.match(value):
            tag = found
            break
    if tag is None:
        return value
    if tag == _YAML + "int" and _INT.match(value):
        return int(value)
    if tag == _YAML + "bool" and value in _BOOLS:
        return _BOOLS[value]
    if tag == _YAML + "timestamp":
        date = _DATE.match(value)
        if date is not None:
            try:
                return dt.date(*map(int, date.groups()))
            except ValueError:
                return value  # as yamldoc leaves an impossible date: text
    raise _Unknown
