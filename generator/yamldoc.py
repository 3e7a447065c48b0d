"""Safe YAML with line numbers: text → (data, key-path → line map) or a located error.

Used by ``config`` (site.yaml) and ``load`` (front matter, data files). Only plain
YAML is accepted: no aliases (they can expand exponentially), no explicit tags (``!!x``:
they construct objects or bypass the checks on a value), no duplicate keys, bounded
nesting (checked on the parser's events first: libyaml's composer recurses in C and
crashes the process on input nested tens of thousands deep). Pure: reads nothing,
writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 32
_YAML = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _YAML + "str", _YAML + "map", _YAML + "seq"
_RESOLVER = yaml.resolver.Resolver()
_IMPLICIT = {_YAML + t for t in ("bool", "int", "float", "null", "timestamp", "merge", "value")}
_KEY_KINDS = {
    "bool": "true/false",
    "int": "a number",
    "float": "a number",
    "null": "null",
    "timestamp": "a date",
}

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


def parse(text: str, text_keys: bool = True) -> YamlDoc:
    """Parse one YAML document; raise YamlProblem with a line for anything wrong.

    ``text_keys``: every key must be text (``yes:``, ``1:`` or ``~:`` would otherwise
    become true, 1 or None, which the models silently ignore instead of calling unknown).
    """
    if not _ODD_BREAKS.search(text):
        return _parse(text, text_keys)
    # YAML also ends lines at NEL, U+2028 and U+2029 (pasted from the web or a word
    # processor); editors do not, so map YAML's line numbers back to the file's
    real, odd = [1], []
    for found in _BREAKS.finditer(text):
        if found.group() in _ODD:
            odd.append(real[-1])
        real.append(real[-1] + (found.group() not in _ODD))
    try:
        doc = _parse(text, text_keys)
    except YamlProblem as exc:
        if exc.line is not None and not getattr(exc, "real_line", False):
            exc.line = real[min(exc.line, len(real)) - 1]
        before = [n for n in odd if exc.line is None or n <= exc.line]
        if exc.hint is None and before:
            exc.hint = (
                f"line {before[-1]} holds an invisible line break (U+2028, U+2029 or U+0085, "
                "often pasted from the web): delete it, or put the value in quotes"
            )
        raise
    return YamlDoc(doc.data, {k: real[min(v, len(real)) - 1] for k, v in doc.lines.items()})


_ODD = "\x85\u2028\u2029"
_ODD_BREAKS = re.compile(f"[{_ODD}]")
_BREAKS = re.compile(f"\r\n|[\r\n{_ODD}]")


def _parse(text: str, text_keys: bool) -> YamlDoc:
    try:
        loader = _Loader(text)  # encodes the text: lone surrogates fail here
    except UnicodeError:
        raise YamlProblem("text is not valid Unicode", None) from None
    try:
        if _may_nest_deeply(text):
            _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(None, {})
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, 0, set(), text_keys)
        data = loader.construct_document(node)
    except YamlProblem:
        raise
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(text, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = (exc.problem or str(exc)).strip()
        hint = None
        if "mapping values are not allowed" in problem:
            hint = "put quotes around a value that contains a colon"
        raise YamlProblem(f"invalid YAML: {problem}", line, hint) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", None) from None
    except RecursionError:
        raise YamlProblem("YAML is nested too deeply", None) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # a value the constructor cannot build (e.g. an integer of 5,000 digits)
        raise YamlProblem(f"invalid YAML value: {exc}", None) from None
    finally:
        loader.dispose()
    return YamlDoc(data, lines)


def _may_nest_deeply(text: str) -> bool:
    """A cheap upper bound on nesting: False means the event scan can be skipped.

    Flow nesting needs a bracket per level (two levels with an implicit ``[a: b]``
    mapping); block nesting needs indentation or a ``-``/``?`` indicator per level.
    """
    if len(text) <= 1024:
        # at most ~1,000 levels: libyaml's composer needs ~250 bytes of C stack per level,
        # so even a 512 KB thread stack is safe, and _walk refuses anything beyond 32
        return False
    opens = 2 * (text.count("[") + text.count("{"))
    if opens > MAX_DEPTH:
        return True
    worst = 0
    for line in text.splitlines():
        body = line.lstrip()
        worst = max(worst, 2 * (len(line) - len(body)) + body.count("-") + body.count("?") + 2)
    return opens + worst > MAX_DEPTH


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the parser's events, before the (recursive) composer runs."""
    loader = _Loader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(
                        f"YAML is nested more than {MAX_DEPTH} levels deep",
                        event.start_mark.line + 1,
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # libyaml 0.2.6 (PyYAML 6.0.4's wheels) has a nesting limit of its own, reached
        # while its scanner looks ahead, before the first event of a deep flow collection
        mark = exc.problem_mark or exc.context_mark
        if "nesting depth" in (exc.problem or ""):
            line = mark.line + 1 if mark is not None else None
            raise YamlProblem(f"YAML is nested more than {MAX_DEPTH} levels deep", line) from None
    except yaml.YAMLError:
        pass  # a syntax error: the real parse reports it with its line
    finally:
        loader.dispose()


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> YamlProblem:
    """An unreadable character (libyaml gives a byte offset), with its line."""
    try:
        line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1
    except (TypeError, ValueError):
        line = None
    char = exc.character
    shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
    control = "control characters" in str(exc.reason)
    problem = YamlProblem(
        f"control character {shown} is not allowed in YAML"
        if control
        else f"character {shown} is not allowed in YAML ({exc.reason})",
        line,
        "delete the invisible control character (often pasted from a word processor)",
    )
    problem.real_line = True  # type: ignore[attr-defined]  # counted from the text
    return problem


def _tag_problem(node: Node) -> YamlProblem:
    tag = str(node.tag)
    shown = "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag
    return YamlProblem(
        f"YAML tags such as {shown} are not allowed (they build objects or bypass checks)",
        node.start_mark.line + 1,
        "remove the !tag; front matter holds plain text, numbers, dates and lists",
    )


def _check_tag(node: Node) -> None:
    """Refuse an explicit tag: each node must carry the tag plain YAML would give it."""
    if isinstance(node, ScalarNode):
        if node.tag == _STR:
            return
        # only a plain scalar can resolve to another type, and only to one that matches it
        if node.style not in (None, "") or node.tag not in _IMPLICIT:
            raise _tag_problem(node)
        if _RESOLVER.resolve(ScalarNode, node.value, (True, False)) != node.tag:
            raise _tag_problem(node)
        if node.tag == _YAML + "int" and len(node.value) > 100:
            raise YamlProblem("number has too many digits", node.start_mark.line + 1)
    elif node.tag != (_MAP if isinstance(node, MappingNode) else _SEQ):
        raise _tag_problem(node)


def _walk(
    node: Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    depth: int,
    seen: set[int],
    text_keys: bool = True,
) -> None:
    if depth > MAX_DEPTH:
        raise YamlProblem(
            f"YAML is nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1
        )
    _check_tag(node)
    if isinstance(node, MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("a key must be plain text", key_node.start_mark.line + 1)
            _check_tag(key_node)
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            kind = _KEY_KINDS.get(str(key_node.tag)[len(_YAML) :])
            if text_keys and kind is not None:
                raise YamlProblem(
                    f"key {key!r} is read as {kind}, not as a field name",
                    line,
                    f"put quotes around it ('{key}':) or check the spelling",
                )
            if key in keys:
                raise YamlProblem(f"key {key!r} appears twice", line, "keep one of the two")
            keys.add(key)
            lines[(*path, key)] = line
            _visit(value_node, line, seen)
            _walk(value_node, (*path, key), lines, depth + 1, seen, text_keys)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _visit(item, lines.get(path, node.start_mark.line + 1), seen)
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, depth + 1, seen, text_keys)


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


# pydantic's wording for a value of the wrong type, in an editor's words
_LIST = ("must be a list, e.g. [first, second]", "write the items in [ ] or one '- item' per line")
_FIELDS = ("must be fields (key: value), indented under it", "see docs/content.md for its fields")
_WRONG_TYPE = {
    "string_type": ("must be text", "put quotes around the value"),
    "tuple_type": _LIST,
    "list_type": _LIST,
    "dict_type": _FIELDS,
    "model_type": _FIELDS,
    "model_attributes_type": _FIELDS,
    "bool_type": ("must be true or false", None),
    "bool_parsing": ("must be true or false", None),
    "int_type": ("must be a whole number", None),
    "int_parsing": ("must be a whole number", None),
    "int_from_float": ("must be a whole number", None),
    "float_type": ("must be a number", None),
    "float_parsing": ("must be a number", None),
    "finite_number": ("must be a finite number", None),
}


# pydantic's mark of a union member in an error's place ("list[str]"), not a key (a
# key may hold a bracket too: "0[" stays, and names the field)
_TYPE_TAG = re.compile(r"[a-z][\w-]*\[.*\]\Z")


def _is_type_tag(part: str | int) -> bool:
    return isinstance(part, str) and _TYPE_TAG.match(part) is not None


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "empty"}[value]
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


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

    errors = exc.errors(include_url=False)
    locs = [tuple(err["loc"]) for err in errors]
    for err in errors:
        where = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            other[: len(where)] == where and len(other) > len(where) for other in locs
        ):
            continue  # "at least 1 item" only because its items were refused: say that
        loc = [part for part in where if not _is_type_tag(part)]
        line = line_of(lines, loc, None)
        line = line + line_offset if line is not None else default_line
        field = dotted(loc) or None
        kind = err["type"]
        hint = None
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            message = "unknown field"
            close = difflib.get_close_matches(str(where[-1]), known_fields, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or check the spelling"
        elif kind in _WRONG_TYPE:
            message, hint = _WRONG_TYPE[kind]
            value = err.get("input")
            if value is None or isinstance(value, bool | int | float | str):
                message += f" (not {_shown(value)})"
        else:
            message = str(err["msg"])
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
                hint = "write dates as YYYY-MM-DD, e.g. 2024-03-15"
        if field and message.startswith(field + "."):
            field = None  # the message names the field itself ("image.alt is required")
        problems.error(path, line, field, message, hint)
