"""Theme assets (hashed names), re-encoded images, and the site's static/ files."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import jinja2
from PIL import Image

from generator.cache import Cache, key
from generator.errors import Problems
from generator.images import STATIC_IMAGE_TYPES, ImageProblem, encode_variants, strip
from generator.site import SitePlan
from generator.write.files import Writer

ASSET_TYPES = (".css", ".js", ".svg", ".woff2", ".png", ".ico")


def _theme_assets(env: jinja2.Environment) -> dict[str, Path]:
    """name → file, the site's own assets/ shadowing the built-in theme's."""
    found: dict[str, Path] = {}
    loader = env.loader
    searchpaths: list[str] = []
    for sub in getattr(loader, "loaders", [loader]):
        searchpaths += list(getattr(sub, "searchpath", []))
    for base in reversed(searchpaths):  # built-in first, site last so it wins
        folder = Path(base) / "assets"
        if folder.is_dir():
            for f in sorted(folder.iterdir()):
                if f.is_file() and f.suffix in ASSET_TYPES:
                    found[f.name] = f
    return found


def write_assets(out: Writer, env: jinja2.Environment) -> Mapping[str, str]:
    """Write theme assets under content-hashed names; return name → site URL."""
    urls: dict[str, str] = {}
    for name, path in sorted(_theme_assets(env).items()):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = name.rpartition(".")
        url = f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}.{digest}"
        out.write(url, data)
        urls[name] = url
    return urls


def write_images(
    out: Writer, plan: SitePlan, site_dir: Path, cache: Cache, problems: Problems
) -> None:
    """Every width and format of every image, each encoded once ever: its URL names
    the source's digest and the encoder version, so it is its own cache key."""
    for image in plan.images:
        found = {v.url: cache.get_bytes("encoded", key("encoded", v.url)) for v in image.variants}
        missing = [v for v in image.variants if found[v.url] is None]
        if missing:
            try:
                fresh = encode_variants(site_dir, image, missing)
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
                problems.error(
                    image.source,
                    None,
                    None,
                    f"cannot re-encode image ({exc.__class__.__name__})",
                    "save the photo again as a standard JPEG or PNG",
                )
                continue
            for url, data in fresh.items():
                cache.put_bytes("encoded", key("encoded", url), data)
                found[url] = data
        for url, data in found.items():
            out.write(url, data)  # type: ignore[arg-type]


def write_static(out: Writer, plan: SitePlan, site_dir: Path, problems: Problems) -> None:
    """Copy static/ as it is, except photos, which are re-encoded without metadata."""
    for rel in plan.static:
        target = rel.split("/", 1)[1]
        if rel.lower().endswith(STATIC_IMAGE_TYPES):
            try:
                out.write(target, strip(site_dir, rel))
            except ImageProblem as exc:
                problems.error(rel, None, None, str(exc), "remove the file or save it again")
            continue
        out.copy(target, site_dir / rel)
