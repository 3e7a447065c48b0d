"""Safe YAML with line numbers: text → (data, key-path → line map) or a located error.

Used by ``config`` (site.yaml) and ``load`` (front matter, data files). Only plain
YAML is accepted: no aliases (they can expand exponentially), no tags that construct
objects, no duplicate keys, bounded nesting. Pure: reads nothing, writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 32

KeyPath = tuple[str | int, ...]


class YamlProblem(Exception):
    """Bad YAML, with the 1-based line (inside the parsed text) where it was found."""

    def __init__(self, message: str, line: int | None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


@dataclass(frozen=True)
class YamlDoc:
    data: Any
    lines: Mapping[KeyPath, int]  # key path → 1-based line of that key (or item)


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loading of plain YAML (aliases are caught while walking the composed nodes)."""

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        # An impossible date such as 2024-02-30 stays text, so validation can name its line
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse(text: str) -> YamlDoc:
    """Parse one YAML document; raise YamlProblem with a line for anything wrong."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(None, {})
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, 0, set())
        data = loader.construct_document(node)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or str(exc)).strip()
        hint = None
        if "could not determine a constructor" in problem:
            problem = (
                "YAML tags that build objects are not allowed ("
                + problem.split("tag")[-1].strip()
                + ")"
            )
            hint = "remove the !tag; front matter holds plain text, numbers, dates and lists"
        elif "mapping values are not allowed" in problem:
            hint = "put quotes around a value that contains a colon"
        raise YamlProblem(f"invalid YAML: {problem}", line, hint) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply", None) from None
    finally:
        loader.dispose()
    return YamlDoc(data, lines)


def _walk(node: Node, path: KeyPath, lines: dict[KeyPath, int], depth: int, seen: set[int]) -> None:
    if depth > MAX_DEPTH:
        raise YamlProblem(
            f"YAML is nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1
        )
    if isinstance(node, MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("a key must be plain text", key_node.start_mark.line + 1)
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in keys:
                raise YamlProblem(f"key {key!r} appears twice", line, "keep one of the two")
            keys.add(key)
            lines[(*path, key)] = line
            _visit(value_node, line, seen)
            _walk(value_node, (*path, key), lines, depth + 1, seen)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _visit(item, lines.get(path, node.start_mark.line + 1), seen)
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, depth + 1, seen)


def _visit(node: Node, line: int, seen: set[int]) -> None:
    """Refuse a node met twice: the composer reuses an anchored node for each alias, so
    this catches aliases before construction could expand them (billion laughs)."""
    if id(node) in seen:
        raise YamlProblem(
            "YAML aliases (*name) are not allowed",
            line,
            "write the value out in full instead of referring to an anchor",
        )
    seen.add(id(node))


def line_of(
    lines: Mapping[KeyPath, int], loc: Sequence[str | int], default: int | None
) -> int | None:
    """Line of the deepest key on ``loc`` that the document has (falls back to parents)."""
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return default


def dotted(loc: Sequence[str | int]) -> str:
    """Key path as text: ``("metrics", 0, "value")`` → ``metrics[0].value``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def report_validation(
    exc: Any,
    path: str,
    lines: Mapping[KeyPath, int],
    line_offset: int,
    default_line: int | None,
    known_fields: Sequence[str],
    problems: Any,
) -> None:
    """Turn a pydantic ValidationError into located Problems (one per error).

    ``line_offset`` shifts YAML-relative lines to file lines (front matter starts after
    its opening ``---``); ``known_fields`` feeds "did you mean" hints for typos.
    """
    import difflib

    for err in exc.errors(include_url=False):
        loc = [part for part in err["loc"] if not (isinstance(part, str) and "[" in part)]
        line = line_of(lines, loc, None)
        line = line + line_offset if line is not None else default_line
        field = dotted(loc) or None
        kind = err["type"]
        hint = None
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            message = "unknown field"
            close = difflib.get_close_matches(str(loc[-1]), known_fields, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or check the spelling"
        else:
            message = str(err["msg"])
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
                hint = "write dates as YYYY-MM-DD, e.g. 2024-03-15"
        problems.error(path, line, field, message, hint)
