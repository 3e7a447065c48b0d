"""HTML pages: each PageSpec through its Jinja template, with the shared context."""

from __future__ import annotations

import contextlib
import gc
import os
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import parallel, theme
from generator.cache import Cache, key
from generator.errors import Problems
from generator.render import BodyGone, Html
from generator.site import PageSpec, SitePlan, StoryCard
from generator.urls import Routes, output_path
from generator.write import reuse
from generator.write.files import Writer
from generator.write.incremental import (
    Fingerprints,
    Previous,
    global_fingerprint,
    page_fingerprint,
)

TEMPLATES = (
    "home.html",
    "list.html",
    "story.html",
    "terms.html",
    "impact.html",
    "milestone.html",
    "campaign.html",
    "campaigns.html",
    "page.html",
    "404.html",
    "redirect.html",
    "gone.html",
    "search.html",
    "_chart.html",
    "_ld.html",
)


def _where(exc: BaseException, env: jinja2.Environment) -> tuple[str, int | None]:
    """The template file and line a Jinja error happened in."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or "templates", exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return frame.filename, frame.lineno
    return "templates", None


def _rel(filename: str, site_dir: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return filename


def _links_out(site_dir: Path, problems: Problems) -> None:
    """A site's templates/ may not reach outside the site: a link there would publish
    whatever file it points at (or let a template include it)."""
    root = site_dir.resolve()
    own = site_dir / "templates"
    if own.is_symlink():
        problems.error(
            "templates",
            None,
            None,
            "the templates folder is a link outside the site",
            "copy the templates into the site instead of linking to them",
        )
        return
    if not own.is_dir():
        return
    for folder, dirs, names in os.walk(own):
        for name in sorted(dirs + names):
            path = Path(folder) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems.error(
                    path.relative_to(site_dir).as_posix(),
                    None,
                    None,
                    "template is a link to a file outside the site",
                    "copy the file into templates/ instead of linking to it",
                )


def check_templates(
    env: jinja2.Environment, site_dir: Path, problems: Problems, cache: Cache | None = None
) -> None:
    """Compile every template the build uses, so syntax errors stop it before writing.
    Templates that compiled before, as the same text, are not compiled again: it was
    0.15 s of a one-story edit build, for templates most of which no page then used."""
    _links_out(site_dir, problems)
    done = _compiled_key(env)
    if cache is not None and done is not None and cache.get("templates", done) is True:
        return
    errors = len(problems.errors)
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            file, line = _where(exc, env)
            problems.error(_rel(file, site_dir), line, None, f"template error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            problems.error(
                "templates",
                None,
                None,
                f"template {exc.name} not found",
                "restore it, or remove the site's override that includes it",
            )
    if cache is not None and done is not None and len(problems.errors) == errors:
        cache.put("templates", done, True)


def _compiled_key(env: jinja2.Environment) -> str | None:
    """What compiling the templates depends on: their text, Jinja and its settings."""
    syntax = (
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
    )
    parts = [jinja2.__version__, repr(sorted(env.extensions)), repr(syntax)]
    assert env.loader is not None
    for name in TEMPLATES:
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            return None  # reported by the compile
        parts += [name, filename or "", source]
    return key(*parts)


def common_context(
    plan: SitePlan, routes: Routes, assets: Mapping[str, str], env: jinja2.Environment
) -> dict[str, Any]:
    def asset(name: str) -> str:
        return routes.href(assets[name])

    # Site-wide functions are the environment's globals, so that a template imports
    # _macros.html and _ld.html without context: such an import is made once and kept,
    # where one with context is made again on every render (a tenth of the time spent
    # rendering a card, which is little else)
    href, absolute = routes.href, routes.absolute  # one bound method each (plain_functions)
    env.globals.update(href=href, absolute=absolute, asset=asset)
    common: dict[str, Any] = {
        "nav": plan.nav,
        "as_of": plan.as_of.date(),
        "drafts": plan.drafts,
    }
    # A story's card is the same HTML on every listing, taxonomy page and "related" box
    # it appears in (five or so per story), so _card.html renders once per story and
    # heading level. It sees the common context and `card`, `card_h`, nothing page-bound.
    common["card_html"] = CardHtml(env, common)
    theme.plain_functions(env, href, absolute, asset, common["card_html"])
    return common


class CardHtml:
    """``card_html(card, level)`` for templates: a story's card, rendered once."""

    def __init__(self, env: jinja2.Environment, common: Mapping[str, Any]):
        self.env, self.common = env, common
        self.memo: dict[tuple[str, int], Markup] = {}

    def __call__(self, card: Any, level: int = 3) -> Markup:
        memo_key = (card.url, level)
        html = self.memo.get(memo_key)
        if html is None:
            template = self.env.get_template("_card.html")
            html = Markup(template.render(**self.common, card=card, card_h=level))
            self.memo[memo_key] = html
        return html

    def prepare(
        self, specs: Sequence[PageSpec], meanwhile: parallel.Background | None = None
    ) -> None:
        """Render the cards of these pages first, into the memo.

        Else each page worker renders (and so reads, and so copies into its own memory:
        reference counts are writes) nearly every story for the listings: two copies
        of the stories at once. Rendered first, a card is a string the page workers
        share. Levels 2 (listings) and 3 (everywhere else) are the built-in theme's; a
        theme's other levels are rendered as pages need them.

        ``meanwhile`` (a ``parallel.Background``: the search index) has the other core
        for now: cards are rendered here until it is done (1 s of a cold build at
        10,000 stories, the parent would otherwise wait), then the rest in workers."""
        cards: dict[str, Any] = {}
        for spec in specs:
            for value in spec.context.values():
                for item in value if type(value) is list else (value,):
                    if type(item) is StoryCard:
                        cards.setdefault(item.url, item)

        def job(chunk: Sequence[Any]) -> list[Any]:
            done = []
            for card in chunk:
                for level in (2, 3):
                    # a broken card is reported by the pages that show it, with the page
                    with contextlib.suppress(jinja2.TemplateError):
                        done.append((card.url, level, str(self(card, level))))
            return done

        todo = list(cards.values())
        here = 0
        if meanwhile is not None:
            # Rendering leaves cyclic garbage (template contexts): collected as it goes,
            # as in a worker, though the build keeps the collector off for its own long
            # walks (else 60 MB more at 10,000 stories, kept for the rest of the build)
            was_on = gc.isenabled()
            gc.enable()
            try:
                while here < len(todo) and not meanwhile.done():
                    job(todo[here : here + 20])  # into the memo
                    here += 20
            finally:
                if not was_on:
                    gc.disable()
            meanwhile.result()  # its process ends before the card workers start
        for url, level, html in parallel.map_chunks(job, todo[here:]):
            self.memo[(url, level)] = Markup(html)


def render_page(
    env: jinja2.Environment,
    template: str,
    url: str,
    title: str,
    context: Mapping[str, Any],
    common: Mapping[str, Any],
) -> str:
    # bodies are read from the render cache only now, for the pages that are rendered
    own = {k: (v.text if type(v) is Html else v) for k, v in context.items()}
    return env.get_template(template).render(**common, **own, page_url=url, page_title=title)


def fingerprint_pages(
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    assets: Mapping[str, str],
    previous: Previous | None = None,
    edits: reuse.BodyEdits | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Each page's fingerprint, in plan order, and what the cache keeps for the next
    build (``reuse.marks``). A page the bodies edited since the last build cannot have
    changed keeps its old fingerprint (``reuse``). In-process: forking costs more than
    hashing (0.4 s at 10,000 stories)."""
    base = global_fingerprint(plan, env, routes, assets)
    fp = Fingerprints()
    marks = reuse.marks(base, edits.outside if edits else "", plan.pages)
    last = previous.marks if previous is not None else None
    if edits is None or edits.paths is None or not reuse.carried(marks, edits, last):
        return [page_fingerprint(base, spec, fp) for spec in plan.pages], marks
    untouched = reuse.Untouched(edits.paths)
    assert previous is not None  # (it gave ``last``)
    old = previous.files
    found = []
    for spec in plan.pages:
        entry = old.get(output_path(spec.url))
        inputs = entry.get("inputs") if entry is not None else None
        if not (inputs and untouched.page(spec.context)):
            inputs = page_fingerprint(base, spec, fp)
        found.append(inputs)
    return found, marks


def write_pages(
    out: Writer,
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    assets: Mapping[str, str],
    problems: Problems,
    site_dir: Path,
    previous: Previous | None = None,
    meanwhile: parallel.Background | None = None,
    fingerprints: Sequence[str] | None = None,
) -> int:
    """Render every page whose inputs changed; hard-link the rest from ``previous``.

    ``meanwhile``: a ``parallel.Background`` (the search index) to wait for before the
    page workers start (cards are rendered while it runs); ``fingerprints``: the
    pages' (``fingerprint_pages``), if known already.
    Returns how many pages were rendered (the rest were carried over).
    """
    common = common_context(plan, routes, assets, env)
    if fingerprints is None:
        fingerprints = fingerprint_pages(plan, env, routes, assets)[0]
    todo: list[tuple[PageSpec, str]] = []
    old_files = previous.files if previous is not None else {}
    old_root = str(previous.folder) if previous is not None else ""
    for spec, inputs in zip(plan.pages, fingerprints, strict=True):
        path = output_path(spec.url)
        entry = old_files.get(path)
        reusable = entry is not None and entry.get("inputs") == inputs
        if reusable and out.link(path, os.path.join(old_root, path), entry, inputs):  # type: ignore[arg-type]
            continue
        todo.append((spec, inputs))

    def job(chunk: Sequence[tuple[PageSpec, str]]) -> list[Any]:
        results: list[Any] = []
        for spec, inputs in chunk:
            try:
                html = render_page(env, spec.template, spec.url, spec.title, spec.context, common)
            except jinja2.TemplateError as exc:
                file, line = _where(exc, env)
                results.append(("error", _rel(file, site_dir), line, spec.url, str(exc)))
                continue
            except BodyGone as exc:
                results.append(("gone", exc.path, None, spec.url, f"{exc}; build again"))
                continue
            results.append(("ok", out.write(output_path(spec.url), html.encode(), inputs)))
        return results

    if len(todo) >= parallel.MIN_PARALLEL:
        common["card_html"].prepare([spec for spec, _ in todo], meanwhile)
    elif meanwhile is not None:
        meanwhile.result()
    failed: set[tuple[str, int | None, str]] = set()
    for result in parallel.map_chunks(job, todo):
        if result[0] == "ok":
            out.record(result[1])  # written in a worker: the parent keeps the list
            continue
        kind, file, line, url, message = result
        if (file, line, message) not in failed:  # one message per mistake, not per page
            failed.add((file, line, message))
            if kind == "gone":
                problems.error(file, line, None, message)
            else:
                problems.error(file, line, None, f"template error while building /{url}: {message}")
    return len(todo)
