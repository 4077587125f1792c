"""The activity the companion sends for a play state: pure, with a fixed clock."""

from __future__ import annotations

from typing import Any

import pytest
from pypresence.types import ActivityType, StatusDisplayType
from tonearm_presence.activity import LOGO_ASSET, activity, elapsed, text

NOW = 1_800_000_000.0


def state(
    playing: bool = True, position_ms: int = 30_000, since: float = 10.0, **track: Any
) -> dict[str, Any]:
    from datetime import UTC, datetime

    base = {
        "title": "Teardrop",
        "artist": "Massive Attack",
        "album": "Mezzanine",
        "duration": 330.0,
        "mb_album_id": None,
    }
    return {
        "current": {"track": {**base, **track}, "source": "context", "entry_id": None},
        "playing": playing,
        "position_ms": position_ms,
        "updated_at": datetime.fromtimestamp(NOW - since, UTC).isoformat(),
    }  # fmt: skip


def test_playing() -> None:
    out = activity(state(), NOW)
    assert out is not None
    assert out["activity_type"] is ActivityType.LISTENING
    assert out["status_display_type"] is StatusDisplayType.DETAILS
    assert (out["details"], out["state"], out["large_text"]) == (
        "Teardrop",
        "Massive Attack",
        "Mezzanine",
    )
    assert out["large_image"] == LOGO_ASSET
    # 30 s stored 10 s ago while playing: 40 s in, 290 s to go.
    assert out["start"] == int(NOW - 40)
    assert out["end"] - out["start"] == 330


def test_paused_has_no_clock() -> None:
    out = activity(state(playing=False), NOW)
    assert out is not None
    assert out["state"] == "Paused · Massive Attack"
    assert "start" not in out and "end" not in out
    assert elapsed(state(playing=False), NOW) == 30.0


def test_past_the_end_is_not_a_moving_clock() -> None:
    out = activity(state(position_ms=329_000, since=60), NOW)
    assert out is not None and "start" not in out


def test_cover_from_the_cover_art_archive_when_the_release_is_known() -> None:
    out = activity(
        state(mb_album_id="b6a1bd5e-1d8f-4a16-ae2d-6ee3a9ef8e55"), NOW, "http://caa.test/"
    )
    assert out is not None
    assert (
        out["large_image"]
        == "http://caa.test/release/b6a1bd5e-1d8f-4a16-ae2d-6ee3a9ef8e55/front-250"
    )


def test_nothing_playing_clears() -> None:
    assert activity(None, NOW) is None
    assert activity({"current": None, "playing": False}, NOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A", "A\u2800"),
        ("", "Unknown"),
        ("  two   words ", "two words"),
        ("x" * 200, "x" * 127 + "…"),
    ],
)
def test_texts_fit_discords_limits(value: str, expected: str) -> None:
    assert text(value, "Unknown") == expected
