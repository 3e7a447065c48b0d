"""``storysite new story|milestone "Title"``: a new file with every required field filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.config import SiteConfig
from generator.model import slugify

STORY = """---
title: "{title}"
date: {today}
summary: "One or two sentences for listings and the feed (at most 300 characters)."
country: {country}
injustice: [{term}]
tags: []
survivor:
  name: "First name"
  pseudonym: true
consent:
  obtained: {today}
  scope: [web]
status: draft
---

Write the story here. To link another story, write `[her story](other-story.md)`.
"""

MILESTONE = """---
title: "{title}"
date: {year}
kind: {kind}
metrics:
  - value: 0
    label: "people protected"
    unit: people
    as_of: {today}
    source: "Where this figure comes from"
headline: false
---

What happened, and why it matters.
"""


class ScaffoldError(Exception):
    pass


def new_file(
    site_dir: Path, kind: str, title: str, config: SiteConfig | None, today: dt.date
) -> Path:
    """Write a new story or milestone file and return its path; never overwrite."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError("the title needs at least one letter or digit")
    if kind == "story":
        folder = site_dir / "content" / "stories"
        term = config.vocabularies.injustice[0] if config else "forced-labour"
        text = STORY.format(
            title=title.replace('"', "'"), today=today.isoformat(), country="Uganda", term=term
        )
    else:
        folder = site_dir / "content" / "milestones"
        slug = f"{today.year}-{slug}"
        kinds = config.vocabularies.milestone_kind if config else ("program",)
        text = MILESTONE.format(
            title=title.replace('"', "'"), year=today.year, kind=kinds[0], today=today.isoformat()
        )
    path = folder / f"{slug}.md"
    if path.exists() or (folder / slug / "index.md").exists():
        raise ScaffoldError(f"{path.relative_to(site_dir)} already exists")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
