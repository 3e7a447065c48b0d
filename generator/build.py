"""The build: the pipeline, in order, and nothing else.

Every check runs before anything is written: a build with any error raises
BuildFailed without touching output/. ``storysite check`` is ``run`` with
``write=False``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from generator import (
    __version__,
    gate,
    images,
    load,
    model,
    release,
    render,
    site,
    stamps,
    theme,
    urls,
    write,
)
from generator import config as config_stage
from generator.cache import CACHE_DIR, Cache, key
from generator.errors import BuildFailed, OutputError, Problem, Problems, Severity
from generator.quick import Session

log = logging.getLogger("storysite.build")


@dataclass(frozen=True)
class BuildResult:
    release_id: str | None
    pages: int
    pages_rendered: int
    files: int
    stories: int
    seconds: float
    problems: list[Problem]  # warnings only: a build with errors raises
    withheld: tuple[gate.Withheld, ...] = field(default_factory=tuple)
    output: str | None = None
    up_to_date: bool = False  # nothing changed: the current release was kept
    session: Session | None = None  # with keep_session: what quick_pages needs


def build_moment(options: config_stage.BuildOptions) -> dt.datetime:
    """The moment consent and schedules are judged at: --as-of, SOURCE_DATE_EPOCH, or now."""
    if options.as_of is not None:
        return dt.datetime(
            options.as_of.year, options.as_of.month, options.as_of.day, tzinfo=dt.UTC
        )
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)  # pages show dates, never times


class _Laps:
    """Seconds spent per stage, wall and CPU, for `storysite -v build` and the benchmark
    notes. CPU counts this process and the workers it has waited for (os.times), so a
    stage's CPU over its wall time says how well it used the cores: the figure that
    stays put on a machine whose disk makes wall times jump."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.last_cpu = self._cpu()
        self.times: dict[str, tuple[float, float]] = {}

    @staticmethod
    def _cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def __call__(self, name: str) -> None:
        now, cpu = time.perf_counter(), self._cpu()
        wall, used = self.times.get(name, (0.0, 0.0))
        self.times[name] = (wall + now - self.last, used + cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def report(self) -> str:
        return ", ".join(f"{k} {w:.2f}s (cpu {c:.2f}s)" for k, (w, c) in self.times.items())


def _warn_expiring(published: gate.Published, days: int, problems: Problems) -> None:
    """Warn while there is time to renew consent, before the story goes offline by itself."""
    today = published.as_of.date()
    for story in published.stories:
        expires = story.consent.expires if story.consent else None
        if expires is not None and (expires - today).days <= days:
            left = (expires - today).days
            problems.warning(
                story.source.path,
                story.source.lines.get(("consent", "expires")),
                "consent.expires",
                f"consent expires on {expires.isoformat()} (in {left} day(s)); the story "
                "will go offline then",
                "renew consent with the survivor and update consent.expires",
            )


def _documents(corpus: model.Corpus) -> chain[Any]:
    return chain(corpus.stories, corpus.milestones, corpus.pages, corpus.campaigns)


def _inputs_key(
    options: config_stage.BuildOptions, as_of: dt.datetime, seen: dict[str, stamps.Stamp]
) -> str:
    """Everything a build's output depends on, cheaply: file stats, options, the day."""
    return key(
        __version__,
        stamps.signature(options.site_dir, theme.builtin_dir(), Path(__file__).parent, seen),
        str(options.site_dir.resolve()),
        repr((options.base_url, options.drafts)),
        as_of.date().isoformat(),  # dates on pages (days left, consent expiry) move daily
    )


def _up_to_date(
    out_dir: Path, store: Cache, inputs: str, as_of: dt.datetime, started: float
) -> BuildResult | None:
    """The current release, when nothing it was built from has changed since."""
    last = store.get("state", "last-build")
    if not isinstance(last, dict) or last.get("inputs") != inputs:
        return None
    if last.get("release") != release.current_id(out_dir):
        return None  # rolled back, or the output folder was touched by hand
    until = last.get("until")
    if until is not None and dt.datetime.fromisoformat(until) <= as_of:
        return None  # a scheduled story is due now
    if not (out_dir / release.RELEASES / str(last["release"]) / "manifest.json").is_file():
        return None
    return BuildResult(
        release_id=str(last["release"]),
        pages=int(last.get("pages", 0)),
        pages_rendered=0,
        files=int(last.get("files", 0)),
        stories=int(last.get("stories", 0)),
        seconds=time.perf_counter() - started,
        problems=[Problem(*w, Severity.WARNING) for w in last.get("warnings", [])],
        output=str(out_dir / release.CURRENT),
        up_to_date=True,
    )


def _git_commit(folder: Path) -> str | None:
    """The commit the content was built from, when the site folder is a git work tree."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and len(commit) == 40 else None


def _previous(out_dir: Path, store: Cache) -> write.Previous | None:
    """The current release, if its pages can be reused (same generator version), with
    what its build kept of its fingerprints' inputs (``write.reuse``)."""
    current = release.current_id(out_dir)
    if current is None:
        return None
    folder = out_dir / release.RELEASES / current
    try:
        manifest = release.read_manifest(folder)
    except release.ReleaseError:
        return None
    if manifest.get("generator") != f"storysite {__version__}":
        return None
    entries = manifest.get("files", [])
    kept = store.get("state", "page-marks")
    marks = kept.get("marks") if isinstance(kept, dict) and kept.get("release") == current else None
    return write.Previous(
        folder,
        {f["path"]: f for f in entries if f.get("inputs")},
        marks if isinstance(marks, dict) else None,
    )


def run(options: config_stage.BuildOptions) -> BuildResult:
    """Perform a full site build (or, with write=False, every check of one)."""
    # Python's cyclic collector walks every live object each time enough new ones have
    # been made: with 10,000 stories in memory that was a third of a one-story rebuild,
    # for almost no garbage (a build's values are trees, not cycles). Off for the
    # build, on again after it; the workers turn theirs back on (parallel._run_chunk)
    enabled = gc.isenabled()
    gc.disable()
    try:
        with contextlib.ExitStack() as held:
            return _run(options, held)
    finally:
        if enabled:
            gc.enable()


def _run(options: config_stage.BuildOptions, held: contextlib.ExitStack) -> BuildResult:
    started = time.perf_counter()
    problems = Problems()
    site_dir = options.site_dir
    as_of = build_moment(options)

    store = Cache(options.output / CACHE_DIR, readonly=not options.write)
    held.callback(store.settle)  # its writes in other processes end with the build
    # Before any stamp is taken: a stamp is settled if its file had not changed by then
    reading = time.time_ns()
    seen: dict[str, stamps.Stamp] = {}
    inputs = _inputs_key(options, as_of, seen)
    if options.write and not options.keep_session:
        unchanged = _up_to_date(options.output, store, inputs, as_of, started)
        if unchanged is not None:
            return unchanged
    stage = None
    if options.write:
        # Held from here: the new release's folders are made while the site is read
        held.enter_context(release.lock(options.output))
        stage = held.enter_context(release.staging(options.output))
    lap = _Laps()
    config = config_stage.load_config(site_dir, problems, options.base_url)
    # The documents of earlier builds, unread while their files are unchanged; not for
    # the preview, which keeps every document's front matter to compare edits with
    snapshot = None
    if config is not None and not options.keep_session:
        snapshot = model.Snapshot(store, config, site_dir)
    known = snapshot.known() if snapshot else None
    source = load.read_site(site_dir, problems, store, known, seen)
    lap("load")
    if config is None:
        raise BuildFailed(problems.errors)
    corpus = model.validate(source, config, problems, snapshot)
    edits = None
    if snapshot is not None:
        snapshot.save(source.kept, reading)
        # pages that show none of the bodies edited keep their fingerprints (write.reuse)
        outside = stamps.outside_documents(seen, site_dir / "content")
        edits = write.BodyEdits(snapshot.body_edits(source.kept), outside)
    # The front matter as read is in the models now; the preview keeps it to compare the
    # next edit with, a build lets it go (about 10 MB at 10,000 stories)
    meta = {d.path: d.meta for d in source.docs} if options.keep_session else {}
    digests = {d.source.path: d.source.sha256 for d in _documents(corpus)}
    bodies = load.bodies(source, site_dir, digests)
    del source, snapshot
    lap("validate")
    previously = release.previous_story_slugs(options.output)
    published = gate.select(corpus, as_of, options.drafts, previously)
    _warn_expiring(published, config.consent_warning_days, problems)
    for w in published.withheld:
        if w.kind in {"no-consent", "no-web-scope"}:
            problems.warning(w.path, w.line, "consent", f"not published: {w.reason}")
    routes = urls.route(published, config, problems)
    lap("gate+urls")
    planner = images.ImagePlanner(site_dir, store)
    docs = chain(published.stories, published.milestones, published.pages, published.campaigns)
    rendered = render.render_all(docs, bodies, routes, planner, problems, store, config.video_hosts)
    del bodies  # rendered: the page workers fork without them
    lap("render")
    # What the search index holds is known now: its process starts before the pages are
    # planned (the other core is idle while they are), and writes once staging is ready
    found = site.search_docs(published, rendered)
    previous = _previous(options.output, store) if options.write else None
    searching = None
    trash = release.trash_for(stage.path) if stage is not None else None
    if stage is not None and not problems.errors:
        searching = write.start_search(stage.path, found, config, as_of, previous, trash, store)
        if searching is not None:
            held.callback(searching.stop)  # if the build stops before writing: unwritten
    plan = site.assemble(published, rendered, routes, config, planner, problems, store, found)
    lap("assemble")
    env = theme.environment(site_dir, config)
    write.check_templates(env, site_dir, problems, store)
    if problems.errors:
        raise BuildFailed(problems.sorted())

    release_id = None
    files: list[write.OutputFile] = []
    pages_rendered = 0
    if options.write:
        out_dir = options.output
        try:
            assert stage is not None
            files, pages_rendered, marks = write.write_all(
                plan,
                env,
                routes,
                site_dir,
                stage.path,
                problems,
                store,
                previous,
                trash,
                stage.ready,
                edits,
                searching,
            )
            lap("write")
            if problems.errors:
                raise BuildFailed(problems.sorted())
            made = release.commit(
                stage.path,
                out_dir,
                files,
                as_of if "SOURCE_DATE_EPOCH" in os.environ else dt.datetime.now(dt.UTC),
                options.keep_releases or config.releases.keep,
                {
                    "stories": sorted(s.slug for s in published.stories),
                    "gone": list(routes.gone),
                    "commit": _git_commit(site_dir),
                },
                stage.made(),
            )
            release.record_takedowns(out_dir, published.gone, [s.slug for s in published.stories])
            release_id = made.id
            # what the pages' fingerprints stood on, for the next build (write.reuse): in
            # the cache, as it holds file stamps (the manifest is the same on any machine)
            store.put("state", "page-marks", {"release": made.id, "marks": marks})
            lap("release")
            next_change = min(
                (s.publish_at for s in corpus.stories if s.publish_at and s.publish_at > as_of),
                default=None,
            )
            store.put(
                "state",
                "last-build",
                {
                    "inputs": inputs,
                    "release": made.id,
                    "until": next_change.isoformat() if next_change else None,
                    "pages": len(plan.pages),
                    "files": len(files),
                    "stories": len(published.stories),
                    "warnings": [
                        [w.path, w.line, w.field, w.message, w.hint] for w in problems.warnings
                    ],
                },
            )
        except OSError as exc:
            # the release was not switched: current still points at the last good one
            if exc.errno == errno.ENOSPC:
                raise OutputError(
                    "the disk is full; the previous release is still current"
                ) from exc
            raise OutputError(
                f"cannot write to {out_dir}: {exc.strerror or exc}; the previous release is "
                "still current"
            ) from exc
    elif not problems.errors:
        # storysite check renders every page too (writing nothing), so a template that
        # fails only when rendering is caught before a build
        write.check_render(plan, env, routes, site_dir, problems)
        if problems.errors:
            raise BuildFailed(problems.sorted())
    log.debug("stage times: %s", lap.report())
    session = None
    if options.keep_session:
        session = Session(site_dir.resolve(), config, routes, planner, plan, env, meta)
    return BuildResult(
        release_id=release_id,
        pages=len(plan.pages),
        pages_rendered=pages_rendered,
        files=len(files),
        stories=len(published.stories),
        seconds=time.perf_counter() - started,
        problems=problems.sorted(),
        withheld=published.withheld,
        output=str(options.output / release.CURRENT) if options.write else None,
        session=session,
    )
