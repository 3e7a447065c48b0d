"""URLs: Published → Routes, the address and output file of every page.

Site URLs are kept relative to the site root without a leading slash ("stories/x/");
``href`` adds base_url's path and ``absolute`` the whole base_url, so a site served
under a sub-path (https://example.org/stories-site/) keeps every link working.
Two pages claiming one URL is an error. Pure.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig
from generator.errors import Problems
from generator.gate import Published, Withheld
from generator.model import slugify

# First path segments the generator owns; a free page may not take them
RESERVED = {
    "stories",
    "milestones",
    "countries",
    "injustice",
    "tags",
    "impact",
    "campaigns",
    "assets",
    "media",
    "feed.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "search",
}


@dataclass(frozen=True)
class Routes:
    """Where every page lives, and how content files map to URLs."""

    base_url: str
    base_path: str
    by_source: Mapping[str, str]  # content file path → URL (published documents only)
    withheld: Mapping[str, Withheld]  # content file path → why it is not published
    stories: Mapping[str, str]  # slug → URL
    aliases: Mapping[str, str] = field(default_factory=dict)  # old URL → new URL
    gone: tuple[str, ...] = ()  # slugs whose URL serves the neutral takedown page

    def href(self, url: str) -> str:
        """Root-relative link for a site URL, honouring base_url's path."""
        if url.startswith(("http://", "https://", "mailto:", "#", "/")):
            return url
        return self.base_path + url

    def absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return self.base_url + url


def output_path(url: str) -> str:
    """'stories/x/' → 'stories/x/index.html'; 'feed.xml' → 'feed.xml'."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def story_url(slug: str) -> str:
    return f"stories/{slug}/"


def milestone_url(slug: str) -> str:
    return f"milestones/{slug}/"


def campaign_url(slug: str) -> str:
    return f"campaigns/{slug}/"


def page_url(slug: str) -> str:
    return f"{slug}/"


def country_url(country: str) -> str:
    return f"countries/{slugify(country)}/"


def injustice_url(term: str) -> str:
    return f"injustice/{slugify(term)}/"


def tag_url(tag: str) -> str:
    return f"tags/{slugify(tag)}/"


def listing_url(base: str, page: int) -> str:
    """Page 1 of a listing lives at its base URL, later pages at base/page/N/."""
    return base if page == 1 else f"{base}page/{page}/"


def route(published: Published, config: SiteConfig, problems: Problems) -> Routes:
    """Give every published document its URL; check aliases and page slugs for clashes."""
    by_source: dict[str, str] = {}
    claims: dict[str, str] = {}  # URL → the file that claims it

    def claim(url: str, path: str, source: Any, key: tuple[str | int, ...], what: str) -> None:
        other = claims.setdefault(url, path)
        if other != path:  # the line only now: a kept document's line map is read lazily
            problems.error(
                path,
                source.lines.get(key),
                what,
                f"URL /{url} is already taken by {other}",
                "choose another slug or alias",
            )

    stories: dict[str, str] = {}
    for story in published.stories:
        url = story_url(story.slug)
        stories[story.slug] = url
        by_source[story.source.path] = url
        claim(url, story.source.path, story.source, ("slug",), "slug")
    for m in published.milestones:
        by_source[m.source.path] = milestone_url(m.slug)
        claim(by_source[m.source.path], m.source.path, m.source, ("slug",), "slug")
    for c in published.campaigns:
        by_source[c.source.path] = campaign_url(c.slug)
        claim(by_source[c.source.path], c.source.path, c.source, ("slug",), "slug")
    for p in published.pages:
        if p.slug in RESERVED or p.slug == "index":
            problems.error(
                p.source.path,
                p.source.lines.get(("slug",)),
                "slug",
                f"the page slug '{p.slug}' is used by the site itself",
                "rename the page file or set another slug:",
            )
            continue
        by_source[p.source.path] = page_url(p.slug)
        claim(by_source[p.source.path], p.source.path, p.source, ("slug",), "slug")

    aliases: dict[str, str] = {}
    for story in published.stories:
        for i, alias in enumerate(story.aliases):
            old = posixpath.normpath(alias.lstrip("/"))
            old = "" if old == "." else old + ("/" if not posixpath.splitext(old)[1] else "")
            line = story.source.lines.get(("aliases", i))
            generated = old in {"stories/", "milestones/", "campaigns/"} or re.fullmatch(
                r"(stories|milestones|campaigns)/page/\d+/", old
            )
            first = old.split("/")[0]
            if first in RESERVED - {"stories", "milestones", "campaigns"} or old == "" or generated:
                problems.error(
                    story.source.path,
                    line,
                    f"aliases[{i}]",
                    f"alias {alias} would replace a page the site generates",
                )
                continue
            claim(
                old, story.source.path + f"#alias{i}", story.source, ("aliases", i), f"aliases[{i}]"
            )
            aliases[old] = stories[story.slug]
    withheld = {w.path: w for w in published.withheld}
    # A renamed story's alias keeps old links working; otherwise a story that left the
    # site keeps its URL for the neutral page (never reused by another story silently)
    gone = tuple(s for s in published.gone if story_url(s) not in claims)
    return Routes(config.base_url, config.base_path, by_source, withheld, stories, aliases, gone)
