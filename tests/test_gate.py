import datetime as dt

from conftest import story
from helpers import problems_of

from generator import build
from generator.config import BuildOptions


def _withheld(root, **opts):
    result = build.run(
        BuildOptions(site_dir=root, write=False, as_of=dt.date(2026, 11, 23), **opts)
    )
    return {w.slug: w.kind for w in result.withheld}, result


def test_consent_rules(make_site):
    files = dict(
        [
            story("ok"),
            story("none", consent=None),
            story("printonly", consent="\n  obtained: 2024-01-01\n  scope: [print]"),
            story(
                "expired", consent="\n  obtained: 2020-01-01\n  scope: [web]\n  expires: 2026-11-23"
            ),
            story(
                "later", consent="\n  obtained: 2020-01-01\n  scope: [web]\n  expires: 2026-11-24"
            ),
            story(
                "gone", consent="\n  obtained: 2020-01-01\n  scope: [web]\n  withdrawn: 2025-01-01"
            ),
            story("off", status="withdrawn"),
            story("draft", status="draft"),
            story("soon", publish_at="2026-11-24"),
            story("now", publish_at='"2026-11-22 09:00"'),
        ]
    )
    withheld, result = _withheld(make_site(files))
    assert withheld == {
        "none": "no-consent",
        "printonly": "no-web-scope",
        "expired": "expired",
        "gone": "withdrawn",
        "off": "withdrawn",
        "draft": "draft",
        "soon": "scheduled",
    }
    assert result.stories == 3  # ok, later, now


def test_drafts_are_built_only_when_asked(make_site):
    root = make_site(dict([story("draft", status="draft")]))
    assert _withheld(root)[1].stories == 0
    assert _withheld(root, drafts=True)[1].stories == 1


def test_missing_consent_is_a_warning_not_an_error(make_site):
    found = problems_of(make_site(dict([story(consent=None)])))
    assert found == [
        "content/stories/asha.md: warning: consent: not published: no consent "
        "recorded: add consent.obtained and consent.scope"
    ]


def test_published_stories_are_the_validated_ones_unless_a_related_story_is_hidden(make_site):
    """Memory at scale: a copy of every story (and a fields set per model instance) was
    a tenth of a 10,000-story build's peak. The gate copies only what it changes."""
    from generator import config, gate, load, model
    from generator.errors import Problems

    root = make_site(
        dict(
            [
                story("a", related="[b]"),
                story("b", related="[a, hidden]"),
                story("hidden", status="draft"),
                story("c"),
            ]
        )
    )
    problems = Problems()
    corpus = model.validate(
        load.read_site(root, problems), config.load_config(root, problems), problems
    )
    published = gate.select(corpus, dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    assert not problems.errors, problems.errors
    validated = {s.slug: s for s in corpus.stories}
    shown = {s.slug: s for s in published.stories}
    assert shown.keys() == {"a", "b", "c"}
    assert shown["a"] is validated["a"] and shown["c"] is validated["c"]
    assert shown["b"] is not validated["b"] and shown["b"].related == ("a",)
    assert validated["b"].related == ("a", "hidden")
    # one fields set per model class, not one per document
    assert shown["a"].model_fields_set is shown["c"].model_fields_set
    assert shown["a"].consent.model_fields_set is shown["c"].consent.model_fields_set
    assert shown["a"].source.model_fields_set is shown["c"].source.model_fields_set
