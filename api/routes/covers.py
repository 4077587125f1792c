"""Cover art by content hash: the id is the sha1 of the image, so URLs never go stale.

`?width=&height=&fit=&format=&upscale=` ask for a resized variant; without width or height
the stored original is served. `/covers/placeholder` is the art for albums that have none.
"""

from __future__ import annotations

import re

from aiohttp import web

from api.auth import media
from api.context import services
from api.cover_art import IMMUTABLE, Rendition, variant_etag
from api.imaging import FITS, MIME, Variant
from tonearm.errors import Invalid

routes = web.RouteTableDef()

_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_DIGITS = re.compile(r"^[0-9]{1,9}$")
_FORMAT_ALIASES = {"jpg": "jpeg"}
_NEGOTIATED = ("avif", "webp")  # offered, best first, when Accept names them; else JPEG
_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _size(request: web.Request, name: str, maximum: int) -> int | None:
    raw = request.query.get(name, "")
    if raw == "":
        return None
    if not _DIGITS.match(raw) or int(raw) == 0:
        raise Invalid(f"{name} must be a positive integer, not {raw!r}", code="invalid_parameter")
    if int(raw) > maximum:
        raise Invalid(f"{name} must be at most {maximum}", code="invalid_parameter")
    return int(raw)


def _accepted(accept: str) -> set[str]:
    """Media types the Accept header names with a non-zero quality."""
    out = set()
    for part in accept.lower().split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            out.add(media)
    return out


def _variant(request: web.Request) -> Variant | None:
    """The requested variant, or None for the original. Raises Invalid (400)."""
    art = services(request).cover_art
    query = request.query
    width = _size(request, "width", art.max_size)
    height = _size(request, "height", art.max_size)
    fit = query.get("fit") or "cover"
    if fit not in FITS:
        raise Invalid(f"fit must be one of {', '.join(FITS)}", code="invalid_parameter")
    upscale = _FLAGS.get((query.get("upscale") or "0").lower())
    if upscale is None:
        raise Invalid("upscale must be 1 or 0", code="invalid_parameter")
    fmt = query.get("format", "").lower()
    fmt = _FORMAT_ALIASES.get(fmt, fmt)
    if fmt and fmt not in art.formats:
        raise Invalid(f"format must be one of {', '.join(art.formats)}", code="invalid_parameter")
    if width is None and height is None:
        if fmt:
            raise Invalid(
                "format needs width or height (without them the original is served as stored)",
                code="invalid_parameter",
            )
        return None
    if not fmt:
        accepted = _accepted(request.headers.get("Accept", ""))
        offered = [f for f in _NEGOTIATED if f in art.formats and MIME[f] in accepted]
        fmt = offered[0] if offered else "jpeg"
    return Variant.of(width, height, fit, fmt, upscale)


def _matches(request: web.Request, etag: str) -> bool:
    """If-None-Match names this entity (weak comparison, as RFC 9110 asks for it)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _headers(etag: str, cache_control: str, placeholder: str | None = None) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept"}
    if placeholder is not None:
        headers["X-Cover-Placeholder"] = placeholder
    return headers


def _respond(request: web.Request, r: Rendition) -> web.Response:
    headers = _headers(r.etag, r.cache_control, r.placeholder)
    if _matches(request, r.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(body=r.body, headers={**headers, "Content-Type": r.mime})


@routes.get("/api/v1/covers/placeholder")
@media
async def placeholder(request: web.Request) -> web.Response:
    variant = _variant(request) or Variant.of(None, None, "cover", "jpeg", False)
    return _respond(request, await services(request).cover_art.placeholder(variant))


@routes.get("/api/v1/covers/{id}")
@media
async def cover(request: web.Request) -> web.Response:
    sha1 = request.match_info["id"].lower()
    if not _SHA1.match(sha1):
        raise Invalid("a cover id is a 40-character hex digest", code="invalid_id")
    variant = _variant(request)
    art = services(request).cover_art
    if variant is None:
        etag = f'"{sha1}"'
        if _matches(request, etag):
            return web.Response(status=304, headers={"ETag": etag, "Cache-Control": IMMUTABLE})
        data, mime = await art.original(sha1)
        headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "Content-Type": mime}
        return web.Response(body=data, headers=headers)
    etag = variant_etag(sha1, variant)
    if _matches(request, etag):  # answered without touching the database or the disk
        return web.Response(status=304, headers=_headers(etag, IMMUTABLE))
    return _respond(request, await art.variant(sha1, variant))
