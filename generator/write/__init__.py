"""Writing: SitePlan → files in a staging folder, in a fixed order.

Assets first (pages need their hashed names), then images, pages, feeds, sitemap,
redirects. Writes only inside the staging folder it is given; ``release`` decides
whether that folder ever becomes the site. Returns one OutputFile per file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence, Set
from pathlib import Path
from typing import Any

import jinja2

from generator import parallel
from generator.cache import Cache
from generator.errors import Problems
from generator.site import PageSpec, SearchDoc, SitePlan
from generator.trash import Trash
from generator.urls import Routes, output_path
from generator.write.assets import write_assets, write_images, write_static
from generator.write.feeds import write_feed
from generator.write.files import OutputFile, Writer
from generator.write.incremental import Previous
from generator.write.pages import (
    check_templates,
    common_context,
    fingerprint_pages,
    render_page,
    write_pages,
)
from generator.write.redirects import write_host_rules, write_redirects
from generator.write.reuse import BodyEdits
from generator.write.search import make_search, put_search
from generator.write.sitemap import write_robots, write_sitemap

# What a staging folder holds when the writer starts: folders, files, and whether the
# files were linked there by this build (else a recycled spare's, checked one by one)
Ready = tuple[Set[str], Mapping[str, tuple[str, int]] | None, bool]

__all__ = [
    "BodyEdits",
    "OutputFile",
    "Previous",
    "SearchStart",
    "check_render",
    "check_templates",
    "quick_pages",
    "start_search",
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
    staging: Path,
    plan: SitePlan,
    previous: Previous | None,
    trash: Trash | None,
    cache: Cache,
    gate: tuple[int, int] | None = None,
) -> list[OutputFile]:
    """The search index, made then written into ``staging``. In a background process,
    ``gate`` is a pipe (read end, write end): the index is written once the parent has
    sent a byte through it (the staging folder is ready), never if it closed it."""
    files = make_search(plan, previous, cache)
    if gate is not None:
        os.close(gate[1])  # this process's copy: else reading would never see the end
        if os.read(gate[0], 1) != b"1":
            return []  # the build stopped before writing
    out = Writer(staging, trash=trash)
    put_search(out, files, previous, plan, cache)
    return out.files()


class SearchStart:
    """The search index's process, started by ``start_search`` before the pages are
    planned; ``gate``: the write end of the pipe it waits on before writing."""

    def __init__(self, process: parallel.Background, gate: int):
        self.process = process
        self.gate: int | None = gate

    def open(self) -> None:
        """Let it write: the staging folder is ready."""
        if self.gate is not None:
            os.write(self.gate, b"1")
            self.close()

    def close(self) -> None:
        """Never let it write, if not let already; it ends without writing."""
        if self.gate is not None:
            os.close(self.gate)
            self.gate = None

    def stop(self) -> None:
        """Close the gate if still closed, and wait for the process to end. What it
        raised was raised to ``write_all`` already, or the build had failed before."""
        self.close()
        with contextlib.suppress(Exception):
            self.process.result()


def start_search(
    staging: Path,
    docs: tuple[SearchDoc, ...],
    config: Any,
    as_of: dt.datetime,
    previous: Previous | None,
    trash: Path | None,
    cache: Cache,
) -> SearchStart | None:
    """Start making the search index in another process, as soon as what it holds is
    known (``site.search_docs``): it then has the other core while the pages are
    planned, which takes one. None where no process can be forked."""
    if not parallel.Background.forks():
        return None
    plan = SitePlan((), (), {}, (), (), (), as_of, False, {"site": config}, docs)
    dropped = Trash(trash) if trash is not None else None
    read, write = os.pipe()
    try:
        process = parallel.Background(
            lambda: _search_files(staging, plan, previous, dropped, cache, (read, write))
        )
    except BaseException:
        os.close(write)
        raise
    finally:
        os.close(read)
    return SearchStart(process, write)


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
    ready: Callable[[], Ready] | None = None,
    edits: BodyEdits | None = None,
    started: SearchStart | None = None,
) -> tuple[list[OutputFile], int, dict[str, str]]:
    """Write the whole site into ``staging``; template failures become problems.

    ``trash``: where to move the files that a recycled ``staging`` replaces; ``ready``
    waits until ``staging`` may be written into, then says what it holds already: the
    folders (release-relative), the files (path → sha256, size; a recycled spare's, or
    those just linked there from the current release), and whether they are the latter.
    ``edits``: what changed since the last build, if only bodies did (``reuse``);
    ``started``: the search index's process, if ``start_search`` started it.
    Returns every file written, how many pages were rendered (not carried over), and
    what the cache keeps for the next build (``reuse.marks``).
    """
    dropped = Trash(trash) if trash is not None else None
    # The search index depends on nothing the pages do: ``start_search`` forked it
    # before the pages were planned; it writes once the staging folder is ready (another
    # process may still be making it), and is done before the page workers start. Beside
    # them it was three processes on two cores, each with its own copy of much of the
    # parent's memory: the build's peak (839 MiB at 10,000 stories, not 640)
    try:
        assets = write_assets(Writer(staging, dry=True), env)  # their names, to fingerprint
        fingerprints, marks = fingerprint_pages(plan, env, routes, assets, previous, edits)
        made, kept, fresh = ready() if ready is not None else (frozenset(), None, False)
        if started is not None:
            started.open()
    finally:
        if started is not None:
            started.close()
    if started is not None:
        search = started.process
    else:  # no process started: made and written now (in one, if one can be forked)
        search = parallel.Background(lambda: _search_files(staging, plan, previous, dropped, cache))
    out = Writer(staging, trash=dropped, made=made, kept=kept, kept_fresh=fresh)
    try:
        write_assets(out, env)
        write_images(out, plan, site_dir, cache, problems)
        write_static(out, plan, site_dir, problems)
        rendered = write_pages(
            out,
            plan,
            env,
            routes,
            assets,
            problems,
            site_dir,
            previous,
            search,
            fingerprints,
        )
    except BaseException:
        # the staging folder is about to be thrown away: not while the index is written
        with contextlib.suppress(Exception):
            search.result()
        raise
    for record in search.result():
        out.record(record)
    write_feed(out, plan, routes)
    write_sitemap(out, plan, routes)
    write_robots(out, routes)
    write_redirects(out, plan, env, routes, assets, problems)
    write_host_rules(out, routes, plan)
    return out.files(), rendered, marks
