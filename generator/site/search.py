"""What the search index holds: published stories, milestones and pages with their words.

Built from Published, so nothing the gate withheld can reach the index. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.gate import Published
from generator.render import Rendered
from generator.site.cards import term_label
from generator.site.views import SearchDoc
from generator.urls import milestone_url, page_url, story_url


def search_docs(published: Published, rendered: Mapping[str, Rendered]) -> tuple[SearchDoc, ...]:
    """Stories, milestones and free pages for the search index: only published ones,
    since the gate already ran. Weighing title and summary words is left to the index
    writer, which runs only when a document changed."""
    docs: list[SearchDoc] = []

    def weigh(doc: Any, summary: str) -> str:
        return rendered[doc.source.path].words

    for s in published.stories:
        label = tuple(term_label(t) for t in s.injustice)
        docs.append(
            SearchDoc(
                story_url(s.slug),
                s.title,
                s.summary,
                "Story",
                s.country,
                label,
                s.date.isoformat(),
                weigh(s, s.summary),
                s.source.sha256,
            )
        )
    for m in published.milestones:
        docs.append(
            SearchDoc(
                milestone_url(m.slug),
                m.title,
                m.summary or "",
                "Milestone",
                m.country,
                (),
                m.date.iso(),
                weigh(m, m.summary or ""),
                m.source.sha256,
            )
        )
    for p in published.pages:
        docs.append(
            SearchDoc(
                page_url(p.slug),
                p.title,
                p.summary or "",
                "Page",
                None,
                (),
                "",
                weigh(p, p.summary or ""),
                p.source.sha256,
            )
        )
    return tuple(sorted(docs, key=lambda d: d.url))
