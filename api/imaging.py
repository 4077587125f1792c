"""Cover pixels with libvips: resize by width and/or height, and encode.

Pure functions, bytes in → bytes out. They block (libvips releases the GIL while it works),
so the server runs them in its resize pool, never on the event loop.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import pyvips

log = logging.getLogger(__name__)

# Bump when the same request would produce different bytes (quality, placeholder design):
# it is part of every cache key and ETag, so old variants are never served as new ones.
VERSION = 1

MIME = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif", "png": "image/png"}
FITS = ("cover", "contain")
MAX_SOURCE_PIXELS = 100_000_000  # a decompression bomb, not a cover
_NO_LIMIT = 10_000_000  # VIPS_MAX_COORD: "this side may be anything"
_LOADERS = frozenset(
    {"jpegload_buffer", "pngload_buffer", "webpload_buffer", "gifload_buffer", "heifload_buffer"}
)
_WHITE = [255, 255, 255]


class UnusableImage(Exception):
    """The source bytes cannot become a cover; `reason` is corrupt, unsupported or too_large."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Variant:
    """One requested rendition. Build with `Variant.of`, which normalises equivalent requests
    (fit only matters when both sides are given) so that they share one cache entry."""

    width: int | None
    height: int | None
    fit: str = "cover"
    format: str = "jpeg"
    upscale: bool = False

    @classmethod
    def of(
        cls, width: int | None, height: int | None, fit: str, fmt: str, upscale: bool
    ) -> Variant:
        both = width is not None and height is not None
        return cls(width, height, fit if both else "cover", fmt, upscale)

    @property
    def slug(self) -> str:
        """Names the variant in cache keys and ETags: 300x0-cover, 300x300-contain-up, …"""
        up = "-up" if self.upscale else ""
        return f"{self.width or 0}x{self.height or 0}-{self.fit}{up}"


@dataclass(frozen=True, slots=True)
class Plan:
    """What to ask `thumbnail` for: a bounding box (None = unbounded side), whether to crop
    to it, and the exact canvas to pad onto for fit=contain."""

    width: int | None
    height: int | None
    crop: bool = False
    pad: tuple[int, int] | None = None


def configure() -> None:
    """Process-wide libvips settings for a server: no operation cache (it would pin source
    buffers in memory), no loaders libvips marks untrusted, and one libvips thread per
    pipeline (the resize pool already runs one pipeline per core)."""
    pyvips.cache_set_max(0)
    pyvips.block_untrusted_set(True)
    pyvips.concurrency_set(1)


@functools.cache
def available_formats() -> tuple[str, ...]:
    """Output formats this libvips can write. AVIF needs libheif with an AV1 encoder, so it
    is tried once rather than trusted from the suffix list."""
    formats = ["jpeg", "webp", "png"]
    try:
        (pyvips.Image.black(8, 8, bands=3) + 128).heifsave_buffer(compression="av1", effort=0)
        formats.insert(2, "avif")
    except pyvips.Error:
        log.info("libvips cannot write AVIF here; covers are offered as JPEG, WebP and PNG")
    return tuple(formats)


def probe(data: bytes) -> tuple[int, int, str]:
    """The displayed size (after EXIF orientation) and the loader of an image we are willing
    to decode. Reads the header only."""
    try:
        head = pyvips.Image.new_from_buffer(data, "")
        loader = head.get("vips-loader")
    except pyvips.Error as exc:
        raise UnusableImage("corrupt") from exc
    if loader not in _LOADERS:
        raise UnusableImage("unsupported")
    width, height = head.width, head.height
    if head.get_typeof("orientation") and head.get("orientation") in (5, 6, 7, 8):
        width, height = height, width
    if width * height > MAX_SOURCE_PIXELS:
        raise UnusableImage("too_large")
    return width, height, loader


def plan(src_w: int, src_h: int, v: Variant, limit: int) -> Plan:
    """Turn a request into a thumbnail box. Without `upscale`, a source smaller than the
    request is never enlarged: one side given → the source's own size; both → the largest box
    of the requested shape the source fills at scale 1. The auto side never exceeds `limit`."""
    if v.width is not None and v.height is not None:
        w, h = v.width, v.height
        ratios = (w / src_w, h / src_h)
        scale = max(ratios) if v.fit == "cover" else min(ratios)
        if scale > 1 and not v.upscale:
            w, h = max(1, round(w / scale)), max(1, round(h / scale))
        if v.fit == "cover":
            return Plan(w, h, crop=True)
        return Plan(w, h, pad=(w, h))
    if v.width is not None:
        this, other = _one_side(v.width, src_w, src_h, limit, v.upscale)
        return Plan(this, other)
    assert v.height is not None
    this, other = _one_side(v.height, src_h, src_w, limit, v.upscale)
    return Plan(other, this)


def _one_side(
    wanted: int, src: int, src_other: int, limit: int, upscale: bool
) -> tuple[int | None, int | None]:
    """Bounds (this side, the other side) when only this side is asked for: the smallest of
    the wanted scale, the scale that keeps the other side within `limit`, and 1 (unless
    enlarging is allowed) wins."""
    scales = {"wanted": wanted / src, "cap": limit / src_other}
    if not upscale:
        scales["source"] = 1.0
    winner = min(scales, key=scales.__getitem__)  # ties go to the first: the wanted size
    if winner == "wanted":
        return wanted, None
    if winner == "cap":
        return None, limit
    return src, None


def resize(data: bytes, v: Variant, limit: int) -> bytes:
    """The source image `data` as variant `v`, encoded. Raises UnusableImage."""
    src_w, src_h, loader = probe(data)
    p = plan(src_w, src_h, v, limit)
    box = {
        "height": p.height or _NO_LIMIT,
        "crop": "centre" if p.crop else "none",
        "size": "both",  # the plan has already decided whether to enlarge
    }
    try:
        shrink = _jpeg_shrink(p, src_w, src_h) if loader == "jpegload_buffer" else 1
        if shrink > 1:
            # thumbnail_buffer would let libjpeg shrink only to twice the target and resample
            # the rest; shrinking as far as the target allows in the DCT is ~25% faster and
            # still a proper average (it is what Pillow's draft mode does).
            loaded = pyvips.Image.jpegload_buffer(data, shrink=shrink, access="sequential")
            image = loaded.thumbnail_image(p.width or _NO_LIMIT, **box)
        else:
            image = pyvips.Image.thumbnail_buffer(data, p.width or _NO_LIMIT, **box)
        image = _prepare(image, keep_alpha=v.format != "jpeg")
        if p.pad is not None:
            image = _pad(image, *p.pad, keep_alpha=v.format != "jpeg")
        return encode(image, v.format)
    except pyvips.Error as exc:  # the header was fine but the pixels are not (truncated …)
        raise UnusableImage("corrupt") from exc


def _jpeg_shrink(p: Plan, src_w: int, src_h: int) -> int:
    """The largest JPEG shrink-on-load factor (8, 4, 2) that still leaves at least the
    planned size, so the resampler only ever reduces."""
    ratios = [r for r in (p.width and p.width / src_w, p.height and p.height / src_h) if r]
    scale = max(ratios) if p.crop else min(ratios)
    return next((s for s in (8, 4, 2) if s * scale <= 1), 1)


def _prepare(image: pyvips.Image, *, keep_alpha: bool) -> pyvips.Image:
    """8-bit sRGB (CMYK, greyscale and 16-bit sources alike); alpha kept or flattened on white."""
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if image.hasalpha() and not keep_alpha:
        image = image.flatten(background=_WHITE)
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


def _pad(image: pyvips.Image, width: int, height: int, *, keep_alpha: bool) -> pyvips.Image:
    """Centre on an exact canvas: transparent where the format has alpha, else white."""
    if keep_alpha and not image.hasalpha():
        image = image.bandjoin(255)
    background = [0, 0, 0, 0] if keep_alpha else _WHITE
    return image.gravity("centre", width, height, extend="background", background=background)


def encode(image: pyvips.Image, fmt: str) -> bytes:
    """Speed matters more than the last few percent of size: each variant is encoded once,
    on the request that first asks for it."""
    out: bytes
    if fmt == "jpeg":
        out = image.jpegsave_buffer(Q=82, optimize_coding=True, strip=True)
    elif fmt == "webp":
        out = image.webpsave_buffer(Q=80, effort=2, strip=True)
    elif fmt == "avif":
        # effort 0: ~4 ms for a 300-pixel cover, and no larger than effort 2 at 5× the time
        out = image.heifsave_buffer(Q=55, compression="av1", effort=0, strip=True)
    elif fmt == "png":
        out = image.pngsave_buffer(compression=6, strip=True)
    else:
        raise ValueError(fmt)
    return out
