"""Redirects for aliases: a small HTML page per old URL, and the same in _redirects."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2

from generator.errors import Problems
from generator.site import SitePlan
from generator.urls import Routes, output_path
from generator.write.pages import common_context, render_page


def write_redirects(
    out: object,
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    assets: Mapping[str, str],
    problems: Problems,
) -> None:
    common = common_context(plan, routes, assets)
    lines = []
    for old, new in sorted(plan.aliases.items()):
        html = render_page(
            env,
            "redirect.html",
            old,
            "Moved",
            {"target": routes.absolute(new), "target_path": routes.href(new)},
            common,
        )
        out.write(output_path(old), html.encode())  # type: ignore[attr-defined]
        lines.append(f"{routes.href(old)} {routes.href(new)} 301")
    if lines:
        out.write("_redirects", ("\n".join(lines) + "\n").encode())  # type: ignore[attr-defined]
