"""The hybrid re-rank: how a track sounds, what it is, who played it along, then diversity.

Pure functions over plain data; no I/O. A `Profile` is what the picks should resemble (one
seed track for "similar", several weighted ones for autoplay and mixes). Each candidate's
score adds weighted components, each 0..1 except the sound (a cosine, -1..1):

    audio      cosine of the normalised feature vectors (FAISS inner product)
    artist     shares an artist with the profile (weighted by the seeds that have it)
    album      shares the album artist (compilations and featured artists reach this)
    genre      weighted Jaccard of the genres (tags and enrichment genres separately)
    era        exp(-|year difference| / 8)
    colisten   played in the same sessions as the seeds, log-scaled to the best such track

Then `diversify` picks greedily: a candidate's score decays with each pick already made
from its artist or album, and is halved when it would make a run of more than `max_run`
by one artist or from one album (counting what played just before) — so a run goes on
only when nothing else comes near.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from store.models import TrackMeta

SOUNDS_ALIKE = 0.35  # a cosine this high says "sounds alike" (unrelated tracks sit near 0)
SAME_ERA = 0.5  # era affinity this high (within ~5 years) says "same era"
MAX_RUN = 2
DECAY = 0.85  # each earlier pick of the same artist or album keeps this share of the score
RUN_PENALTY = 0.5  # what a pick keeps when it would make a run longer than max_run


@dataclass(frozen=True)
class Weights:
    """How much each component counts. Tuned by bench/recommend_eval.py on real recordings:
    the sound leads; metadata and co-listening move a near sound-alike up, not a stranger."""

    audio: float = 1.0
    artist: float = 0.3
    album_artist: float = 0.1
    genre: float = 0.15
    era: float = 0.05
    tags: float = 0.1
    colisten: float = 0.2


# Reason shown for each component, in the order of their contribution to a score.
REASONS = {
    "audio": "sounds alike",
    "artist": "same artist",
    "album_artist": "same album artist",
    "genre": "same genre",
    "era": "same era",
    "tags": "similar tags",
    "colisten": "listened together",
}


@dataclass(frozen=True, slots=True)
class Profile:
    """What recommendations should resemble: weights 0..1 per artist, genre, tag."""

    artists: Mapping[int, float]
    album_artists: Mapping[int, float]
    genres: Mapping[str, float]
    tags: Mapping[str, float]
    year: float | None

    @staticmethod
    def of(seeds: Sequence[TrackMeta], weights: Sequence[float] | None = None) -> Profile:
        """The profile of seed tracks; `weights` (default equal) say how much each counts."""
        w = [1.0] * len(seeds) if weights is None else [max(0.0, x) for x in weights]
        total = sum(w) or 1.0
        artists: dict[int, float] = {}
        album_artists: dict[int, float] = {}
        genres: dict[str, float] = {}
        tags: dict[str, float] = {}
        years: list[tuple[float, float]] = []
        for seed, weight in zip(seeds, w, strict=True):
            share = weight / total
            for a in set(seed.artist_ids):
                artists[a] = artists.get(a, 0.0) + share
            if seed.album_artist_id is not None:
                aa = seed.album_artist_id
                album_artists[aa] = album_artists.get(aa, 0.0) + share
            for g in seed.genres:
                genres[g] = genres.get(g, 0.0) + share
            for t in seed.tags:
                tags[t] = tags.get(t, 0.0) + share
            if seed.year is not None:
                years.append((seed.year, share))
        year = None
        if years:
            year = sum(y * s for y, s in years) / (sum(s for _, s in years) or 1.0)
        return Profile(artists, album_artists, genres, tags, year)


@dataclass(frozen=True, slots=True)
class Scored:
    track_id: int
    score: float
    reasons: tuple[str, ...]


def _jaccard(profile: Mapping[str, float], items: frozenset[str]) -> float:
    """Weighted Jaccard of a profile's weighted set and a plain set (1: the same set)."""
    if not profile or not items:
        return 0.0
    shared = sum(profile.get(i, 0.0) for i in items)
    union = sum(profile.values()) + sum(1 for i in items if i not in profile)
    return shared / union if union else 0.0


def _affinity(profile: Profile, meta: TrackMeta) -> tuple[float, float, float, float, float]:
    """(artist, album artist, genre, era, tags) of a candidate, each 0..1: the hot path, so
    plain loops rather than generators and dicts."""
    artist = 0.0
    for a in meta.artist_ids:
        v = profile.artists.get(a, 0.0)
        if v > artist:
            artist = v
    album_artist = 0.0
    aa = meta.album_artist_id
    if aa is not None:
        album_artist = max(profile.album_artists.get(aa, 0.0), profile.artists.get(aa, 0.0))
    era = 0.0
    if profile.year is not None and meta.year is not None:
        era = math.exp(-abs(meta.year - profile.year) / 8.0)
    return (
        artist,
        album_artist,
        _jaccard(profile.genres, meta.genres),
        era,
        _jaccard(profile.tags, meta.tags),
    )


_KEYS = ("artist", "album_artist", "genre", "era", "tags")


def affinity(profile: Profile, meta: TrackMeta) -> dict[str, float]:
    """The metadata components of a candidate, each 0..1."""
    return dict(zip(_KEYS, _affinity(profile, meta), strict=True))


def _total(
    profile: Profile, meta: TrackMeta, audio: float | None, colisten: float, w: Weights
) -> float:
    artist, album_artist, genre, era, tags = _affinity(profile, meta)
    total = (
        w.artist * artist
        + w.album_artist * album_artist
        + w.genre * genre
        + w.era * era
        + w.tags * tags
        + w.colisten * colisten
    )
    return total + w.audio * audio if audio is not None else total


def score(
    profile: Profile,
    meta: TrackMeta,
    audio: float | None,
    colisten: float,
    weights: Weights = Weights(),
) -> Scored:
    """One candidate's score and reasons. `audio` is the cosine to the seed (None: either
    is not analysed), `colisten` the co-listening share 0..1."""
    parts = affinity(profile, meta)
    parts["colisten"] = colisten
    if audio is not None:
        parts["audio"] = audio
    contributions = {k: getattr(weights, k) * v for k, v in parts.items()}
    reasons = []
    for key, _ in sorted(contributions.items(), key=lambda kv: -kv[1]):
        value = parts[key]
        shown = {
            "audio": value >= SOUNDS_ALIKE,
            "artist": value >= 0.5,
            "album_artist": value >= 0.5 and parts["artist"] < 0.5,
            "era": value >= SAME_ERA,
        }.get(key, value > 0)
        if shown:
            reasons.append(REASONS[key])
    return Scored(meta.id, round(sum(contributions.values()), 4), tuple(reasons))


def _artist_key(meta: TrackMeta) -> int:
    """Who a track is "by" for diversity: its first artist (else its album, negated)."""
    return meta.artist_ids[0] if meta.artist_ids else -meta.album_id


def _run(tail: Sequence[tuple[int, int]], max_run: int) -> tuple[int | None, int | None]:
    """The artist and the album that the last `max_run` picks all share (None: no run)."""
    if len(tail) < max_run:
        return None, None
    last = tail[-max_run:]
    artist = last[0][0] if all(t[0] == last[0][0] for t in last) else None
    album = last[0][1] if all(t[1] == last[0][1] for t in last) else None
    return artist, album


def diversify(
    scored: Sequence[Scored],
    metas: Mapping[int, TrackMeta],
    limit: int,
    *,
    max_run: int = MAX_RUN,
    decay: float = DECAY,
    preceding: Sequence[TrackMeta] = (),
) -> list[Scored]:
    """Pick `limit` of `scored` (best first), spreading artists and albums out.

    A pick's effective score is its score times `decay` per earlier pick of its artist and
    per earlier pick of its album, times RUN_PENALTY if it would make a run of more than
    `max_run` tracks by one artist or from one album (following `preceding`, what played
    just before).
    """
    remaining = sorted(scored, key=lambda s: (-s.score, s.track_id))
    keys = [(_artist_key(metas[s.track_id]), metas[s.track_id].album_id) for s in remaining]
    artist_picks: Counter[int] = Counter()
    album_picks: Counter[int] = Counter()
    tail = [(_artist_key(m), m.album_id) for m in preceding[-max_run:]]
    # A candidate's artist and album have at most 2 picks each per pick made so far.
    powers = [decay**i for i in range(2 * limit + 2 * len(preceding) + 2)]
    chosen: list[Scored] = []
    while remaining and len(chosen) < limit:
        run_artist, run_album = _run(tail, max_run)
        best_i, best_eff = -1, -math.inf
        for i, s in enumerate(remaining):
            if s.score <= best_eff:
                break  # sorted by score, and an effective score never exceeds it
            artist, album = keys[i]
            factor = powers[artist_picks[artist] + album_picks[album]]
            if artist == run_artist or album == run_album:
                factor *= RUN_PENALTY
            eff = s.score * factor if s.score > 0 else s.score / max(factor, 1e-9)
            if eff > best_eff:
                best_i, best_eff = i, eff
        pick = remaining.pop(best_i)
        artist, album = keys.pop(best_i)
        artist_picks[artist] += 1
        album_picks[album] += 1
        tail.append((artist, album))
        chosen.append(pick)
    return chosen


def rank(
    profile: Profile,
    metas: Mapping[int, TrackMeta],
    audio: Mapping[int, float],
    colisten: Mapping[int, int],
    limit: int,
    *,
    exclude: Collection[int] = (),
    exclude_albums: Collection[int] = (),
    weights: Weights = Weights(),
    preceding: Sequence[TrackMeta] = (),
    max_run: int = MAX_RUN,
) -> list[Scored]:
    """Score every candidate in `metas` (playable, not excluded, not on an excluded album)
    and pick `limit` of them with `diversify`. `audio` has the cosine of the analysed
    candidates; `colisten` counts sessions shared with the seeds. Reasons are worked out
    for the picks only."""
    top = max(colisten.values(), default=0)
    norm = math.log1p(top) if top > 0 else 1.0

    def shared(tid: int) -> float:
        n = colisten.get(tid, 0)
        return math.log1p(n) / norm if n else 0.0

    provisional = [
        Scored(tid, _total(profile, meta, audio.get(tid), shared(tid), weights), ())
        for tid, meta in metas.items()
        if meta.available and tid not in exclude and meta.album_id not in exclude_albums
    ]
    picks = diversify(provisional, metas, limit, max_run=max_run, preceding=preceding)
    return [
        score(profile, metas[p.track_id], audio.get(p.track_id), shared(p.track_id), weights)
        for p in picks
    ]
