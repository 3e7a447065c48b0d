"""The preview's quick path: the pages that show one edited document, rendered from
the values the last build kept (``Session``), before the full rebuild has run.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import config as config_stage
from generator import images, load, model, render, site, urls, write
from generator.errors import Problems


@dataclass(frozen=True)
class Session:
    """The values of a finished build, kept by the preview server for ``quick_page``."""

    site_dir: Path
    config: config_stage.SiteConfig
    routes: urls.Routes
    planner: images.ImagePlanner
    plan: site.SitePlan
    env: Any
    meta: Mapping[str, Mapping[str, Any]]  # front matter as read, by source path


def quick_pages(session: Session, rel: str) -> dict[str, bytes] | None:
    """Every page that shows one edited document, rendered at once: path → bytes.

    Takes an edit that changes a document's words (its text; a story's title, summary,
    quote, captions…) and nothing that places it (see ``site.patch``): the story page,
    the listings, related boxes, home page and feed that show it are re-rendered from the
    last build's values. The preview serves them while the full rebuild (search index,
    files on disk) runs. Anything else returns None, and the full rebuild alone decides,
    reporting problems as usual.
    """
    enabled = gc.isenabled()
    gc.disable()  # as in run: a collection would walk the whole session for nothing
    try:
        return _quick_pages(session, rel)
    finally:
        if enabled:
            gc.enable()


def _quick_pages(session: Session, rel: str) -> dict[str, bytes] | None:
    if (session.site_dir / rel).is_symlink():
        return None  # load refuses links that leave the site; the full build says so
    problems = Problems()
    doc = load.read_doc(session.site_dir, rel, problems)
    if doc is None or problems.items or doc.path not in session.meta:
        return None
    if site.placement(doc.kind, doc.meta) != site.placement(doc.kind, session.meta[doc.path]):
        return None  # it may move, appear or vanish: only a full build knows where
    # The document's own page holds it under its kind ("story", "milestone", …)
    own = next(
        (
            p
            for p in session.plan.pages
            if getattr(p.context.get(doc.kind), "source", None) is not None
            and p.context[doc.kind].source.path == rel
        ),
        None,
    )
    fresh = model.validate_one(doc, session.config, problems)
    if own is None or fresh is None or problems.items:
        return None  # not published, or a problem the full build reports
    renderer = render.Renderer(session.routes, session.planner, session.config.video_hosts)
    text = renderer.render(rel, doc.folder, doc.body, doc.body_line, problems)
    if problems.items:
        return None
    if not all(image.url in str(own.context["body"]) for image in text.images):
        return None  # a new photo: only the full build encodes it
    html = text.html.text
    patched = site.patch(session.plan, doc.kind, own, fresh, html, session.planner, problems)
    if problems.items:
        return None
    return write.quick_pages(patched.plan, session.env, session.routes, patched.pages, patched.feed)
