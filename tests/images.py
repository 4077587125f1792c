"""Real images made at test time with pyvips, in the awkward forms cover art comes in."""

from __future__ import annotations

import functools
from typing import Any

import pyvips

RED, BLUE = (220, 20, 20), (20, 20, 220)


def halves(
    width: int, height: int, left: tuple[int, int, int] = RED, right: tuple[int, int, int] = BLUE
) -> Any:
    """An sRGB image, its left half `left` and its right half `right`: orientation shows."""
    x = pyvips.Image.xyz(width, height)[0]
    image = (x < width // 2).ifthenelse(list(left), list(right))
    return image.cast("uchar").copy(interpretation="srgb")


def jpeg(width: int = 400, height: int = 300, **options: Any) -> bytes:
    data: bytes = halves(width, height).jpegsave_buffer(**{"Q": 90, **options})
    return data


def exif_rotated(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """Stored `width`×`height`, displayed turned by the EXIF orientation tag (6: 90° clockwise,
    so the stored left half shows on top)."""
    image = halves(width, height).copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    data: bytes = image.jpegsave_buffer(Q=90)
    return data


def cmyk_jpeg(width: int = 400, height: int = 300) -> bytes:
    data: bytes = halves(width, height).colourspace("cmyk").jpegsave_buffer(Q=90)
    return data


def grey_jpeg(width: int = 400, height: int = 300) -> bytes:
    data: bytes = halves(width, height).colourspace("b-w").jpegsave_buffer(Q=90)
    return data


def progressive_jpeg(width: int = 400, height: int = 300) -> bytes:
    return jpeg(width, height, interlace=True)


def alpha_png(width: int = 400, height: int = 300) -> bytes:
    """Left half opaque red, right half fully transparent."""
    image = halves(width, height)
    alpha = (pyvips.Image.xyz(width, height)[0] < width // 2).ifthenelse(255, 0).cast("uchar")
    data: bytes = image.bandjoin(alpha).pngsave_buffer()
    return data


def png(width: int = 400, height: int = 300) -> bytes:
    data: bytes = halves(width, height).pngsave_buffer()
    return data


def webp(width: int = 400, height: int = 300) -> bytes:
    data: bytes = halves(width, height).webpsave_buffer(Q=90)
    return data


@functools.cache
def big_jpeg(side: int = 6000) -> bytes:
    """6000×6000: resizing it must use shrink-on-load (made once per run)."""
    return jpeg(side, side, Q=70)


def decode(data: bytes) -> Any:
    """The image in `data` (raises pyvips.Error if it is not one)."""
    return pyvips.Image.new_from_buffer(data, "")


def loader(data: bytes) -> str:
    """jpeg, png, webp or heif: the format `data` really is."""
    name: str = decode(data).get("vips-loader")
    return name.removesuffix("load_buffer")


def pixel(data: bytes, x: int, y: int) -> list[float]:
    values: list[float] = decode(data).getpoint(x, y)
    return values


def near(colour: list[float], expected: tuple[int, ...], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, expected, strict=False))
