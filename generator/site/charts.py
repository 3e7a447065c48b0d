"""Static SVG charts of milestone figures, drawn at build time. Pure.

Each chart is a ``Chart``: the numbers as rows (for the table a template prints beside
it) and the SVG markup of the picture, with a ``<title>`` and ``<desc>`` for screen
readers. The SVG holds no script, no style attribute and no colour of its own: classes
and ``currentColor`` let the stylesheet colour it for light and dark mode. Every text
that comes from content is escaped here, because templates print ``svg`` as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from generator.urls import milestone_url

WIDTH = 340  # viewBox units; the stylesheet scales the picture to its column (a phone: ~1:1)
PEOPLE_UNITS = frozenset({"people", "persons", "survivors", "children"})
RESCUED = re.compile(r"\b(rescu\w*|freed|released|liberated|to safety)\b", re.IGNORECASE)
CONVICTION = re.compile(r"\bconvict", re.IGNORECASE)
NO_COUNTRY = "Several countries"
_CURRENCIES = {"usd": "$", "gbp": "£", "eur": "€"}


@dataclass(frozen=True)
class Row:
    label: str  # what the row is: a year, a country, a date
    value: float
    text: str  # the value as people read it: 76,063 · 7.3 million · 73%
    note: str = ""  # what was counted: the metric's label
    url: str = ""  # the milestone the figure comes from (a site URL)
    when: str = ""  # the milestone's date, as a label (timelines)


@dataclass(frozen=True)
class Chart:
    id: str  # unique on its page; the SVG's title and desc ids start with it
    title: str
    desc: str
    headers: tuple[str, str, str]  # column headings of the table: row, value, note
    rows: tuple[Row, ...]
    svg: str  # markup, already escaped


# numbers, as the theme's filters print them (site and theme may not import each other)
def number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def bignumber(value: float) -> str:
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million")):
        if abs(value) >= size:
            return f"{f'{value / size:.2f}'.rstrip('0').rstrip('.')} {word}"
    return number(value)


def figure(metric: Any) -> str:
    """A metric's value with its unit: 94 percent → '94%'; 1200000 usd → '$1.2 million'."""
    unit = (metric.unit or "").lower()
    if unit == "percent":
        return f"{number(metric.value)}%"
    if unit in _CURRENCIES:
        return _CURRENCIES[unit] + bignumber(metric.value)
    return bignumber(metric.value)


def _date_label(date: Any) -> str:
    return str(date.label()) if hasattr(date, "label") else date.isoformat()


def _is_people(metric: Any) -> bool:
    return (metric.unit or "").lower() in PEOPLE_UNITS


def _largest(pairs: Iterable[tuple[Any, Any]]) -> tuple[Any, Any]:
    """The (milestone, metric) with the largest value; ties go to the newest, then slug."""
    return max(pairs, key=lambda p: (p[1].value, p[0].date, p[0].slug))


def people_by_year(milestones: Sequence[Any]) -> Chart | None:
    """The largest number of people rescued or freed that a milestone reported, per year.

    Without any such figure, the largest figure counted in people each year instead.
    """
    people = [(m, x) for m in milestones for x in m.metrics if _is_people(x)]
    rescued = [(m, x) for m, x in people if RESCUED.search(x.label)]
    chosen = rescued or people
    if not chosen:
        return None
    years: dict[int, list[tuple[Any, Any]]] = {}
    for m, x in chosen:
        years.setdefault(m.date.year, []).append((m, x))
    rows = []
    for year in sorted(years):
        m, x = _largest(years[year])
        rows.append(Row(str(year), x.value, figure(x), x.label, milestone_url(m.slug)))
    what = "People rescued or freed" if rescued else "People reached"
    return _bars(
        "chart-people",
        f"{what}, by year",
        f"The largest number a milestone reported each year, {rows[0].label} to {rows[-1].label}",
        ("Year", "People", "What was counted"),
        rows,
    )


def convictions_by_country(milestones: Sequence[Any]) -> Chart | None:
    """Convictions per country: the largest figure whose label mentions a conviction."""
    countries: dict[str, list[tuple[Any, Any]]] = {}
    for m in milestones:
        for x in m.metrics:
            if CONVICTION.search(x.label):
                countries.setdefault(m.country or NO_COUNTRY, []).append((m, x))
    if not countries:
        return None
    rows = []
    for name, pairs in countries.items():
        m, x = _largest(pairs)
        rows.append(Row(name, x.value, figure(x), x.label, milestone_url(m.slug)))
    rows.sort(key=lambda r: (-r.value, r.label))
    return _bars(
        "chart-convictions",
        "Convictions, by country",
        "The largest number of convictions a milestone reported for each country",
        ("Country", "Convictions", "What was counted"),
        rows,
    )


def impact_charts(milestones: Sequence[Any]) -> tuple[Chart, ...]:
    """The charts of the impact page (none when no milestone has such figures)."""
    found = (people_by_year(milestones), convictions_by_country(milestones))
    return tuple(c for c in found if c is not None)


def country_timeline(country: str, milestones: Sequence[Any]) -> Chart | None:
    """Every figure of a country's milestones, oldest first, on a timeline."""
    ordered = sorted(milestones, key=lambda m: (m.date, m.slug))
    rows = tuple(
        Row(
            str(m.date.year),
            x.value,
            figure(x),
            x.label,
            milestone_url(m.slug),
            _date_label(m.date),
        )
        for m in ordered
        for x in m.metrics
    )
    if not rows:
        return None
    title = f"{country} in figures, over time"
    span = (
        rows[0].label if rows[0].label == rows[-1].label else f"{rows[0].label} to {rows[-1].label}"
    )
    count = f"{len(rows)} figure{'s' if len(rows) != 1 else ''}"
    desc = (
        f"Timeline of {count} from our milestones in {country}, {span}. "
        "The same numbers are in the table that follows."
    )
    svg = timeline_svg("chart-country", title, desc, rows)
    return Chart("chart-country", title, desc, ("Date", "Figure", "What was counted"), rows, svg)


def _bars(
    chart_id: str, title: str, lead: str, headers: tuple[str, str, str], rows: list[Row]
) -> Chart:
    top = max(rows, key=lambda r: r.value)
    desc = (
        f"Bar chart. {lead}. Highest: {top.text} ({top.label}). "
        "The same numbers are in the table that follows."
    )
    return Chart(chart_id, title, desc, headers, tuple(rows), bar_svg(chart_id, title, desc, rows))


def _svg(chart_id: str, title: str, desc: str, height: int, body: Iterable[str]) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'fill="currentColor">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def fit(text: str, room: float, per_char: float = 8.0) -> str:
    """``text`` cut with an ellipsis to about ``room`` units (the table keeps it whole)."""
    most = max(4, int(room // per_char))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


BAR_ROW = 46  # label line, then the bar, then a gap
BAR_HEIGHT = 16


def bar_svg(chart_id: str, title: str, desc: str, rows: Sequence[Row]) -> str:
    """Horizontal bars, one per row: the label and value on a line, the bar below it.

    Bars start at zero and share one linear scale; a non-zero value is at least 2 units
    long so it stays visible beside a much larger one.
    """
    top = max((r.value for r in rows), default=0) or 1
    parts = []
    for i, row in enumerate(rows):
        y = i * BAR_ROW
        width = 0.0 if row.value <= 0 else max(2.0, round(row.value / top * WIDTH, 1))
        label = fit(row.label, WIDTH - 9 * len(row.text) - 12)
        parts.append(
            f'<text class="chart__label" x="0" y="{y + 15}">{escape(label)}</text>'
            f'<text class="chart__value" x="{WIDTH}" y="{y + 15}" text-anchor="end">'
            f"{escape(row.text)}</text>"
            f'<rect class="chart__track" x="0" y="{y + 22}" width="{WIDTH}" '
            f'height="{BAR_HEIGHT}" rx="3" fill-opacity=".15"/>'
            f'<rect class="chart__bar" x="0" y="{y + 22}" width="{width:g}" '
            f'height="{BAR_HEIGHT}" rx="3"/>'
        )
    return _svg(chart_id, title, desc, len(rows) * BAR_ROW, parts)


WRAP = 34  # characters per line of a timeline note (13-unit text, about 7 units a character)


def wrap(text: str, width: int = WRAP) -> list[str]:
    """Break text into lines of at most ``width`` characters, at spaces where possible."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:  # a very long word: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines or [""]


def timeline_svg(chart_id: str, title: str, desc: str, rows: Sequence[Row]) -> str:
    """A vertical timeline: the year, a dot on the line, the figure and what it counts.

    Vertical so that it reads the same on a phone as on a wide screen.
    """
    axis, text_x = 58, 76
    parts = []
    y = 8
    previous = None
    for row in rows:
        lines = wrap(row.note)
        height = 30 + 18 * len(lines)
        if row.label != previous:
            parts.append(
                f'<text class="chart__label" x="0" y="{y + 20}">{escape(row.label)}</text>'
            )
            previous = row.label
        parts.append(
            f'<circle class="chart__dot" cx="{axis}" cy="{y + 14}" r="7"/>'
            f'<text class="chart__value" x="{text_x}" y="{y + 20}">{escape(row.text)}</text>'
        )
        for n, line in enumerate(lines):
            parts.append(
                f'<text class="chart__note" x="{text_x}" y="{y + 40 + 18 * n}">'
                f"{escape(line)}</text>"
            )
        y += height + 10
    height = y
    line = (
        f'<path class="chart__axis" d="M{axis} 0V{height}" stroke="currentColor" stroke-width="2"/>'
    )
    return _svg(chart_id, title, desc, height, [line, *parts])
