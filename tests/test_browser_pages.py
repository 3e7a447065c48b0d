"""Every page type in headless Chromium: it renders, axe-core finds no WCAG 2.2 AA problem in
light or dark mode, the keyboard reaches Donate with a visible focus, motion respects the
reader's setting, and phone and desktop screenshots are kept in tests/artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import launch
from conftest import REPO
from servers import static_server

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
ARTIFACTS = Path(__file__).parent / "artifacts"

PAGES = {
    "home": "",
    "story with image": "stories/bablu-born-free/",
    "story without image": "stories/camila-and-the-matraca/",
    "stories": "stories/",
    "country": "countries/cambodia/",
    "injustice": "injustice/sex-trafficking/",
    "tags": "tags/",
    "impact": "impact/",
    "milestone": "milestones/2012-four-year-results/",
    "campaign": "campaigns/run-for-freedom-2026/",
    "campaigns": "campaigns/",
    "free page": "about/",
    "roundup": "stories-of-hope/",
    "search": "search/",
    "404": "404.html",
    "gone": "stories/a-quiet-new-start/",
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Whether the element that has focus shows it: an outline or a box shadow
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  return {
    tag: el.tagName, text: (el.innerText || el.getAttribute("aria-label") || "").trim(),
    cls: el.className, visible: outline || s.boxShadow !== "none",
    inView: el.getBoundingClientRect().bottom > 0 && el.getBoundingClientRect().top < innerHeight,
  };
}"""


@pytest.fixture(scope="module")
def browser(built_example: Path):
    """One Chromium for the module, and the example site served on 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/axe-core is missing (npm install)")
        pytest.skip("node_modules/axe-core is missing (npm install)")
    with static_server(built_example) as url, sync_playwright() as p:
        chromium = launch(p)
        yield chromium, url
        chromium.close()


def _context(browser, **options):
    chromium, url = browser
    # axe is injected as an inline script, which the site's own CSP rightly refuses
    return chromium.new_context(bypass_csp=True, **options), url


def _axe(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]} {v['help']}"
        for v in result["violations"]
    ]


def test_every_page_type_renders_from_its_own_origin(browser):
    ctx, url = _context(browser)
    page = ctx.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    # a request cut short by the next navigation (the favicon, a lazy image) is no fault
    page.on(
        "requestfailed",
        lambda r: "ERR_ABORTED" not in (r.failure or "") and problems.append(f"failed: {r.url}"),
    )
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    for name, path in PAGES.items():
        response = page.goto(url + path)
        assert response is not None and response.status == 200, name
        assert page.locator("h1").count() == 1, name
        assert page.locator("main#main").count() == 1, name
        assert page.title(), name
    ctx.close()
    assert not problems, problems
    assert requests and all(r.startswith(url) for r in requests), [
        r for r in requests if not r.startswith(url)
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page_type(browser, scheme):
    """WCAG 2.0-2.2 A and AA plus best practice; dark mode re-checks every colour pair."""
    ctx, url = _context(browser, color_scheme=scheme, reduced_motion="reduce")
    page = ctx.new_page()
    found = {}
    for name, path in PAGES.items():
        page.goto(url + path)
        violations = _axe(page)
        if violations:
            found[name] = violations
    ctx.close()
    assert not found, found


def test_axe_catches_a_violation(browser):
    """The harness itself: a picture with no alt text and low-contrast text are found."""
    ctx, url = _context(browser)
    page = ctx.new_page()
    page.goto(url)
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/assets/x.png"><p class="lede"><span class="vh"></span>'
        '<span style="color:#ddd;background:#fff">faint</span></p>\')'
    )
    ids = " ".join(_axe(page))
    ctx.close()
    assert "image-alt" in ids and "color-contrast" in ids


def test_skip_link_moves_focus_to_main(browser):
    ctx, url = _context(browser)
    page = ctx.new_page()
    page.goto(url + PAGES["story without image"])
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert first["text"] == "Skip to content" and first["visible"] and first["inView"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside the main content
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    ctx.close()


def test_keyboard_reaches_donate_in_order_with_visible_focus(browser):
    """Tab from the top of a story: every stop shows its focus, in reading order, until the
    header's Donate, then on to the story's own Donate button."""
    ctx, url = _context(browser, viewport=DESKTOP)
    page = ctx.new_page()
    page.goto(url + PAGES["story with image"])
    stops = []
    reached = {}
    for tab in range(1, 80):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        stops.append(stop)
        assert stop["visible"], f"tab {tab}: no visible focus on {stop}"
        assert stop["inView"], f"tab {tab}: focused element is off screen: {stop}"
        if stop["text"] == "Donate" and "header" not in reached:
            reached["header"] = tab
        if "btn--big" in stop["cls"] and "donate" in stop["cls"]:
            reached["story"] = tab
            break
        # focus only moves forward through the document
        later = page.evaluate(
            """() => { const el = document.activeElement;
                       const prev = window.__last; window.__last = el;
                       return !prev || !!(prev.compareDocumentPosition(el) & 4); }"""
        )
        assert later, f"tab {tab}: focus went backwards to {stop}"
    ctx.close()
    assert [s["text"] for s in stops[:3]][0] == "Skip to content"
    assert 3 <= reached.get("header", 99) <= 12, (reached, [s["text"] for s in stops])
    assert reached.get("story", 99) < 60, (reached, [s["text"] for s in stops])


def test_reduced_motion_and_dark_mode_are_respected(browser):
    for motion, expected in (("no-preference", "0.15s"), ("reduce", "0s")):
        ctx, url = _context(browser, reduced_motion=motion)
        page = ctx.new_page()
        page.goto(url)
        duration = page.evaluate(
            "getComputedStyle(document.querySelector('.card')).transitionDuration"
        )
        assert duration == expected, motion
        ctx.close()
    colours = {}
    for scheme in ("light", "dark"):
        ctx, url = _context(browser, color_scheme=scheme)
        page = ctx.new_page()
        page.goto(url + PAGES["impact"])
        colours[scheme] = page.evaluate(
            """() => [getComputedStyle(document.body).backgroundColor,
                      getComputedStyle(document.querySelector('.chart__bar')).fill,
                      getComputedStyle(document.querySelector('.chart__svg')).color]"""
        )
        ctx.close()
    assert colours["light"][0] == "rgb(251, 248, 244)" and colours["dark"][0] == "rgb(20, 24, 23)"
    # the charts follow the scheme too: their colours come from the custom properties
    assert colours["light"][1:] != colours["dark"][1:]


def test_progress_counters_and_charts_have_text_equivalents(browser):
    ctx, url = _context(browser)
    page = ctx.new_page()
    for path in (PAGES["home"], PAGES["campaign"], PAGES["campaigns"]):
        page.goto(url + path)
        bars = page.locator("progress")
        assert bars.count() >= 1, path
        for i in range(bars.count()):
            label = page.evaluate(
                "el => document.getElementById(el.getAttribute('aria-labelledby')).innerText",
                bars.nth(i).element_handle(),
            )
            assert "raised of" in label and "%" in label, (path, label)
    page.goto(url)
    for text in page.locator(".stat__value").all_inner_texts():
        assert text.strip()
    for path in (PAGES["impact"], PAGES["country"]):
        page.goto(url + path)
        figures = page.locator("figure.chart")
        assert figures.count() >= 1, path
        for i in range(figures.count()):
            fig = figures.nth(i)
            svg = fig.locator("svg[role=img]")
            title_id, desc_id = svg.get_attribute("aria-labelledby").split()
            title = svg.locator(f"title#{title_id}").text_content()
            # the browser's accessibility tree names the picture after its title
            assert page.get_by_role("img", name=title).count() == 1, title
            assert "table" in svg.locator(f"desc#{desc_id}").text_content()
            marks = fig.locator(".chart__bar, .chart__dot").count()
            assert marks == fig.locator("table tbody tr").count() >= 1, path
    ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots_and_no_sideways_scrolling(browser, size):
    viewport = PHONE if size == "phone" else DESKTOP
    ctx, url = _context(browser, viewport=viewport)
    page = ctx.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    for name in ("home", "story with image", "impact", "country"):
        page.goto(url + PAGES[name])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']}px"
        shot = ARTIFACTS / f"{name.replace(' ', '-')}-{viewport['width']}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    if size == "phone":
        # the charts' text stays readable: at least 12 CSS pixels high on a phone
        page.goto(url + PAGES["impact"])
        heights = page.evaluate(
            "[...document.querySelectorAll('.chart__svg text')]"
            ".map(t => t.getBoundingClientRect().height)"
        )
        assert heights and min(heights) >= 12, heights
    ctx.close()
