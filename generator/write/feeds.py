"""The Atom feed of the newest stories (RFC 4287), built with ElementTree.

Entry ids and updated dates come from content, never from the clock, so two builds
of the same input give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from generator.site import SitePlan
from generator.urls import Routes

ATOM = "http://www.w3.org/2005/Atom"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def write_feed(out: object, plan: SitePlan, routes: Routes) -> None:
    ET.register_namespace("", ATOM)
    site = plan.globals.get("site")
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    title = site.title if site else "Stories"
    sub(feed, "title", title)
    if site and site.tagline:
        sub(feed, "subtitle", site.tagline)
    sub(feed, "id", routes.absolute(""))
    sub(feed, "link", rel="self", href=routes.absolute("feed.xml"), type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=routes.absolute(""), type="text/html")
    dates = [(c.story.updated or c.story.date) for c, _ in plan.feed]
    newest = max(dates) if dates else plan.as_of.date()
    sub(feed, "updated", _stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", site.organisation.name if site else title)
    if site and site.organisation.url:
        sub(author, "uri", site.organisation.url)
    sub(feed, "generator", "storysite")
    for card, html in plan.feed:
        story = card.story
        entry = sub(feed, "entry")
        sub(entry, "title", story.title)
        sub(entry, "id", routes.absolute(card.url))
        sub(entry, "link", rel="alternate", href=routes.absolute(card.url), type="text/html")
        sub(entry, "published", _stamp(story.date))
        sub(entry, "updated", _stamp(story.updated or story.date))
        sub(entry, "summary", story.summary)
        for term in story.injustice:
            sub(entry, "category", term=term)
        content = sub(entry, "content", type="html")
        warning = (
            f"<p><strong>Content warning:</strong> {_esc(story.content_warning)}</p>"
            if story.content_warning
            else ""
        )
        content.text = warning + html
    ET.indent(feed)
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    out.write("feed.xml", data + b"\n")  # type: ignore[attr-defined]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
