"""Redirects for aliases: a small HTML page per old URL, and the same in _redirects."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import jinja2

from generator.errors import Problems
from generator.site import SitePlan
from generator.urls import Routes, output_path
from generator.write.files import IMMUTABLE
from generator.write.pages import common_context, render_page


def write_redirects(
    out: object,
    plan: SitePlan,
    env: jinja2.Environment,
    routes: Routes,
    assets: Mapping[str, str],
    problems: Problems,
) -> None:
    common = common_context(plan, routes, assets, env)
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


def content_security_policy(video_hosts: tuple[str, ...], newsletter: str | None) -> str:
    """The policy the built site satisfies: everything from this origin, no inline
    script or style, frames only from allow-listed video hosts, forms only to the
    newsletter's host."""
    frames = " ".join(f"https://{h}" for h in sorted(video_hosts)) or "'none'"
    forms = "'self'"
    if newsletter:
        parts = urlsplit(newsletter)
        if parts.scheme in {"http", "https"} and parts.netloc:
            forms += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; frame-src {frames}; form-action {forms}; "
        "base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
    )


def write_host_rules(out: object, routes: Routes, plan: SitePlan) -> None:
    """_headers for Netlify / Cloudflare Pages, and .nojekyll for git-branch hosts."""
    base = routes.base_path
    site = plan.globals["site"]
    csp = content_security_policy(site.video_hosts, site.newsletter)
    rules = [
        f"{base}assets/*\n  Cache-Control: {IMMUTABLE}\n",
        f"{base}media/*\n  Cache-Control: {IMMUTABLE}\n",
        # No Cache-Control here: both hosts merge every matching rule, and their default
        # for HTML already revalidates on each visit
        f"{base}*\n  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: strict-origin-when-cross-origin\n"
        f"  Content-Security-Policy: {csp}\n",
    ]
    out.write("_headers", "\n".join(rules).encode())  # type: ignore[attr-defined]
    # GitHub Pages would otherwise run Jekyll, which hides files starting with "_"
    out.write(".nojekyll", b"")  # type: ignore[attr-defined]
