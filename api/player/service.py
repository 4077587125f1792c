"""The player service: load a user's play state, apply one rule, store it with a version
check (retrying when another device wrote first), and show it with its tracks expanded."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from api.player import edits, rules
from api.player.autoplay import Autoplay, SameArtistGenre, SoundAlike
from api.player.state import Context, Item, PlayerState, from_json, to_json
from recommend import Recommender
from store.autoplay import AutoplayStore
from store.catalog import CatalogStore
from store.player import PlayerStore
from store.playlists import PlaylistStore
from store.recommend import MixStore
from tonearm.errors import Conflict, Invalid, NotFound

log = logging.getLogger(__name__)

T = TypeVar("T")

# Writers that lose the version race reload and try again; this many losses in a row
# means something is hammering the state, and the caller hears so.
MAX_ATTEMPTS = 20
UPCOMING = 10  # context tracks shown after the queue
AUTOPLAY_BATCH = 20


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: PlayerState
    version: int  # 0: never stored
    updated_at: datetime | None


def _fresh() -> PlayerState:
    return PlayerState(seed=secrets.randbits(63))


Rule = Callable[[PlayerState], PlayerState]
Step = Callable[[PlayerState], Awaitable[tuple[PlayerState, T]]]
# Told of every stored change (user id, before, after), in the writer's request: a listen
# party follows its host's player this way (api/party/service.py).
Observer = Callable[[int, Snapshot, Snapshot], Awaitable[None]]


def _pure(fn: Rule) -> Step[None]:
    async def apply(state: PlayerState) -> tuple[PlayerState, None]:
        return fn(state), None

    return apply


class PlayerService:
    def __init__(
        self,
        store: PlayerStore,
        catalog: CatalogStore,
        playlists: PlaylistStore,
        autoplay: Autoplay,
        mixes: MixStore | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.playlists = playlists
        self.autoplay = autoplay
        self.mixes = mixes
        self.observers: list[Observer] = []

    @classmethod
    def build(
        cls, pool: asyncpg.Pool, catalog: CatalogStore, recommender: Recommender | None = None
    ) -> PlayerService:
        by_metadata = SameArtistGenre(AutoplayStore(pool))
        return cls(
            PlayerStore(pool),
            catalog,
            PlaylistStore(pool, catalog),
            by_metadata if recommender is None else SoundAlike(recommender, by_metadata),
            MixStore(pool),
        )

    async def load(self, user_id: int) -> Snapshot:
        stored = await self.store.load(user_id)
        if stored.state is None:
            return Snapshot(_fresh(), 0, None)
        try:
            state = from_json(stored.state)
        except (KeyError, TypeError, ValueError):
            # A play state is not precious: one we cannot read is replaced, not a 500 forever.
            log.warning("user %s: unreadable play state replaced", user_id, exc_info=True)
            state = _fresh()
        return Snapshot(state, stored.version, stored.updated_at)

    async def _change(self, user_id: int, apply: Step[T]) -> tuple[Snapshot, T]:
        """Load → apply → store if the version is unchanged; else start again."""
        for attempt in range(MAX_ATTEMPTS):
            snap = await self.load(user_id)
            state, result = await apply(snap.state)
            if state == snap.state:
                return snap, result
            saved = await self.store.save(user_id, to_json(state), snap.version)
            if saved is not None:
                after = Snapshot(state, saved.version, saved.updated_at)
                for observe in self.observers:
                    try:
                        await observe(user_id, snap, after)
                    except Exception:
                        # The write stands; a party that missed it resyncs on the next one.
                        log.exception("an observer of user %s's play state failed", user_id)
                return after, result
            # Let the other writers through before trying again.
            await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise Conflict("the play state is changing too fast; try again", code="player_busy")

    async def _context(
        self, user_id: int, kind: str, context_id: int | str | None, track_ids: list[int] | None
    ) -> Context:
        """The track list of a context: albums, playlists and artists resolved here."""
        if kind in ("album", "playlist", "artist"):
            if isinstance(context_id, str) and context_id.isascii() and context_id.isdigit():
                context_id = int(context_id)
            if not isinstance(context_id, int) or not 0 < context_id < 2**63:
                raise Invalid(f"context.id must be the {kind}'s id", code="invalid_field")
            if kind == "album":
                ids = [t.id for t in (await self.catalog.get_album(context_id)).tracks]
            elif kind == "playlist":
                ids = [t.id for t in (await self.playlists.get(user_id, context_id)).tracks]
            else:
                await self.catalog.get_artist(context_id)
                ids = await self.store.artist_track_ids(context_id)
        elif kind == "mix" and track_ids is None and self.mixes is not None:
            # A generated mix by its id (GET /me/mixes): the user's own, as it is now.
            if isinstance(context_id, str) and context_id.isascii() and context_id.isdigit():
                context_id = int(context_id)
            if not isinstance(context_id, int) or not 0 < context_id < 2**63:
                raise Invalid("context.id must be the mix's id", code="invalid_field")
            ids = list((await self.mixes.get(user_id, context_id)).track_ids)
            known = await self.store.known(ids)
            ids = [t for t in ids if t in known]
        else:
            if track_ids is None:
                raise Invalid(f"context.track_ids is required for {kind}", code="missing_field")
            unknown = set(track_ids) - await self.store.known(track_ids)
            if unknown:
                raise Invalid(f"unknown track ids: {sorted(unknown)[:10]}", code="unknown_track")
            ids = track_ids
        return Context(kind, context_id, tuple(ids))

    async def play(
        self,
        user_id: int,
        kind: str,
        context_id: int | str | None,
        track_ids: list[int] | None,
        start_track_id: int | None,
        shuffle: bool | None,
    ) -> Snapshot:
        context = await self._context(user_id, kind, context_id, track_ids)
        ids = context.track_ids
        start = None
        if start_track_id is not None:
            # Its first place in the context; a track not in it is out of range for play().
            start = ids.index(start_track_id) if start_track_id in ids else len(ids)

        def apply(state: PlayerState) -> PlayerState:
            on = state.shuffle if shuffle is None else shuffle
            return rules.play(state, context, start, shuffle=on)

        snap, _ = await self._change(user_id, _pure(apply))
        return snap

    async def next(self, user_id: int, *, explicit: bool) -> tuple[Snapshot, Item | None]:
        async def apply(state: PlayerState) -> tuple[PlayerState, Item | None]:
            referenced = [e.track_id for e in state.queue]
            if state.context is not None:
                referenced += state.context.track_ids
            unplayable = await self.store.unplayable(referenced) if referenced else set()
            candidates: list[int] = []
            if rules.needs_autoplay(state, explicit=explicit, unplayable=unplayable):
                candidates = await self.autoplay.candidates(user_id, state, AUTOPLAY_BATCH)
            return rules.next_track(
                state, explicit=explicit, autoplay=candidates, unplayable=unplayable
            )

        return await self._change(user_id, apply)

    async def previous(self, user_id: int, position_ms: int | None) -> tuple[Snapshot, Item | None]:
        async def apply(state: PlayerState) -> tuple[PlayerState, Item | None]:
            at = state.position_ms if position_ms is None else position_ms
            return rules.previous_track(state, at)

        return await self._change(user_id, apply)

    async def queue_add(self, user_id: int, track_id: int, mode: str) -> Snapshot:
        if not await self.store.known([track_id]):
            raise NotFound(f"no track with id {track_id}")
        snap, _ = await self._change(
            user_id, _pure(lambda state: rules.queue_add(state, track_id, mode)[0])
        )
        return snap

    async def queue_remove(self, user_id: int, entry_id: int) -> Snapshot:
        snap, _ = await self._change(
            user_id, _pure(lambda state: rules.queue_remove(state, entry_id))
        )
        return snap

    async def queue_move(self, user_id: int, entry_id: int, index: int) -> Snapshot:
        snap, _ = await self._change(
            user_id, _pure(lambda state: rules.queue_move(state, entry_id, index))
        )
        return snap

    async def update(
        self,
        user_id: int,
        *,
        shuffle: bool | None = None,
        repeat: str | None = None,
        position_ms: int | None = None,
        volume: int | None = None,
        playing: bool | None = None,
    ) -> Snapshot:
        def apply(state: PlayerState) -> PlayerState:
            if shuffle is not None:
                state = rules.set_shuffle(state, shuffle)
            if repeat is not None:
                state = rules.set_repeat(state, repeat)
            return rules.set_playback(
                state, position_ms=position_ms, volume=volume, playing=playing
            )

        snap, _ = await self._change(user_id, _pure(apply))
        return snap

    async def playlist_changed(
        self, user_id: int, playlist_id: int, track_ids: Sequence[int]
    ) -> None:
        """Keep the owner's player sane when the playlist they are playing is edited."""

        def apply(state: PlayerState) -> PlayerState:
            ctx = state.context
            if ctx is None or ctx.type != "playlist" or ctx.id != playlist_id:
                return state
            return edits.context_changed(state, track_ids)

        await self._change(user_id, _pure(apply))

    async def adopt(self, user_id: int, state: PlayerState) -> Snapshot:
        """Make `state` (another user's, say) this user's own, as a whole."""
        snap, _ = await self._change(user_id, _pure(lambda _old: state))
        return snap

    async def view(self, snap: Snapshot) -> dict[str, Any]:
        """The state as clients see it: tracks expanded, the context summarised."""
        s = snap.state
        upcoming = rules.upcoming(s, UPCOMING)
        wanted = [e.track_id for e in s.queue] + upcoming
        if s.current is not None:
            wanted.append(s.current.track_id)
        tracks = {t.id: t for t in await self.catalog.get_tracks(wanted)}
        ctx = s.context
        return {
            "version": snap.version,
            "updated_at": snap.updated_at,
            "current": None
            if s.current is None
            else {
                "track": tracks.get(s.current.track_id),
                "source": s.current.source,
                "entry_id": s.current.entry_id,
            },
            "context": None
            if ctx is None
            else {
                "type": ctx.type,
                "id": ctx.id,
                "track_count": len(ctx.track_ids),
                "index": s.left_at,
            },
            "queue": [{"entry_id": e.entry_id, "track": tracks.get(e.track_id)} for e in s.queue],
            "next_tracks": [tracks[t] for t in upcoming if t in tracks],
            "shuffle": s.shuffle,
            "repeat": s.repeat,
            "volume": s.volume,
            "position_ms": s.position_ms,
            "playing": s.playing,
            "autoplay": {"strategy": self.autoplay.strategy},
        }

    async def current_view(self, user_id: int) -> tuple[int, dict[str, Any]]:
        """(version, view) of the stored state: what the websocket pushes."""
        snap = await self.load(user_id)
        return snap.version, await self.view(snap)
