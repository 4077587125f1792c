"""The art for albums without any: a record on a sleeve, drawn by libvips at any size.

Pure, bytes out; it blocks, so the server draws it in its resize pool.
"""

from __future__ import annotations

import math

import pyvips

from api.imaging import Variant, encode

DEFAULT_SIZE = 512  # the side of a placeholder asked for without width or height


def size(v: Variant) -> tuple[int, int]:
    """A placeholder is square unless both sides are given."""
    side = v.width or v.height or DEFAULT_SIZE
    return (v.width or side, v.height or side)


# The placeholder, from the outside in: (radius as a fraction of the shorter half-side, RGB).
_SLEEVE = (74, 76, 84)
_VINYL, _GROOVE, _LABEL = (30, 31, 36), (52, 54, 62), (176, 180, 190)
_RECORD = (
    (0.86, _VINYL),
    *((r + d, c) for r in (0.72, 0.58, 0.44) for d, c in ((0.0, _GROOVE), (-0.012, _VINYL))),
    (0.30, _LABEL),
    (0.035, _SLEEVE),
)
_LUT_STEPS = 4  # lookup entries per pixel of radius


def draw(v: Variant) -> bytes:
    """The generated art for albums without any: a dark record on a grey sleeve, the same
    for every album, drawn at the requested size (so it stays sharp and exact). Every pixel's
    colour depends only on its distance from the centre, so it is one lookup table away."""
    width, height = size(v)
    unit = min(width, height) / 2
    entries = int(math.hypot(width, height) / 2 * _LUT_STEPS) + 2
    table = bytearray()
    for i in range(entries):
        radius = i / _LUT_STEPS
        colour: tuple[float, ...] = _SLEEVE
        for edge, ring in _RECORD:  # antialiased: coverage ramps over one pixel
            cover = edge * unit - radius + 0.5
            if cover >= 1:
                colour = ring
            elif cover > 0:
                colour = tuple(a + (b - a) * cover for a, b in zip(colour, ring, strict=True))
        table += bytes(round(c) for c in colour)
    lut = pyvips.Image.new_from_memory(bytes(table), entries, 1, 3, "uchar")
    xyz = pyvips.Image.xyz(width, height)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    dist = ((xyz[0] - cx) ** 2 + (xyz[1] - cy) ** 2) ** 0.5
    image = (dist * _LUT_STEPS).cast("ushort").maplut(lut).copy(interpretation="srgb")
    return encode(image, v.format)
