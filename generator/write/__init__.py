"""Writing: SitePlan → files in a staging folder, in a fixed order.

Assets first (pages need their hashed names), then images, pages, feeds, sitemap,
redirects. Writes only inside the staging folder it is given; ``release`` decides
whether that folder ever becomes the site. Returns one OutputFile per file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from pathlib import Path

import jinja2

from generator import parallel
from generator.cache import Cache
from generator.errors import Problems
from generator.site import PageSpec, SitePlan
from generator.trash import Trash
from generator.urls import Routes, output_path
from generator.write.assets import write_assets, write_images, write_static
from generator.write.feeds import write_feed
from generator.write.files import OutputFile, Writer
from generator.write.incremental import Previous
from generator.write.pages import check_templates, common_context, render_page, write_pages
from generator.write.redirects import write_host_rules, write_redirects
from generator.write.search import write_search
from generator.write.sitemap import write_robots, write_sitemap

__all__ = [
    "OutputFile",
    "Previous",
    "check_render",
    "check_templates",
    "quick_pages",
    "write_all",
]


def check_render(
    plan: SitePlan, env: jinja2.Environment, routes: Routes, site_dir: Path, problems: Problems
) -> None:
    """Render every page as a build would, keeping nothing: for `storysite check`."""
    out = Writer(site_dir / "output" / ".never-written", dry=True)
    write_pages(out, plan, env, routes, write_assets(out, env), problems, site_dir)


class _Memory:
    """A writer that keeps bytes in memory, for the preview's quick path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, path: str, data: bytes, inputs: str = "") -> None:
        self.files[path] = data


def quick_pages(
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    pages: Sequence[PageSpec],
    feed: bool,
) -> dict[str, bytes]:
    """Some pages (and the feed) as the full build would write them: path → bytes.
    Writes nothing: the preview serves them from memory until the full rebuild is done."""
    assets = write_assets(Writer(Path(".never-written"), dry=True), env)
    common = common_context(plan, routes, assets, env)
    out = _Memory()
    for spec in pages:
        html = render_page(env, spec.template, spec.url, spec.title, spec.context, common)
        out.write(output_path(spec.url), html.encode())
    if feed:
        write_feed(out, plan, routes)
    return out.files


def _search_files(
    staging: Path, plan: SitePlan, previous: Previous | None, trash: Trash | None, cache: Cache
) -> list[OutputFile]:
    out = Writer(staging, trash=trash)
    write_search(out, plan, previous, cache)
    return out.files()


def write_all(
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    site_dir: Path,
    staging: Path,
    problems: Problems,
    cache: Cache,
    previous: Previous | None = None,
    trash: Path | None = None,
    made: Set[str] = frozenset(),
    kept: Mapping[str, tuple[str, int]] | None = None,
    kept_fresh: bool = False,
) -> tuple[list[OutputFile], int]:
    """Write the whole site into ``staging``; template failures become problems.

    ``trash``: where to move the files that a recycled ``staging`` replaces; ``made``:
    folders that exist in it already (release-relative); ``kept``: the files it holds
    already (path → sha256, size): a recycled spare's, or, ``kept_fresh``, those just
    linked there from the current release.
    Returns every file written and how many pages were rendered (not carried over).
    """
    dropped = Trash(trash) if trash is not None else None
    out = Writer(staging, trash=dropped, made=made, kept=kept, kept_fresh=kept_fresh)
    assets = write_assets(out, env)
    write_images(out, plan, site_dir, cache, problems)
    write_static(out, plan, site_dir, problems)
    # The search index depends on nothing the pages do: it is built in another process
    # (weighing every word of every story takes a second at 10,000 stories) while pages
    # are fingerprinted and carried over, and done before the page workers start. Beside
    # them it was three processes on two cores, each with its own copy of much of the
    # parent's memory: the build's peak (839 MiB at 10,000 stories, not 640)
    search = parallel.Background(lambda: _search_files(staging, plan, previous, dropped, cache))
    rendered = write_pages(
        out, plan, env, routes, assets, problems, site_dir, previous, search.result
    )
    for record in search.result():
        out.record(record)
    write_feed(out, plan, routes)
    write_sitemap(out, plan, routes)
    write_robots(out, routes)
    write_redirects(out, plan, env, routes, assets, problems)
    write_host_rules(out, routes, plan)
    return out.files(), rendered
