"""The Discord activity for a Tonearm play state. Pure: no Discord, no network, no clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pypresence.types import ActivityType, StatusDisplayType

# The application's art asset (uploaded as "tonearm" in Discord's developer portal), shown
# when a track's cover has no public address.
LOGO_ASSET = "tonearm"
COVER_ART_ARCHIVE = "https://coverartarchive.org"
# Discord refuses texts shorter than 2 or longer than 128 characters.
MIN_TEXT, MAX_TEXT = 2, 128
_BLANK = "\u2800"  # a blank that Discord counts as a character


def text(value: object, fallback: str) -> str:
    """A string Discord accepts: trimmed to 128, padded to 2, the fallback if empty."""
    s = " ".join(str(value or "").split()) or fallback
    if len(s) > MAX_TEXT:
        s = s[: MAX_TEXT - 1] + "…"
    return s.ljust(MIN_TEXT, _BLANK)


def cover_image(track: dict[str, Any], coverart_url: str = COVER_ART_ARCHIVE) -> str:
    """A cover Discord can fetch itself: the Cover Art Archive's, by the release's
    MusicBrainz id. The server's own cover URLs need a token and are often on a home
    network, so they are never sent to Discord; without an id the app's logo shows."""
    release = track.get("mb_album_id")
    if isinstance(release, str) and release.strip():
        return f"{coverart_url.rstrip('/')}/release/{release.strip()}/front-250"
    return LOGO_ASSET


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def elapsed(state: dict[str, Any], now: float) -> float:
    """Seconds into the current track: the stored position, plus the time since it was
    stored while playing (the server saves the position on pause, seek and track change)."""
    position = max(0.0, float(state.get("position_ms") or 0) / 1000)
    since = _timestamp(state.get("updated_at"))
    if state.get("playing") and since is not None:
        position += max(0.0, now - since)
    track = (state.get("current") or {}).get("track") or {}
    duration = float(track.get("duration") or 0)
    return min(position, duration) if duration > 0 else position


def activity(
    state: dict[str, Any] | None, now: float, coverart_url: str = COVER_ART_ARCHIVE
) -> dict[str, Any] | None:
    """Keyword arguments for pypresence's `update()`, or None: nothing to show (clear it)."""
    current = (state or {}).get("current") or {}
    track = current.get("track")
    if not state or not isinstance(track, dict):
        return None
    playing = bool(state.get("playing"))
    artist = text(track.get("artist"), "Unknown artist")
    out: dict[str, Any] = {
        "activity_type": ActivityType.LISTENING,
        # The member list then says "Listening to <title>" rather than the app's name.
        "status_display_type": StatusDisplayType.DETAILS,
        "details": text(track.get("title"), "Unknown title"),
        "state": artist if playing else text(f"Paused · {artist}", "Paused"),
        "large_image": cover_image(track, coverart_url),
        "large_text": text(track.get("album"), "Unknown album"),
    }
    duration = float(track.get("duration") or 0)
    position = elapsed(state, now)
    # Past the end the state is stale (the next track's is on its way): no moving timestamps.
    if playing and not (duration > 0 and position >= duration):
        # Discord draws elapsed/remaining from these two and keeps counting by itself.
        start = int(now - position)
        out["start"] = start
        if duration > 0:
            out["end"] = round(start + duration)
    return out
