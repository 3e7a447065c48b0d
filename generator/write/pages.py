"""HTML pages: each PageSpec through its Jinja template, with the shared context."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from generator.errors import Problems
from generator.site import SitePlan
from generator.urls import Routes, output_path

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


def check_templates(env: jinja2.Environment, site_dir: Path, problems: Problems) -> None:
    """Compile every template the build uses, so syntax errors stop it before writing."""
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


def common_context(plan: SitePlan, routes: Routes, assets: Mapping[str, str]) -> dict[str, Any]:
    def asset(name: str) -> str:
        return routes.href(assets[name])

    return {
        "href": routes.href,
        "absolute": routes.absolute,
        "asset": asset,
        "nav": plan.nav,
        "as_of": plan.as_of.date(),
        "drafts": plan.drafts,
    }


def render_page(
    env: jinja2.Environment,
    template: str,
    url: str,
    title: str,
    context: Mapping[str, Any],
    common: Mapping[str, Any],
) -> str:
    return env.get_template(template).render(**common, **context, page_url=url, page_title=title)


def write_pages(
    out: Any,
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    assets: Mapping[str, str],
    problems: Problems,
    site_dir: Path,
) -> None:
    common = common_context(plan, routes, assets)
    failed: set[str] = set()
    for spec in plan.pages:
        try:
            html = render_page(env, spec.template, spec.url, spec.title, spec.context, common)
        except jinja2.TemplateError as exc:
            file, line = _where(exc, env)
            key = f"{file}:{line}:{exc}"
            if key not in failed:  # one message per template mistake, not one per page
                failed.add(key)
                problems.error(
                    _rel(file, site_dir),
                    line,
                    None,
                    f"template error while building /{spec.url}: {exc}",
                )
            continue
        out.write(output_path(spec.url), html.encode("utf-8"))
