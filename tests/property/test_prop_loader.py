"""Properties of reading and validating a content file: any bytes at all give a SourceDoc
or located problems, and validation of whatever was read never raises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator import load, model
from generator.config import load_config
from generator.errors import Problems

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SITE_YAML = """\
title: Property Test
base_url: https://example.org/
organisation:
  name: Test Org
donate_url: https://example.org/donate
vocabularies:
  injustice: [forced-labour, land-theft]
"""
STORY = "content/stories/x.md"
FILES = [STORY, "content/milestones/x.md", "content/pages/x.md", "content/campaigns/x.md"]
FIELDS = [
    "title", "kind", "metrics", "headline", "stories", "menu", "goal", "raised", "starts",
    "ends", "donate_url", "team", "amount", "currency", "value", "label", "source_url", "date", "summary", "country", "injustice", "consent", "status", "slug",
    "publish_at", "survivor", "tags", "image", "video", "content_warning", "quote",
    "aliases", "related", "updated", "obtained", "scope", "expires", "withdrawn", "name",
    "pseudonym", "age", "src", "alt", "url", "sumary", "titel",
]  # fmt: skip
ODD_VALUES = st.sampled_from(
    [
        "2024-02-30", "2024-13-01", "2024-99999999999999999999", "٢٠٢٤-٠١-٠١", "20240305",
        "https://[x", "https://a:99999/", "javascript:alert(1)", "../../etc", "Ugnada",
        "land-thef", "web", "draft", "/stories/x/", "../../../site.yaml", "photo.jpg",
        10**25, -1, 0, 1.5, True, None, [], {}, dt.date(2024, 2, 29),
        dt.datetime(2024, 1, 1, 10, 0), "", " ", "x" * 400,
    ]
)  # fmt: skip
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co")))
LEAF = st.one_of(ODD_VALUES, TEXT, st.integers(), st.floats(allow_nan=False), st.booleans())
VALUE = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4)
    ),
    max_leaves=10,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("prop-site")
    (root / "content/stories").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    return root


def _read(site: Path, data: bytes, rel: str = STORY) -> None:
    for other in FILES:
        (site / other).unlink(missing_ok=True)
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    (site / rel).write_bytes(data)
    problems = Problems()
    source = load.read_site(site, problems)
    docs = [d for d in source.docs if d.path == rel]
    if docs:
        assert isinstance(docs[0], load.SourceDoc)
    else:
        assert any(p.path == rel for p in problems.errors), "file refused without a reason"
    config = load_config(site, Problems())
    assert config is not None
    model.validate(source, config, problems)
    last = data.count(b"\n") + 2
    for problem in problems.items:
        assert problem.path == rel, problem
        assert problem.line is None or 1 <= problem.line <= last, problem
        assert problem.message


@SETTINGS
@given(st.binary(max_size=3000))
@example(b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n")
@example(b"---\n" + b"[" * 100_000 + b"\n---\n")
def test_any_bytes_read_or_are_refused_with_a_reason(site, data):
    _read(site, data)


@SETTINGS
@given(TEXT, TEXT)
def test_any_front_matter_text_reads_or_is_refused_with_a_reason(site, front, body):
    _read(site, f"---\n{front}\n---\n{body}".encode())


@SETTINGS
@given(st.sampled_from(FILES), st.dictionaries(st.sampled_from(FIELDS), VALUE, max_size=10), TEXT)
@example(FILES[1], {"title": "x", "date": "2024-99999999999999999999"}, "")  # crashed before
@example(FILES[1], {"title": "x", "date": "٢٠٢٤-٠١-٠١"}, "")
@example(STORY, {"video": {"url": "https://[x"}}, "")  # crashed before
def test_any_front_matter_fields_validate_or_give_located_problems(site, rel, fields, body):
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    _read(site, f"---\n{front}---\n{body}".encode(), rel)
