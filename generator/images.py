"""Images: plan (hashed output name, size) and encode (orient, strip metadata, resize).

Survivor photos must never leak where they were taken: every published image is
decoded and re-encoded from pixels alone, so EXIF, GPS, XMP, IPTC, maker notes and
embedded thumbnails are all left behind; originals are never copied. Reads the site
folder (``plan``) and returns bytes (``encode``); writes nothing itself.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_WIDTH = 1600
ENCODER_VERSION = "1"  # bump when encoding changes, so hashed names change too
Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs well before memory runs out


class ImageProblem(Exception):
    """An image that cannot be used, with a message for the editor."""


@dataclass(frozen=True)
class ImagePlan:
    source: str  # site-relative path of the original
    url: str  # site URL of the published copy, e.g. media/photo-3f9a1c2b7d.jpg
    width: int
    height: int
    format: str  # JPEG | PNG | WEBP


_FORMATS = {
    "JPEG": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "GIF": ("PNG", ".png"),
    "WEBP": ("WEBP", ".webp"),
    "MPO": ("JPEG", ".jpg"),
}


class ImagePlanner:
    """Plans each source image once per build; safe to share between threads."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._plans: dict[str, ImagePlan] = {}
        self._lock = Lock()

    def plan(self, source: str) -> ImagePlan:
        """Hash and measure ``source``; raise ImageProblem if it is not a usable image."""
        with self._lock:
            if source in self._plans:
                return self._plans[source]
        path = self.site_dir / source
        try:
            raw = path.read_bytes()
            with Image.open(io.BytesIO(raw)) as img:
                fmt = img.format or ""
                transposed = ImageOps.exif_transpose(img)
                width, height = transposed.size
        except FileNotFoundError:
            raise ImageProblem("image file not found") from None
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
            raise ImageProblem(f"not a readable image ({exc.__class__.__name__})") from None
        if fmt not in _FORMATS:
            raise ImageProblem(f"unsupported image format {fmt or 'unknown'}")
        out_format, ext = _FORMATS[fmt]
        if width > MAX_WIDTH:
            width, height = MAX_WIDTH, max(1, round(height * MAX_WIDTH / width))
        digest = hashlib.sha256(raw + ENCODER_VERSION.encode()).hexdigest()[:10]
        url = f"media/{_name(source)}-{digest}{ext}"
        plan = ImagePlan(source, url, width, height, out_format)
        with self._lock:
            self._plans[source] = plan
        return plan

    def all(self) -> list[ImagePlan]:
        with self._lock:
            return sorted(self._plans.values(), key=lambda p: p.url)


def _name(source: str) -> str:
    """A readable file name: the image's own, or its story folder's for generic names."""
    p = Path(source)
    stem = p.stem.lower()
    if stem in {"photo", "image", "img", "picture", "cover"}:
        stem = f"{p.parent.name}-{stem}"
    return "".join(c if c.isalnum() or c == "-" else "-" for c in stem).strip("-") or "image"


def encode(site_dir: Path, plan: ImagePlan) -> bytes:
    """Re-encode from pixels only: oriented, resized, with no metadata of any kind."""
    with Image.open(site_dir / plan.source) as img:
        img.load()
        oriented = ImageOps.exif_transpose(img)
    if oriented.size != (plan.width, plan.height):
        oriented = oriented.resize((plan.width, plan.height), Image.Resampling.LANCZOS)
    # Rebuilding from raw pixels drops every chunk Pillow might otherwise carry over
    mode = "RGB" if plan.format == "JPEG" else ("RGBA" if "A" in oriented.getbands() else "RGB")
    clean = Image.frombytes(mode, oriented.size, oriented.convert(mode).tobytes())
    out = io.BytesIO()
    if plan.format == "JPEG":
        clean.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    elif plan.format == "WEBP":
        clean.save(out, "WEBP", quality=80, method=4)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


STATIC_IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp")


def strip(site_dir: Path, source: str) -> bytes:
    """A static/ image re-encoded at its own size and format, without metadata.

    Files in static/ keep their names (favicons, downloads), but a photo dropped there
    must not leak its GPS position any more than a story photo may.
    """
    path = site_dir / source
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            img.load()
            width, height = ImageOps.exif_transpose(img).size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ImageProblem(f"not a readable image ({exc.__class__.__name__})") from None
    if fmt not in _FORMATS:
        raise ImageProblem(f"unsupported image format {fmt or 'unknown'}")
    return encode(site_dir, ImagePlan(source, source, width, height, _FORMATS[fmt][0]))
