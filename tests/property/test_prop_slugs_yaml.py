"""Properties of slugify and of the safe YAML parser, over arbitrary input."""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.model.fields import SLUG_RE, slugify
from generator.yamldoc import YamlDoc, YamlProblem, parse

FAST = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text that looks like YAML: indicators, quotes, tags, anchors, brackets, line breaks
YAML_ALPHABET = st.sampled_from(
    [*"abc xyz019:-?,[]{}#&*!|>'\"%@`\\\n\t~.=+_/", "\u00e9", "\ufeff", "\u2028", "\x85"]
)
YAML_TOKENS = st.sampled_from(
    [
        "key: ",
        "\n",
        "\n  ",
        "- ",
        "? ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&a ",
        "*a",
        "!!python/object/apply:os.system ",
        "!!int ",
        "!!binary ",
        "!!timestamp ",
        "!!set ",
        "!foo ",
        "<<: ",
        "yes",
        "~",
        "2024-02-30",
        "9" * 60,
        "'quoted'",
        '"esc\\e"',
        "|\n  ",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
    ]
)


@FAST
@given(st.text())
@example("Côte d'Ivoire")
@example("--a--b--")
@example("ﬁ ℌ ① Ⅻ")
def test_slugify_gives_a_slug_or_nothing_and_is_idempotent(text):
    slug = slugify(text)
    assert slug == "" or SLUG_RE.fullmatch(slug), slug
    assert slugify(slug) == slug


def _check(text: str) -> None:
    try:
        doc = parse(text)
    except YamlProblem as problem:
        assert problem.message
        last = text.count("\n") + text.count("\r") + 2
        assert problem.line is None or 1 <= problem.line <= last, (problem.line, last)
        return
    assert isinstance(doc, YamlDoc)
    for path, line in doc.lines.items():
        assert isinstance(path, tuple) and line >= 1


@FAST
@given(st.text())
def test_any_text_parses_or_is_a_located_problem(text):
    _check(text)


@FAST
@given(st.text(YAML_ALPHABET, max_size=200))
def test_yaml_shaped_text_parses_or_is_a_located_problem(text):
    _check(text)


@FAST
@given(st.lists(st.one_of(YAML_TOKENS, st.text(YAML_ALPHABET, max_size=5)), max_size=40))
@example(["key: ", "[" * 40_000])  # overflowed libyaml's recursive composer before
@example(["key: ", "- " * 40_000, "x"])
@example(["key: ", "!!int ", "forty"])
def test_yaml_token_soup_parses_or_is_a_located_problem(tokens):
    _check("".join(tokens))


KEYS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co")),
    min_size=1,
    max_size=12,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.dates(min_value=dt.date(1000, 1, 1)),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co")), max_size=30),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@FAST
@given(st.dictionaries(KEYS, DATA, max_size=6))
def test_plain_data_survives_a_round_trip(data):
    """What a YAML library writes (front matter from an editor's tool) reads back as is."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    try:
        doc = parse(text)
    except YamlProblem as problem:
        # only nesting beyond the limit may be refused
        assert "nested" in problem.message, (problem.message, text)
        return
    assert doc.data == data
