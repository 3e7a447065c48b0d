"""Small helpers shared by tests (imported explicitly, not fixtures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator import build
from generator.config import BuildOptions
from generator.errors import BuildFailed

AS_OF = dt.date(2026, 11, 23)


def problems_of(root: Path, **options) -> list[str]:
    """Every problem line a check of ``root`` reports (errors and warnings)."""
    try:
        result = build.run(BuildOptions(site_dir=root, write=False, as_of=AS_OF, **options))
    except BuildFailed as failed:
        return [p.format() for p in failed.problems]
    return [p.format() for p in result.problems]


def build_site(root: Path, out: Path | None = None, **options) -> Path:
    """Build and return the current release folder; raises BuildFailed on errors."""
    options.setdefault("as_of", AS_OF)
    build.run(BuildOptions(site_dir=root, out_dir=out, **options))
    return (out or root / "output") / "current"


def markdown_pair():
    """Two Markdown converters as the renderer makes them: stock, and prefiltered."""
    import markdown

    from generator.render import EXTENSION_CONFIGS, EXTENSIONS, prefilter

    def make() -> markdown.Markdown:
        return markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )

    stock, quick = make(), make()
    assert prefilter.install(quick)
    return stock, quick
