"""Autoplay: the tracks that carry on once a context has run out with repeat off.

The player asks one `Autoplay` for candidates, best first, and names its `strategy` in
responses. The recommender (issue 6) replaces `SameArtistGenre` with a continuation by
sound; nothing else has to change.
"""

from __future__ import annotations

from typing import Protocol

from api.player.state import PlayerState
from store.autoplay import AutoplayStore

# The last few tracks that played steer the pick, so a long autoplay run drifts along.
RECENT_SEEDS = 10
CONTEXT_SEEDS = 500


class Autoplay(Protocol):
    strategy: str

    async def candidates(self, user_id: int, state: PlayerState, limit: int) -> list[int]:
        """Tracks to continue `state` with, best first, none from its context or history."""
        ...


class SameArtistGenre:
    """Until the recommender lands: tracks by the same artists, then the same genres, as
    the context and what played last; never the context itself or recent plays."""

    # TODO(issue 6): continue by how the tracks sound (FAISS neighbours, re-ranked).
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
