"""Property: a Markdown body with any link and image targets renders, or yields problems
located in its file; it never raises and never reads outside content/."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from generator import gate, images, load, model, render, urls
from generator.config import load_config
from generator.errors import Problems

SITE_YAML = """\
title: Link Test
base_url: https://example.org/sub/
organisation:
  name: Test Org
donate_url: https://example.org/donate
vocabularies:
  injustice: [land-theft]
"""


def _story(title: str, extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\ndate: 2024-03-05\nsummary: S.\ncountry: Uganda\n"
        f"injustice: [land-theft]\nconsent:\n  obtained: 2024-01-01\n  scope: [web]\n{extra}"
        "---\n\nBody.\n"
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("prop-links")
    stories = root / "content/stories"
    stories.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    (stories / "a.md").write_text(_story("A"))
    (stories / "draft.md").write_text(_story("Draft", "status: draft\n"))
    (stories / "gone.md").write_text(_story("Gone", "status: withdrawn\n"))
    (root / "content/milestones").mkdir()
    (root / "content/milestones/m.md").write_text("---\ntitle: M\ndate: 2003\n---\n")
    Image.new("RGB", (40, 30), "teal").save(stories / "field.jpg")
    (stories / "fake.jpg").write_text("not an image")
    problems = Problems()
    config = load_config(root, problems)
    assert config is not None
    corpus = model.validate(load.read_site(root, problems), config, problems)
    published = gate.select(corpus, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    routes = urls.route(published, config, problems)
    assert not problems.errors, problems.errors
    story = next(s for s in published.stories if s.slug == "a")
    return root, routes, story


TARGETS = st.one_of(
    st.sampled_from(
        [
            "a.md",
            "draft.md",
            "gone.md",
            "nope.md",
            "../milestones/m.md",
            "a.md#part",
            "./a.md",
            "a.md?x=1",
            "%61.md",
            "A.MD",
            "field.jpg",
            "fake.jpg",
            "missing.png",
            "../../site.yaml",
            "../../../../etc/passwd",
            "/etc/passwd.jpg",
            "//evil/x.md",
            "http://example.org/x.md",
            "mailto:a@b",
            "javascript:alert(1)",
            "#top",
            "",
            "%2e%2e/%2e%2e/site.yaml",
            "..%2F..%2Fsite.yaml.jpg",
            "a b.md",
            "<a.md>",
            "content/stories/a.md",
            "field.jpg 'title'",
            "C:\\x.jpg",
            "ｆｉｅｌｄ.jpg",
        ]
    ),
    st.lists(
        st.sampled_from([*"abc./%#?:[]@!$&'()*+,;=-_~ ", "md", "jpg", "..", "%2e", "%00"]),
        max_size=12,
    ).map("".join),
)
WORDS = st.lists(
    st.sampled_from([*"ab \n*_`<>![]()#-|\\&\"'", "\n\n", "[^1]", "\n[^1]: n"]), max_size=12
).map("".join)


@st.composite
def bodies(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        target = draw(TARGETS)
        kind = draw(st.sampled_from(["link", "image", "raw", "ref"]))
        label = draw(st.text(st.sampled_from("ab *_"), max_size=6))
        parts.append(draw(WORDS))
        if kind == "link":
            parts.append(f"[{label}]({target})")
        elif kind == "image":
            parts.append(f"![{label}]({target})")
        elif kind == "raw":
            parts.append(f'<a href="{target}">{label}</a> <img src="{target}" alt="{label}">')
        else:
            parts.append(f"[{label}][r]\n\n[r]: {target}\n")
    return "".join(parts)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(bodies())
@example("[x](a.md) ![y](field.jpg) [z](../milestones/m.md#top)")
@example("[x](draft.md) [y](gone.md) [z](nope.md) ![w](fake.jpg) ![](field.jpg)")
def test_any_links_render_or_give_located_problems(pipeline, body):
    root, routes, doc = pipeline
    problems = Problems()
    planner = images.ImagePlanner(root)
    out = render.render_all([doc], {doc.source.path: body}, routes, planner, problems, None, ())
    rendered = out[doc.source.path]
    first, last = doc.source.body_line, doc.source.body_line + body.count("\n")
    for problem in problems.items:
        assert problem.path == doc.source.path, problem
        assert problem.line is not None and first <= problem.line <= last, (problem, body)
    for image in planner.all():
        assert image.source.startswith("content/") and ".." not in image.source.split("/")
    for url in rendered.links:
        assert "://" not in url and ".." not in url.split("/")


def test_unusable_targets_are_located_problems(pipeline):
    """Targets that once crashed render: a NUL byte, an unparseable address."""
    root, routes, doc = pipeline
    for body in ("![x](a%00.jpg)", "[a](http://[x)"):
        problems = Problems()
        render.render_all(
            [doc], {doc.source.path: body}, routes, images.ImagePlanner(root), problems, None, ()
        )
        assert [p.line for p in problems.errors] == [doc.source.body_line], problems.items
