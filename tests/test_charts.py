"""Charts drawn at build time: the right numbers, accessible SVG, escaped text, on the pages."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

from generator.model.content import MilestoneMeta
from generator.site.charts import (
    convictions_by_country,
    country_timeline,
    figure,
    fit,
    impact_charts,
    people_by_year,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"


def milestone(slug: str, date, *metrics: tuple, country: str | None = None) -> MilestoneMeta:
    return MilestoneMeta.model_validate(
        {
            "title": slug.replace("-", " "),
            "date": date,
            "country": country,
            "slug": slug,
            "metrics": [
                {"value": v, "label": label, **({"unit": unit} if unit else {})}
                for v, label, unit in metrics
            ],
        }
    )


MILESTONES = [
    milestone("a", 2003, (37, "Girls brought to safety", "people"), country="Cambodia"),
    milestone(
        "b",
        "2012-04",
        (2000, "Children, women and men freed from slavery", "people"),
        (2500, "People who received citizenship documents", "people"),
        (300, "Suspects arrested", "people"),
    ),
    milestone("c", 2015, (162, "Family members made safe", "people"), country="Uganda"),
    milestone("d", "2019-07", (150, "Convictions for sexual violence", "cases"), country="Bolivia"),
    milestone("e", 2021, (12, "Convictions of traffickers", "cases"), country="Bolivia"),
    milestone("f", 2021, (9, "Traffickers convicted", "cases"), country="Kenya"),
    milestone("g", 2021, (76063, "People rescued since 1997", "people")),
    milestone("h", 2015, (73, "Fall in trafficking", "percent"), country="Cambodia"),
]


def _svg(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)  # well-formed XML, or this raises


def test_people_by_year_takes_the_largest_rescue_figure_each_year():
    chart = people_by_year(MILESTONES)
    assert chart is not None
    # 2015's only people figure is not a rescue: that year has no bar
    assert [(r.label, r.value) for r in chart.rows] == [
        ("2003", 37),
        ("2012", 2000),  # freed, not the larger citizenship figure
        ("2021", 76063),
    ]
    assert chart.rows[1].url == "milestones/b/"
    assert chart.rows[2].text == "76,063"
    assert chart.title == "People rescued or freed, by year"


def test_people_by_year_falls_back_to_the_largest_people_figure():
    only = [milestone("x", 2015, (162, "Family members made safe", "people"), (3, "Judges", ""))]
    chart = people_by_year(only)
    assert chart is not None and chart.title == "People reached, by year"
    assert [(r.label, r.value) for r in chart.rows] == [("2015", 162)]
    assert people_by_year([milestone("y", 2015, (73, "Fall", "percent"))]) is None


def test_convictions_by_country_uses_labels_and_milestone_countries():
    chart = convictions_by_country(MILESTONES)
    assert chart is not None
    assert [(r.label, r.value) for r in chart.rows] == [("Bolivia", 150), ("Kenya", 9)]
    assert chart.rows[0].url == "milestones/d/"
    nowhere = [milestone("z", 2020, (4, "Convictions", "cases"))]
    assert convictions_by_country(nowhere).rows[0].label == "Several countries"
    assert convictions_by_country([MILESTONES[0]]) is None


def test_impact_charts_skip_what_has_no_data():
    assert [c.id for c in impact_charts(MILESTONES)] == ["chart-people", "chart-convictions"]
    assert impact_charts([]) == ()
    assert impact_charts([milestone("n", 2001)]) == ()


def test_country_timeline_lists_every_figure_oldest_first_with_units():
    cambodia = [m for m in MILESTONES if m.country == "Cambodia"]
    chart = country_timeline("Cambodia", list(reversed(cambodia)))
    assert chart is not None
    assert [(r.label, r.text) for r in chart.rows] == [("2003", "37"), ("2015", "73%")]
    assert chart.headers[0] == "Date"
    assert "2003 to 2015" in chart.desc
    assert country_timeline("Kenya", [milestone("k", 2002)]) is None
    month = country_timeline("Bolivia", [MILESTONES[3]])
    assert month.rows[0].when == "July 2019"
    assert "figure from" in month.desc  # one figure, singular


def test_every_chart_is_an_accessible_image_with_title_and_desc():
    charts = [*impact_charts(MILESTONES), country_timeline("Cambodia", MILESTONES[:1])]
    for chart in charts:
        svg = _svg(chart.svg)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart.title and desc.text == chart.desc
        assert "table" in desc.text
        # sized for no layout shift; coloured by the stylesheet, never inline
        assert svg.get("width") and svg.get("height") and svg.get("viewBox")
        assert "style=" not in chart.svg and "<script" not in chart.svg
        assert "#" not in re.sub(r'id="[^"]*"', "", chart.svg)  # no hard-coded colours


def test_bars_share_one_scale_and_tiny_values_stay_visible():
    chart = people_by_year(MILESTONES)
    bars = [r for r in _svg(chart.svg).iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    widths = [float(b.get("width")) for b in bars]
    assert len(bars) == len(chart.rows)
    assert widths[-1] == 340 and widths[0] == 2  # 37 of 76,063 is still drawn
    assert abs(widths[1] - 2000 / 76063 * 340) < 0.1


def test_content_text_is_escaped_in_the_svg():
    hostile = milestone(
        "x", 2020, (5, 'Rescued </text><script>alert("x")</script> & more', "people")
    )
    chart = country_timeline("Kenya", [hostile])
    assert "<script" not in chart.svg and "&lt;script&gt;" in chart.svg
    _svg(chart.svg)
    bars = people_by_year([hostile])
    assert "<script" not in bars.svg
    _svg(bars.svg)


def test_text_helpers():
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("x" * 12, 5) == ["xxxxx", "xxxxx", "xx"]
    assert wrap("") == [""]
    assert fit("Bolivia", 200) == "Bolivia"
    assert fit("Democratic Republic of the Congo", 80) == "Democrati…"
    assert figure(milestone("m", 2020, (8000, "Raised", "usd")).metrics[0]) == "$8,000"
    assert figure(milestone("m", 2020, (7300000, "Protected", "people")).metrics[0]) == (
        "7.3 million"
    )
    assert figure(milestone("m", 2020, (94.5, "Rate", "percent")).metrics[0]) == "94.5%"


def test_example_site_shows_charts_with_tables(built_example: Path):
    impact = (built_example / "impact/index.html").read_text()
    assert impact.count('<figure class="chart"') == 2
    assert impact.count('role="img"') == 2
    assert '<th scope="row">2021</th><td class="num">76,063</td>' in impact
    assert '<th scope="row">Bolivia</th><td class="num">150</td>' in impact
    cambodia = (built_example / "countries/cambodia/index.html").read_text()
    assert 'id="chart-country"' in cambodia and "Cambodia in figures, over time" in cambodia
    assert '<th scope="row">March 2003</th><td class="num">37</td>' in cambodia
    # a country without figures has no chart; other listings never have one
    assert "chart-country" not in (built_example / "countries/kenya/index.html").read_text()
    assert "<svg" not in (built_example / "stories/index.html").read_text()
