"""sitemap.xml (sitemaps.org 0.9) and robots.txt pointing at it."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from generator.site import SitePlan
from generator.urls import Routes

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def write_sitemap(out: object, plan: SitePlan, routes: Routes) -> None:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}urlset")
    for spec in sorted(plan.pages, key=lambda s: s.url):
        if not spec.in_sitemap:
            continue
        url = ET.SubElement(root, f"{{{NS}}}url")
        ET.SubElement(url, f"{{{NS}}}loc").text = routes.absolute(spec.url)
        if spec.lastmod is not None:
            ET.SubElement(url, f"{{{NS}}}lastmod").text = spec.lastmod.isoformat()
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    out.write("sitemap.xml", data + b"\n")  # type: ignore[attr-defined]


def write_robots(out: object, routes: Routes) -> None:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {routes.absolute('sitemap.xml')}\n"
    out.write("robots.txt", text.encode())  # type: ignore[attr-defined]
