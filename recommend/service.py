"""The recommender: similar tracks, autoplay's continuation, and each user's mixes.

Candidates come from the FAISS index (recommend/index.py) — the nearest tracks by sound —
joined by the seed's artists' tracks, co-listened tracks and, for a seed not analysed yet,
tracks of its genres; recommend/rank.py scores and spreads them out. Mixes are
regenerated when older than `mix_max_age` (on the primary's schedule, or when asked
for), or on demand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from recommend.index import SimilarityIndex, Vector
from recommend.mixes import describe, mix_name, taste_clusters
from recommend.rank import Profile, Scored, diversify, rank
from store.catalog import CatalogStore
from store.models import TrackMeta
from store.recommend import MixStore, NewMix, RecommendStore, StoredMix
from tonearm.errors import NotFound

log = logging.getLogger(__name__)

AUDIO_CANDIDATES = 200  # nearest by sound considered for a re-rank (at least 8 × limit)
ARTIST_CANDIDATES = 200
GENRE_CANDIDATES = 300
COLISTEN_CANDIDATES = 100
RECENT_EXCLUDED = 200  # autoplay keeps the user's latest listens out
AUTOPLAY_SEEDS = 10  # the last tracks that played steer autoplay, the latest most
AUTOPLAY_DECAY = 0.6
MIX_SIZE = 25
MIX_MIN = 5
MIX_MIN_COSINE = 0.2  # "nearby": unrelated tracks sit near 0, a small library has few close
HISTORY_DAYS = 365
HALF_LIFE_DAYS = 30.0  # a play a month ago counts half as much as one today
HEAVY_PLAYS = 3  # played this often: the user knows it, a mix brings other tracks
LIBRARY_SAMPLE = 3000
SWEEP_BATCH = 50


@dataclass(frozen=True, slots=True)
class Similar:
    analysed: bool  # False: the seed has no vector yet, the results are metadata-only
    items: list[Scored]


def _unit(v: Vector) -> Vector:
    out: Vector = (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)
    return out


class Recommender:
    def __init__(
        self,
        store: RecommendStore,
        mixes: MixStore,
        catalog: CatalogStore,
        index: SimilarityIndex,
        *,
        mix_max_age: float = 86400.0,
        is_primary: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = store
        self.mix_store = mixes
        self.catalog = catalog
        self.index = index
        self.mix_max_age = mix_max_age
        self.is_primary = is_primary
        self._generating: dict[int, asyncio.Task[list[StoredMix]]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """The background work: the index built at once and kept up by LISTEN/NOTIFY, and
        the mix schedule. Without it (tests), the index is built on first use."""
        await self.index.start()
        if self.mix_max_age > 0 and self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep())

    async def stop(self) -> None:
        tasks = [t for t in (self._sweeper, *self._generating.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sweeper = None
        await self.index.stop()

    def analysed_tracks(self) -> int:
        """Tracks in this replica's similarity index."""
        return len(self.index.index) if self.index.index is not None else 0

    # -- similar tracks -----------------------------------------------------------------

    async def _audio(
        self, query: Vector, extra: Collection[int], k: int, exclude: Collection[int]
    ) -> dict[int, float]:
        """Cosines of the `k` nearest tracks to `query`, and of the `extra` candidates."""
        audio = dict(await self.index.search(query, k, exclude))
        missing = [t for t in extra if t not in audio and t not in exclude]
        if missing:
            found, vecs = await self.index.vectors(missing)
            audio.update(zip(found, (vecs @ query).tolist(), strict=True))
        return audio

    async def similar(self, track_id: int, limit: int) -> Similar:
        """Tracks like `track_id`, its own album left out; metadata-only if not analysed."""
        seed = (await self.store.track_meta([track_id])).get(track_id)
        if seed is None:
            raise NotFound(f"no track with id {track_id}")
        _, vecs = await self.index.vectors([track_id])
        analysed = vecs.shape[0] > 0
        pool = set(await self.store.same_artist([track_id], ARTIST_CANDIDATES))
        colisten = await self.store.colistened([track_id], COLISTEN_CANDIDATES)
        pool |= set(colisten)
        audio: dict[int, float] = {}
        if analysed:
            k = max(AUDIO_CANDIDATES, 8 * limit)
            audio = await self._audio(vecs[0], pool, k, {track_id})
            pool |= set(audio)
        else:
            pool |= set(await self.store.same_genre([track_id], GENRE_CANDIDATES, str(track_id)))
        pool.discard(track_id)
        metas = await self.store.track_meta(list(pool))
        items = rank(
            Profile.of([seed]),
            metas,
            audio,
            colisten,
            limit,
            exclude={track_id},
            exclude_albums={seed.album_id},
        )
        return Similar(analysed, items)

    # -- autoplay -----------------------------------------------------------------------

    async def continuation(
        self, user_id: int, played: Sequence[int], exclude: Collection[int], limit: int
    ) -> list[int] | None:
        """Tracks that carry on from `played` (oldest first; its end weighs most), none in
        `exclude` or among the user's latest listens. None when no seed is analysed: the
        caller falls back to metadata."""
        seeds = list(dict.fromkeys(reversed(played)))[:AUTOPLAY_SEEDS]  # newest first
        found, vecs = await self.index.vectors(seeds)
        if not found:
            return None
        weights = np.array([AUTOPLAY_DECAY ** seeds.index(t) for t in found], np.float32)
        query = _unit((vecs * weights[:, None]).sum(axis=0))
        recent = await self.store.recent_listens(user_id, RECENT_EXCLUDED)
        keep_out = {*exclude, *recent, *seeds}
        colisten = await self.store.colistened(seeds[:3], COLISTEN_CANDIDATES)
        audio = await self._audio(query, colisten, max(AUDIO_CANDIDATES, 8 * limit), keep_out)
        metas = await self.store.track_meta([*audio, *colisten, *seeds])
        seed_metas = [metas[t] for t in seeds if t in metas]
        profile = Profile.of(seed_metas, [AUTOPLAY_DECAY**i for i in range(len(seed_metas))])
        preceding = [metas[t] for t in played[-3:] if t in metas]
        candidates = {t: m for t, m in metas.items() if t not in keep_out}
        picks = rank(
            profile, candidates, audio, colisten, limit, exclude=keep_out, preceding=preceding
        )
        return [s.track_id for s in picks]

    # -- mixes --------------------------------------------------------------------------

    async def mixes(self, user_id: int, *, refresh: bool = False) -> list[StoredMix]:
        """The user's mixes: generated now if asked, missing, or older than mix_max_age."""
        stored = await self.mix_store.of_user(user_id)
        if not refresh and stored and not self._stale(stored):
            return stored
        return await self._generate_once(user_id)

    async def mix(self, user_id: int, mix_id: int) -> StoredMix:
        return await self.mix_store.get(user_id, mix_id)

    def _stale(self, stored: Sequence[StoredMix]) -> bool:
        if self.mix_max_age <= 0:
            return False
        oldest = min(m.generated_at for m in stored)
        return dt.datetime.now(dt.UTC) - oldest > timedelta(seconds=self.mix_max_age)

    async def _generate_once(self, user_id: int) -> list[StoredMix]:
        """One generation per user at a time on this replica; callers share it."""
        task = self._generating.get(user_id)
        if task is None:
            task = asyncio.create_task(self._generate(user_id))
            self._generating[user_id] = task
            task.add_done_callback(lambda _t: self._generating.pop(user_id, None))
        return await asyncio.shield(task)

    async def _generate(self, user_id: int) -> list[StoredMix]:
        mixes = await self.taste_mixes(user_id)
        if not mixes:
            mixes = await self.library_mixes(user_id)
        return await self.mix_store.replace(user_id, mixes)

    async def _fill(
        self,
        centres: Vector,
        which: int,
        members: Sequence[TrackMeta],
        weights: Sequence[float],
        exclude: set[int],
    ) -> list[int]:
        """A mix's tracks: the nearest to `centres[which]` — and nearer to it than to the
        user's other tastes, so a mix never takes what another fits better — re-ranked
        toward `members`."""
        hits = await self.index.search(centres[which], AUDIO_CANDIDATES, exclude)
        near = [t for t, sim in hits if sim >= MIX_MIN_COSINE]
        found, vecs = await self.index.vectors(near)
        closest = np.argmax(vecs @ centres.T, axis=1) if found else np.empty(0, np.int64)
        sims = dict(hits)
        audio = {t: sims[t] for t, c in zip(found, closest.tolist(), strict=True) if c == which}
        metas = await self.store.track_meta(list(audio))
        picks = rank(Profile.of(members, weights), metas, audio, {}, MIX_SIZE, exclude=exclude)
        return [s.track_id for s in picks]

    async def _named(
        self,
        kind: str,
        members: Sequence[int],
        weights: Sequence[float],
        track_ids: Sequence[int],
        taken: set[str],
    ) -> NewMix:
        tracks = {t.id: t for t in await self.catalog.get_tracks([*members, *track_ids])}
        seeds = [(tracks[m], w) for m, w in zip(members, weights, strict=True) if m in tracks]
        name = mix_name(
            [(t.artist, w) for t, w in seeds],
            [(g, w) for t, w in seeds for g in t.genres],
            taken,
        )
        taken.add(name)
        description = describe([tracks[t].artist for t in track_ids if t in tracks])
        cover = members[0] if members else (track_ids[0] if track_ids else None)
        return NewMix(kind, name, description, cover, tuple(track_ids))

    async def taste_mixes(self, user_id: int) -> list[NewMix]:
        """Mixes from the user's listening: one per taste cluster (none without history)."""
        history = await self.store.history(
            user_id, days=HISTORY_DAYS, half_life_days=HALF_LIFE_DAYS, limit=2000
        )
        played = {h.track_id: h for h in history}
        found, vecs = await self.index.vectors(list(played))
        if len(found) < 3:
            return []
        weights = [played[t].weight for t in found]
        tastes = taste_clusters(vecs, weights, seed=user_id)
        member_metas = await self.store.track_meta(found)
        recent = await self.store.recent_listens(user_id, 50)
        used = {t for t, h in played.items() if h.plays >= HEAVY_PLAYS} | set(recent)
        mixes: list[NewMix] = []
        taken: set[str] = set()
        centres = np.stack([t.centroid for t in tastes])
        for j, taste in enumerate(tastes):
            members = [found[i] for i in taste.members if found[i] in member_metas]
            member_weights = [played[t].weight for t in members]
            ids = await self._fill(
                centres, j, [member_metas[t] for t in members], member_weights, used
            )
            if len(ids) < MIX_MIN:
                continue
            used |= set(ids)
            mixes.append(await self._named("taste", members, member_weights, ids, taken))
        return mixes

    async def library_mixes(self, user_id: int) -> list[NewMix]:
        """For a user with no (analysed) history: the newest additions, and diverse picks —
        clusters of the library's sound, or its biggest genres while nothing is analysed."""
        salt = f"{user_id}:{dt.date.today().isoformat()}"
        mixes: list[NewMix] = []
        taken: set[str] = set()
        recent = await self.store.recently_added(200)
        metas = await self.store.track_meta(recent)
        newest = [Scored(t, 1.0 - i / (len(recent) + 1), ()) for i, t in enumerate(recent)]
        ids = [
            s.track_id
            for s in diversify(
                [s for s in newest if s.track_id in metas], metas, MIX_SIZE, max_run=1
            )
        ]
        if ids:
            description = describe([metas[t].artist for t in ids])
            mixes.append(NewMix("recent", "Recently added", description, ids[0], tuple(ids)))
            taken.add("Recently added")
        no_sample: list[int] = []
        sample = await self.index.run(lambda ix: ix.sample(LIBRARY_SAMPLE, user_id), no_sample)
        found, vecs = await self.index.vectors(sample)
        used: set[int] = set()  # the newest may turn up again in a mix of their sound
        if len(found) >= 2 * MIX_MIN:
            tastes = taste_clusters(
                vecs, [1.0] * len(found), max_clusters=3, min_tracks=MIX_MIN, seed=user_id
            )
            sample_metas = await self.store.track_meta(found)
            centres = np.stack([t.centroid for t in tastes])
            for j, taste in enumerate(tastes):
                members = [found[i] for i in taste.members if found[i] in sample_metas][:50]
                weights = [1.0] * len(members)
                picks = await self._fill(
                    centres, j, [sample_metas[t] for t in members], weights, used
                )
                if len(picks) >= MIX_MIN:
                    used |= set(picks)
                    mixes.append(await self._named("discover", members, weights, picks, taken))
        else:
            for genre in await self.store.top_genres(3):
                pool = await self.store.genre_tracks(genre, 200, salt)
                gmetas = await self.store.track_meta(pool)
                scored = [Scored(t, 1.0, ()) for t in pool if t in gmetas and t not in used]
                picks = [s.track_id for s in diversify(scored, gmetas, MIX_SIZE)]
                if len(picks) >= MIX_MIN and f"{genre} mix" not in taken:
                    used |= set(picks)
                    taken.add(f"{genre} mix")
                    description = describe([gmetas[t].artist for t in picks])
                    mixes.append(
                        NewMix("genre", f"{genre} mix", description, picks[0], tuple(picks))
                    )
        return mixes

    async def _sweep(self) -> None:
        """The schedule: on the primary, regenerate the mixes of users who listened lately
        and whose mixes are older than mix_max_age, a few at a time."""
        period = max(60.0, self.mix_max_age / 24)
        while True:
            await asyncio.sleep(period)
            if not self.is_primary():
                continue
            try:
                due = await self.mix_store.due(
                    timedelta(seconds=self.mix_max_age), timedelta(days=30), SWEEP_BATCH
                )
                for user_id in due:
                    await self._generate_once(user_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("mix schedule failed; will retry", exc_info=True)
