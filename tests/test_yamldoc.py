import pytest

from generator.yamldoc import YamlProblem, dotted, line_of, parse


def test_lines_of_nested_keys_and_items():
    doc = parse("\ntitle: x\nconsent:\n  obtained: 2024-01-01\n  scope:\n    - web\n")
    assert doc.lines[("title",)] == 2
    assert doc.lines[("consent", "obtained")] == 4
    assert doc.lines[("consent", "scope", 0)] == 6
    assert line_of(doc.lines, ("consent", "expires"), None) == 3  # falls back to the parent


def test_aliases_are_refused_before_they_expand():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    with pytest.raises(YamlProblem) as err:
        parse(bomb)
    assert "aliases" in err.value.message and err.value.line == 2


def test_object_building_tags_are_refused():
    with pytest.raises(YamlProblem) as err:
        parse("title: !!python/object/apply:os.system ['echo hi']\n")
    assert "tags" in err.value.message and err.value.line == 1


def test_duplicate_keys_are_an_error_with_the_second_line():
    with pytest.raises(YamlProblem) as err:
        parse("title: a\nsummary: b\ntitle: c\n")
    assert err.value.line == 3 and "twice" in err.value.message


def test_deep_nesting_is_refused():
    with pytest.raises(YamlProblem):
        parse("a: " + "[" * 100 + "]" * 100 + "\n")


def test_impossible_date_stays_text_for_validation():
    assert parse("date: 2024-02-30\n").data == {"date": "2024-02-30"}


def test_syntax_error_has_a_line_and_a_hint():
    with pytest.raises(YamlProblem) as err:
        parse("title: a\nsummary: one: two\n")
    assert err.value.line == 2 and "colon" in (err.value.hint or "")


def test_dotted_paths():
    assert dotted(("metrics", 0, "value")) == "metrics[0].value"
