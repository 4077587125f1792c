"""The pure cover functions: sizing plans, every awkward source, formats, the placeholder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api import imaging
from api.imaging import Plan, UnusableImage, Variant, plan, resize
from api.placeholder import draw as placeholder
from tests import images

LIMIT = 2048


def v(
    width: int | None = None,
    height: int | None = None,
    fit: str = "cover",
    fmt: str = "jpeg",
    upscale: bool = False,
) -> Variant:
    return Variant.of(width, height, fit, fmt, upscale)


@pytest.mark.parametrize(
    ("source", "variant", "expected"),
    [
        ((400, 300), v(200), Plan(200, None)),
        ((400, 300), v(None, 150), Plan(None, 150)),
        ((400, 300), v(800), Plan(400, None)),  # never enlarged unless asked
        ((400, 300), v(None, 600), Plan(None, 300)),
        ((400, 300), v(800, upscale=True), Plan(800, None)),
        ((100, 1000), v(2048, upscale=True), Plan(None, LIMIT)),  # the auto side is capped
        ((1000, 8000), v(1000), Plan(None, LIMIT)),
        ((400, 300), v(100, 100), Plan(100, 100, crop=True)),
        ((400, 300), v(100, 100, "contain"), Plan(100, 100, pad=(100, 100))),
        # too small for the box: the largest box of that shape at scale 1
        ((100, 80), v(300, 300), Plan(80, 80, crop=True)),
        ((100, 80), v(300, 300, "contain"), Plan(100, 100, pad=(100, 100))),
        ((100, 80), v(300, 150), Plan(100, 50, crop=True)),
        ((100, 80), v(300, 300, upscale=True), Plan(300, 300, crop=True)),
    ],
)  # fmt: skip
def test_plan(source: tuple[int, int], variant: Variant, expected: Plan) -> None:
    assert plan(*source, variant, LIMIT) == expected


def test_fit_only_counts_with_both_sides() -> None:
    assert v(300, fit="contain") == v(300)
    assert v(300, 300, "contain").slug == "300x300-contain"
    assert v(None, 300, upscale=True).slug == "0x300-cover-up"


@pytest.mark.parametrize(
    ("variant", "size"),
    [
        (v(200), (200, 150)),
        (v(None, 60), (80, 60)),
        (v(120, 120), (120, 120)),
        (v(120, 60, "contain"), (120, 60)),
        (v(1000), (400, 300)),
        (v(1000, upscale=True), (1000, 750)),
    ],
)
def test_resize_sizes(variant: Variant, size: tuple[int, int]) -> None:
    out = images.decode(resize(images.jpeg(400, 300), variant, LIMIT))
    assert (out.width, out.height) == size


def test_cover_crops_the_centre_and_contain_pads() -> None:
    wide = images.jpeg(400, 100)  # red | blue
    cropped = resize(wide, v(100, 100), LIMIT)
    assert images.near(images.pixel(cropped, 5, 50), images.RED)
    assert images.near(images.pixel(cropped, 95, 50), images.BLUE)
    padded = resize(wide, v(100, 100, "contain"), LIMIT)
    assert images.near(images.pixel(padded, 50, 5), (255, 255, 255))  # JPEG: white bars
    assert images.near(images.pixel(padded, 5, 50), images.RED)
    clear = resize(wide, v(100, 100, "contain", "webp"), LIMIT)
    assert images.pixel(clear, 50, 5)[3] == 0  # WebP: transparent bars


def test_exif_orientation_is_applied() -> None:
    out = resize(images.exif_rotated(400, 200), v(100), LIMIT)
    decoded = images.decode(out)
    assert (decoded.width, decoded.height) == (100, 200)
    assert images.near(images.pixel(out, 50, 10), images.RED)  # stored left half, now on top
    assert images.near(images.pixel(out, 50, 190), images.BLUE)
    assert decoded.get_typeof("orientation") == 0 or decoded.get("orientation") == 1


@pytest.mark.parametrize(
    "make",
    [images.cmyk_jpeg, images.grey_jpeg, images.progressive_jpeg, images.png, images.webp],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("fmt", imaging.available_formats())
def test_awkward_sources_become_8bit_srgb(make: Callable[[], bytes], fmt: str) -> None:
    out = resize(make(), v(100, None, fmt=fmt), LIMIT)
    decoded = images.decode(out)
    assert images.loader(out) == {"avif": "heif"}.get(fmt, fmt)
    assert (decoded.width, decoded.height) == (100, 75)
    assert decoded.interpretation == "srgb" and decoded.format == "uchar"
    if make is not images.grey_jpeg:
        assert images.near(images.pixel(out, 10, 37), images.RED, slack=60)


def test_alpha_is_flattened_for_jpeg_and_kept_for_webp() -> None:
    source = images.alpha_png(400, 300)
    flat = resize(source, v(100), LIMIT)
    assert images.decode(flat).bands == 3
    assert images.near(images.pixel(flat, 90, 37), (255, 255, 255))  # transparent → white
    kept = resize(source, v(100, fmt="webp"), LIMIT)
    assert images.decode(kept).bands == 4
    assert images.pixel(kept, 90, 37)[3] == 0
    assert images.pixel(kept, 10, 37)[3] == 255


def test_a_very_large_source_is_shrunk_on_load() -> None:
    out = images.decode(resize(images.big_jpeg(), v(300, 300), LIMIT))
    assert (out.width, out.height) == (300, 300)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not an image at all" * 20, "corrupt"),
        (b"", "corrupt"),
        (images.png(400, 300)[:33] + b"junk" * 500, "corrupt"),  # header fine, pixels not
        (images.jpeg(400, 300)[:300], "corrupt"),
        (images.halves(40, 30).tiffsave_buffer(), "unsupported"),
    ],
    ids=["junk", "empty", "png-junk-data", "jpeg-cut-in-header", "tiff"],
)
def test_unusable_sources(data: bytes, reason: str) -> None:
    with pytest.raises(UnusableImage) as caught:
        resize(data, v(100), LIMIT)
    assert caught.value.reason == reason


def test_a_truncated_image_shows_what_is_there() -> None:
    """Like a browser: decoding is lenient, the missing rows come out empty."""
    out = images.decode(resize(images.png(400, 300)[:200], v(100), LIMIT))
    assert (out.width, out.height) == (100, 75)


def test_too_many_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imaging, "MAX_SOURCE_PIXELS", 400 * 300 - 1)
    with pytest.raises(UnusableImage, match="too_large"):
        resize(images.jpeg(400, 300), v(100), LIMIT)


@pytest.mark.parametrize(
    ("variant", "size"),
    [(v(300), (300, 300)), (v(None, 64), (64, 64)), (v(300, 200), (300, 200)), (v(), (512, 512))],
)
def test_placeholder_sizes(variant: Variant, size: tuple[int, int]) -> None:
    out = images.decode(placeholder(variant))
    assert (out.width, out.height) == size


def test_placeholder_is_consistent_in_every_format() -> None:
    for fmt in imaging.available_formats():
        first = placeholder(v(120, fmt=fmt))
        assert first == placeholder(v(120, fmt=fmt))  # the same bytes: a strong ETag holds
        assert images.loader(first) == {"avif": "heif"}.get(fmt, fmt)
    centre, corner = images.pixel(placeholder(v(200, fmt="png")), 100, 80), [74, 76, 84]
    assert images.pixel(placeholder(v(200, fmt="png")), 0, 0) == corner
    assert images.near(centre, (176, 180, 190), slack=2)  # the label


def test_avif_availability_is_reported() -> None:
    formats = imaging.available_formats()
    assert formats[:2] == ("jpeg", "webp") and "png" in formats
