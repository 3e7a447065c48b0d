"""Plain front matter read without YAML (``yamlquick``) gives what ``yamldoc`` gives.

Every form it reads, and the near misses it must hand back (None), are compared with
``yamldoc.parse``: the same data, the same types (``True`` is not ``1``, a date is not
its text), the same line for every key and item. Then random front matter made of
those lines and values, many of them YAML's traps (``yes``, ``012``, ``12:30``, a
comment, a tab, a repeated key): wherever the quick reader answers, YAML must agree.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from generator import yamlquick
from generator.yamldoc import YamlProblem, parse

READ = [
    "\ntitle: Tomas finds hope\ndate: 2009-11-13\ncountry: Peru\n",
    "\ntitle: \"Hope, at last?\"\nsummary: 'Quoted: with a colon'\n",
    "\ninjustice: [debt-bondage, citizenship-rights]\ntags: []\nstories: [a,b]\n",
    "\nconsent:\n  obtained: 2009-01-15\n  scope: [web, social]\nsurvivor:\n  name: Tomas\n"
    "  pseudonym: true\n",
    '\ndate: 2014\nheadline: false\nmetrics:\n  - value: 3576\n    label: "people"\n'
    "    as_of: 2014-12-31\n  - value: 12\n    unit: cases\n",
    "\ntags:\n  - one\n  - two words\n  - 'three'\n",
    "\n# a comment line\ntitle: x\n\n   \n  # indented comment\ndate: 2020-02-29\n",
    "\ntitle: Hồ Chí Minh City — “quotes” and 2nd place\nurl: https://example.org/a#b\n",
    "\ntitle: a, b [c] {d}\nnote: 100% sure & done!\nodd: 1e3\nword: NaN\nhash: a#b\n",
    "\nbad_date: 2024-02-30\nlisted: [2024-05-01, 7, true, x]\n",
    "\nsmall: 2024-1-1\n",  # text: YAML 1.1 wants a time after a date written so
]
HANDED_BACK = [
    "",
    "\n",
    "\ntitle: x # a comment after a value\n",
    "\nok: yes\n",
    "\nnothing: ~\n",
    "\nempty:\n",
    "\nempty: \n",
    "\ntrue: x\n",
    "\nnumber: 012\n",
    "\ntime: 12:30\n",
    "\nfloat: 1.5\n",
    "\ntitle: a: b\n",
    '\ntitle: "with \\" escape"\n',
    "\ntitle: |\n  block\n",
    "\ntitle: &a x\nother: *a\n",
    "\ntitle: !!str 12\n",
    "\ntitle: x\ntitle: y\n",
    "\ntitle:\tx\n",
    "\ntitle: x\r\n",
    "\ntitle: no\u00a0break\n",
    "\ntitle: x\u2028y\n",
    "\ntags:\n- at the key's column\n",
    "\ntitle: long\n  continued\n",
    "\nmap:\n  deeper:\n    key: x\n",
    "\nflow: {a: b}\n",
    "\nflow: [a: b]\n",
    "\nflow: [ a ]\n",
    "\nflow: [a, ]\n",
    "\ntrailing: x  \n",
    "\n- a list\n",
    "\nkey: [a, [b]]\n",
    "\nlist:\n  - \n  - x\n",
]


def _typed(value):
    """A value with every type spelled out (``True == 1`` and ``1 == 1.0`` otherwise)."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


def _agree(text: str) -> bool:
    """Whether the quick reader answered; if it did, YAML must say the same."""
    quick = yamlquick.parse(text)
    if quick is None:
        return False
    slow = parse(text)  # a YamlProblem here: the quick reader took bad YAML
    assert _typed(quick.data) == _typed(slow.data), text
    assert dict(quick.lines) == dict(slow.lines), text
    return True


@pytest.mark.parametrize("text", READ)
def test_plain_front_matter_is_read_as_yaml_reads_it(text):
    assert _agree(text)


@pytest.mark.parametrize("text", HANDED_BACK)
def test_anything_else_is_handed_back(text):
    assert yamlquick.parse(text) is None


def test_the_types_are_yamls():
    doc = yamlquick.parse(READ[4])
    assert doc is not None
    assert doc.data["date"] == 2014 and doc.data["headline"] is False
    assert doc.data["metrics"][0]["as_of"] == dt.date(2014, 12, 31)
    assert doc.lines[("metrics", 1, "unit")] == 9


KEYS = ["title", "date", "tags", "x", "as_of", "y", "Key-2", "a", "b", "c", "d", "e", "f"]
TRAP_KEYS = ["true", "on", "null", "No", "title"]
VALUES = [
    "word", "two words", "Tomás", "2024-05-01", "2024-02-30", "2024-5-1", "2014", "012", "0",
    "-3", "+3", "1_000", "0x1F", "12:30", "1.5", ".5", "1e3", "true", "True", "TRUE", "yes",
    "No", "on", "OFF", "null", "~", "Null", "NaN", ".inf", '"quoted"', '"q: x"', "'single'",
    "'it''s'", '"esc \\" x"', '""', "''", "a: b", "a:b", "a #c", "a#c", "#c", "- x", "-x", "? x",
    "&a x", "*a", "!x", "%x", "@x", "`x", "|", ">", "[a, b]", "[a,b]", "[]", "[ ]", "[a, [b]]",
    "[a: b]", "[a:b]", "['x, y', z]", '["a", 2, true]', "{a: b}", "x  ", " x", "x\ty", "a—b",
    "http://e.org/x?y=1", "<<", "=", "a\u00a0b", "100%", "a, b", "x [y]", ":x", "x:", "",
]  # fmt: skip


SAFE = [
    "word", "two words", "Tomás", "2024-05-01", "2014", "0", "-3", "true", "False", '"q: x"',
    "'single'", "[a, b]", "[]", '["a", 2, true]', "a—b", "http://e.org/x?y=1", "100%", "a, b",
]  # fmt: skip


def _random_front_matter(rng: random.Random) -> str:
    def key() -> str:
        return rng.choice(TRAP_KEYS) if rng.random() < 0.03 else rng.choice(KEYS)

    def value() -> str:
        return rng.choice(VALUES) if rng.random() < 0.1 else rng.choice(SAFE)

    lines = [""]
    for _ in range(rng.randint(1, 6)):
        name = key()
        shape = rng.random()
        if shape < 0.55:
            lines.append(f"{name}: {value()}")
        elif shape < 0.7:
            lines.append(f"{name}:")
            for _ in range(rng.randint(0, 3)):
                lines.append(f"{rng.choice(['  ', '  ', '   ', ''])}- {value()}")
        elif shape < 0.85:
            lines.append(f"{name}:")
            for _ in range(rng.randint(1, 3)):
                pad = rng.choice(["  ", "  ", "    ", " "])
                lines.append(f"{pad}{key()}: {value()}")
        else:
            lines.append(f"{name}:")
            for _ in range(rng.randint(1, 2)):
                lines.append(f"  - {key()}: {value()}")
                for _ in range(rng.randint(0, 2)):
                    pad = rng.choice(["    ", "    ", "   ", "     "])
                    lines.append(f"{pad}{key()}: {value()}")
        if rng.random() < 0.1:
            lines.append(rng.choice(["", "# note", "  ", "  # note", "...", "---"]))
    return "\n".join(lines) + "\n"


def test_random_front_matter_is_read_as_yaml_reads_it_or_handed_back():
    rng = random.Random(20261127)
    answered = 0
    for _ in range(20000):
        text = _random_front_matter(rng)
        try:
            answered += _agree(text)
        except YamlProblem:
            pytest.fail(f"read, but YAML refuses it: {text!r}")
    assert answered > 2000  # enough of them were read here to compare
