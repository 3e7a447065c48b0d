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

from generator.cache import Cache, key

MAX_WIDTH = 1600
WIDTHS = (480, 960, 1600)  # phone, tablet / card, desktop
ENCODER_VERSION = "2"  # bump when encoding changes, so hashed names change too
Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs well before memory runs out


class ImageProblem(Exception):
    """An image that cannot be used, with a message for the editor."""


@dataclass(frozen=True)
class Variant:
    url: str
    width: int
    height: int
    format: str  # JPEG | PNG | WEBP


@dataclass(frozen=True)
class ImagePlan:
    source: str  # site-relative path of the original
    url: str  # site URL of the largest fallback copy, e.g. media/photo-3f9a1c2b7d-1600.jpg
    width: int
    height: int
    format: str  # JPEG | PNG: the fallback every browser shows
    variants: tuple[Variant, ...] = ()  # every width, as WebP and as the fallback format

    def srcset(self, fmt: str) -> str:
        """'a-480.webp 480w, a-960.webp 960w' for one format (URLs relative to the site)."""
        return ", ".join(f"{v.url} {v.width}w" for v in self.variants if v.format == fmt)

    def sources(self, fmt: str) -> list[Variant]:
        return [v for v in self.variants if v.format == fmt]


_FORMATS = {
    "JPEG": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "GIF": ("PNG", ".png"),
    "WEBP": ("WEBP", ".webp"),
    "MPO": ("JPEG", ".jpg"),
}


class ImagePlanner:
    """Plans each source image once per build; safe to share between threads."""

    def __init__(self, site_dir: Path, cache: Cache | None = None):
        self.site_dir = site_dir
        self.cache = cache or Cache(None)
        self._plans: dict[str, ImagePlan] = {}
        self._digests: dict[str, str | None] = {}
        self._lock = Lock()

    def digest(self, source: str) -> str | None:
        """SHA-256 of the file's bytes (None if unreadable), read once per build."""
        with self._lock:
            if source in self._digests:
                return self._digests[source]
        try:
            value: str | None = hashlib.sha256((self.site_dir / source).read_bytes()).hexdigest()
        except (OSError, ValueError):  # ValueError: a NUL in the name
            value = None
        with self._lock:
            self._digests[source] = value
        return value

    def plan(self, source: str) -> ImagePlan:
        """Hash and measure ``source``; raise ImageProblem if it is not a usable image."""
        with self._lock:
            if source in self._plans:
                return self._plans[source]
        digest = self.digest(source)
        if digest is None:
            raise ImageProblem("image file not found")
        k = key("image-size", digest)
        known = self.cache.get("images", k)
        if isinstance(known, list) and len(known) == 3:
            fmt, width, height = known
        else:
            fmt, width, height = _measure(self.site_dir / source)
            self.cache.put("images", k, [fmt, width, height])
        out_format, ext = _FORMATS[fmt]
        if width > MAX_WIDTH:
            width, height = MAX_WIDTH, max(1, round(height * MAX_WIDTH / width))
        stem = f"media/{_name(source)}-{key(digest, ENCODER_VERSION)[:10]}"
        widths = sorted({w for w in WIDTHS if w < width} | {width})
        variants = tuple(
            Variant(f"{stem}-{w}{e}", w, max(1, round(height * w / width)), f)
            for f, e in (("WEBP", ".webp"), (out_format, ext))
            for w in widths
        )
        plan = ImagePlan(source, f"{stem}-{width}{ext}", width, height, out_format, variants)
        self.add(plan)
        return plan

    def add(self, plan: ImagePlan) -> None:
        """Record a plan made elsewhere (in a worker process, or read from the cache)."""
        with self._lock:
            self._plans[plan.source] = plan

    def all(self) -> list[ImagePlan]:
        with self._lock:
            return sorted(self._plans.values(), key=lambda p: p.url)


def _measure(path: Path) -> tuple[str, int, int]:
    """Format and displayed size, from the header alone (no pixel decoding)."""
    try:
        with Image.open(path) as img:
            fmt = img.format or ""
            width, height = img.size
            orientation = img.getexif().get(0x0112, 1)
    except FileNotFoundError:
        raise ImageProblem("image file not found") from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ImageProblem(f"not a readable image ({exc.__class__.__name__})") from None
    if fmt not in _FORMATS:
        raise ImageProblem(f"unsupported image format {fmt or 'unknown'}")
    if width * height > (Image.MAX_IMAGE_PIXELS or 0):
        # Pillow only refuses at twice the limit: a tiny file can still unpack to gigabytes
        raise ImageProblem(f"image is too large ({width} x {height} pixels)")
    if orientation in (5, 6, 7, 8):  # rotated a quarter turn on display
        width, height = height, width
    return fmt, width, height


def _name(source: str) -> str:
    """A readable file name: the image's own, or its story folder's for generic names."""
    p = Path(source)
    stem = p.stem.lower()
    if stem in {"photo", "image", "img", "picture", "cover"}:
        stem = f"{p.parent.name}-{stem}"
    return "".join(c if c.isalnum() or c == "-" else "-" for c in stem).strip("-") or "image"


def _pixels(site_dir: Path, source: str) -> Image.Image:
    """The image as displayed (orientation applied), as pixels only."""
    with Image.open(site_dir / source) as img:
        img.load()
        return ImageOps.exif_transpose(img)


def _save(oriented: Image.Image, width: int, height: int, fmt: str) -> bytes:
    """Re-encode from raw pixels: no EXIF, GPS, XMP, IPTC, ICC notes or thumbnails."""
    if oriented.size != (width, height):
        oriented = oriented.resize((width, height), Image.Resampling.LANCZOS)
    mode = "RGB" if fmt == "JPEG" else ("RGBA" if "A" in oriented.getbands() else "RGB")
    # Rebuilding from raw pixels drops every chunk Pillow might otherwise carry over
    clean = Image.frombytes(mode, oriented.size, oriented.convert(mode).tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    elif fmt == "WEBP":
        clean.save(out, "WEBP", quality=80, method=4)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def encode(site_dir: Path, plan: ImagePlan) -> bytes:
    """The fallback copy at full width (oriented, resized, with no metadata of any kind)."""
    return _save(_pixels(site_dir, plan.source), plan.width, plan.height, plan.format)


def encode_variants(site_dir: Path, plan: ImagePlan, wanted: list[Variant]) -> dict[str, bytes]:
    """Several widths and formats from one decode of the source: url → bytes."""
    pixels = _pixels(site_dir, plan.source)
    return {v.url: _save(pixels, v.width, v.height, v.format) for v in wanted}


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
