"""What the search index holds: published stories, milestones and pages with their words.

Built from Published, so nothing the gate withheld can reach the index. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator import words
from generator.gate import Published
from generator.render import Rendered
from generator.site.cards import term_label
from generator.site.views import SearchDoc
from generator.urls import milestone_url, page_url, story_url


def search_docs(published: Published, rendered: Mapping[str, Rendered]) -> tuple[SearchDoc, ...]:
    """Stories, milestones and free pages for the search index: only published ones,
    since the gate already ran; title words weigh three, summary words two."""
    docs: list[SearchDoc] = []

    def weigh(doc: Any, summary: str) -> str:
        counts = words.unpack(rendered[doc.source.path].words)
        for term, n in words.terms(doc.title).items():
            counts[term] = counts.get(term, 0) + 3 * n
        for term, n in words.terms(summary).items():
            counts[term] = counts.get(term, 0) + 2 * n
        return words.pack(counts)

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
