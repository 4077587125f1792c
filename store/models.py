"""Plain data the stores hand out: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ArtistRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Artist:
    id: int
    name: str
    album_count: int
    track_count: int
    # The viewer's favourite; None where a query had no viewer (left out of the JSON).
    favourite: bool | None = None


@dataclass(frozen=True, slots=True)
class Track:
    id: int
    library_id: int
    path: str  # relative to its library root, for display only
    title: str
    artist: str
    artists: tuple[ArtistRef, ...]
    album_id: int
    album: str
    album_artist: str
    track_no: int | None
    track_total: int | None
    disc_no: int | None
    disc_total: int | None
    year: int | None
    date: str | None
    genres: tuple[str, ...]
    compilation: bool
    duration: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    format: str
    mime: str
    size: int
    cover_id: str | None
    mb_recording_id: str | None
    mb_track_id: str | None
    mb_album_id: str | None
    rg_track_gain: float | None
    rg_track_peak: float | None
    rg_album_gain: float | None
    rg_album_peak: float | None
    available: bool
    added_at: datetime
    # From the audio analysis of this version of the file; None until it is analysed.
    bpm: float | None = None
    key: str | None = None
    loudness_lufs: float | None = None
    replay_gain_db: float | None = None
    # The viewer's favourite; None where a query had no viewer (left out of the JSON).
    favourite: bool | None = None


@dataclass(frozen=True, slots=True)
class Album:
    id: int
    title: str
    album_artist: str
    album_artist_id: int | None
    year: int | None
    compilation: bool
    cover_id: str | None
    mb_album_id: str | None
    track_count: int
    duration: float
    genres: tuple[str, ...]
    added_at: datetime
    tracks: tuple[Track, ...] = ()
    # The viewer's favourite; None where a query had no viewer (left out of the JSON).
    favourite: bool | None = None


@dataclass(frozen=True, slots=True)
class Library:
    id: int
    path: str
    status: str
    status_reason: str | None
    track_count: int
    last_scan_at: datetime | None


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    is_admin: bool
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Playlist:
    id: int
    owner_id: int
    name: str
    track_count: int
    duration: float
    cover_id: str | None
    created_at: datetime
    updated_at: datetime
    tracks: tuple[Track, ...] = ()


@dataclass(frozen=True, slots=True)
class Scan:
    id: int
    state: str
    requested_by: str | None
    full_rescan: bool
    started_at: datetime | None
    finished_at: datetime | None
    progress: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[Any, ...]
    total: int


@dataclass(frozen=True, slots=True)
class TrackMeta:
    """What the recommender weighs besides the sound (recommend/rank.py). Genres and tags
    are lower-cased; `tags` are the album's enrichment tags and genres."""

    id: int
    artist: str
    artist_ids: tuple[int, ...]
    album_id: int
    album_artist_id: int | None
    genres: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    year: int | None = None
    available: bool = True
