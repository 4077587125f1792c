"""Autoplay: the tracks that carry on once a context has run out with repeat off.

The player asks one `Autoplay` for candidates, best first, and names its `strategy` in
responses. `SoundAlike` continues by sound (the recommender's FAISS neighbours of what just
played, re-ranked); while nothing it could start from is analysed it falls back to
`SameArtistGenre`, which picks by metadata alone.
"""

from __future__ import annotations

from typing import Protocol

from api.player.state import PlayerState
from recommend import Recommender
from store.autoplay import AutoplayStore

# The last few tracks that played steer the pick, so a long autoplay run drifts along.
RECENT_SEEDS = 10
CONTEXT_SEEDS = 500


class Autoplay(Protocol):
    @property
    def strategy(self) -> str:
        """How candidates are chosen, as responses name it."""
        ...

    async def candidates(self, user_id: int, state: PlayerState, limit: int) -> list[int]:
        """Tracks to continue `state` with, best first, none from its context or history."""
        ...


class SameArtistGenre:
    """Tracks by the same artists, then the same genres, as the context and what played
    last; never the context itself or recent plays. SoundAlike's fallback."""

    strategy = "same-artist-genre-fallback"

    def __init__(self, store: AutoplayStore) -> None:
        self.store = store

    async def candidates(self, user_id: int, state: PlayerState, limit: int) -> list[int]:
        played = [item.track_id for item in state.history]
        if state.current is not None:
            played.append(state.current.track_id)
        context = list(state.context.track_ids) if state.context else []
        seeds = played[-RECENT_SEEDS:] + context[:CONTEXT_SEEDS]
        exclude = {*context, *played, *(e.track_id for e in state.queue)}
        return await self.store.same_artist_or_genre(
            user_id, seeds, sorted(exclude), limit, salt=str(state.seed)
        )


class SoundAlike:
    """Tracks that sound like what just played (its end weighs most, so a long autoplay run
    drifts along), nudged toward the same artists, genres and co-listened tracks; never the
    context, the queue, the play history or recent listens. With no analysed track to start
    from, or too few picks, `fallback` fills in by metadata."""

    def __init__(self, recommender: Recommender, fallback: Autoplay) -> None:
        self.recommender = recommender
        self.fallback = fallback

    @property
    def strategy(self) -> str:
        """ "sound-alike" once any track is analysed; the fallback's name until then."""
        return "sound-alike" if self.recommender.analysed_tracks() else self.fallback.strategy

    async def candidates(self, user_id: int, state: PlayerState, limit: int) -> list[int]:
        played = [item.track_id for item in state.history]
        if state.current is not None:
            played.append(state.current.track_id)
        context = list(state.context.track_ids) if state.context else []
        if not played:
            played = context[-RECENT_SEEDS:]  # nothing played yet: the context's end
        exclude = {*context, *played, *(e.track_id for e in state.queue)}
        picks = await self.recommender.continuation(user_id, played, exclude, limit) or []
        if len(picks) < limit:
            more = await self.fallback.candidates(user_id, state, limit)
            picks += [t for t in more if t not in picks][: limit - len(picks)]
        return picks
