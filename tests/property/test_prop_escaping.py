"""Property: whatever an editor writes in a title, summary, name, quote or warning, the
built story page shows it as text: every <, &, and quote escaped, {{ }} left literal,
and the feed still parses as XML."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from generator import build
from generator.config import BuildOptions

SITE_YAML = """\
title: Escaping Test
base_url: https://example.org/
organisation:
  name: Test Org
donate_url: https://example.org/donate
vocabularies:
  injustice: [land-theft]
"""
OPEN, CLOSE = "\u2983", "\u2984"  # ⦃ ⦄ mark each value, so every place it lands is found
HOSTILE = st.sampled_from(
    [
        "<", ">", "&", '"', "'", "&amp;", "&lt;", "<script>alert(1)</script>", "{{ 7*7 }}",
        "{% raw %}", "{# x #}", "${7*7}", "</title><script>", "\" onmouseover=\"x", "`",
        "<!--", "]]>", "\\", "é", "\u202e", "\u00a0", "\U0001f600", "javascript:",
    ]
)  # fmt: skip
PLAIN = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"),
        exclude_characters=OPEN + CLOSE,
    ),
    max_size=8,
)


def field(size: int):
    return (
        st.lists(st.one_of(HOSTILE, PLAIN), min_size=1, max_size=6)
        .map("".join)
        .filter(lambda s: 0 < len(s) <= size and s.strip())
    )


def _write_site(root: Path, values: dict[str, str]) -> None:
    marked = {k: OPEN + v + CLOSE for k, v in values.items()}
    front = {
        "title": marked["title"],
        "date": dt.date(2024, 3, 5),
        "summary": marked["summary"],
        "country": "Uganda",
        "injustice": ["land-theft"],
        "consent": {"obtained": dt.date(2024, 1, 1), "scope": ["web"]},
        "survivor": {"name": marked["name"]},
        "quote": marked["quote"],
        "content_warning": marked["warning"],
    }
    (root / "content/stories").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    (root / "content/stories/s.md").write_text(f"---\n{text}---\n\nThe story.\n")


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    st.fixed_dictionaries(
        {
            "title": field(190),
            "summary": field(290),
            "name": field(90),
            "quote": field(200),
            "warning": field(200),
        }
    )
)
@example(
    {
        "title": "{{ 7*7 }} <b>bold</b> & \"q\" 'a'",
        "summary": "<script>alert(1)</script>&amp;",
        "name": '<i>N</i>"',
        "quote": "</blockquote><img src=x onerror=alert(1)>",
        "warning": "{% include 'base.html' %}",
    }
)
def test_front_matter_text_is_escaped_everywhere_on_the_story_page(values):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        _write_site(root, values)
        build.run(BuildOptions(site_dir=root, out_dir=Path(tmp) / "out", as_of=dt.date(2026, 1, 1)))
        current = Path(tmp) / "out/current"
        page = (current / "stories/s/index.html").read_text()
        feed = (current / "feed.xml").read_text()

    found = re.findall(f"{OPEN}(.*?){CLOSE}", page, flags=re.S)
    escaped = {k: str(escape(v)) for k, v in values.items()}
    for key in ("title", "summary", "name", "quote", "warning"):
        assert escaped[key] in found, f"{key} not shown escaped: {values[key]!r}"
    for shown in found:
        assert shown in escaped.values(), f"a value was shown unescaped or altered: {shown!r}"
        assert "<" not in shown and '"' not in shown and "'" not in shown

    entry_titles = [
        el.text
        for el in ET.fromstring(feed).iter("{http://www.w3.org/2005/Atom}title")
        if el.text and OPEN in el.text
    ]
    assert entry_titles == [OPEN + values["title"] + CLOSE]
