"""The primary's enrichment loop: per album (not per track), the tagged release MBID when
there is one, else a search; genres, tags and release date saved; a front cover fetched
for albums without art. Finished albums are never looked up again, so a new primary
carries on where the old one stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import aiohttp

from ingest.enrich.musicbrainz import MusicBrainz, MusicBrainzError, MusicBrainzUnreachable
from store.enrichment import AlbumToEnrich, EnrichmentStore
from tonearm import metrics

log = logging.getLogger(__name__)

IDLE = 30.0  # seconds between looks for new albums when there is nothing to do
RETRY_AFTER = timedelta(hours=1)
# While MusicBrainz cannot be reached (no network, an outage): pause, doubling up to the
# longest, instead of failing every album in turn, one warning each, at one a second.
PAUSES = (30.0, 1800.0)


class Enricher:
    def __init__(
        self,
        store: EnrichmentStore,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        coverart_url: str,
        contact: str,
        rate: float,
        pauses: tuple[float, float] = PAUSES,
    ) -> None:
        self.store = store
        self.pauses = pauses
        self.interval = 1.0 / rate
        self.client = MusicBrainz(
            session,
            base_url=base_url,
            coverart_url=coverart_url,
            contact=contact,
            take_slot=self._take_slot,
        )
        self.wake = asyncio.Event()

    async def _take_slot(self, service: str) -> None:
        await asyncio.sleep(await self.store.take_slot(service, self.interval))

    async def run(self, epoch: int) -> None:
        """Enrich until cancelled (when this node stops being primary)."""
        pause: float | None = None  # seconds, while MusicBrainz is unreachable
        while True:
            albums = await self.store.pending(20, RETRY_AFTER)
            metrics.ENRICH_QUEUE.set(await self.store.pending_count())
            if not albums:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), IDLE)
                continue
            for album in albums:
                try:
                    await self.enrich(epoch, album)
                except MusicBrainzUnreachable as exc:
                    pause = self.pauses[0] if pause is None else min(pause * 2, self.pauses[1])
                    log.warning(
                        "MusicBrainz unreachable (%s): enrichment paused, next try in %g s",
                        exc, pause,
                    )  # fmt: skip
                    await asyncio.sleep(pause)
                    break  # the album was left as it was: read the queue again
                if pause is not None:
                    log.info("MusicBrainz reachable again: enrichment resumed")
                    pause = None

    async def enrich(self, epoch: int, album: AlbumToEnrich) -> None:
        """Look one album up and save what was found. Raises MusicBrainzUnreachable, with
        nothing saved, when the service cannot be reached: the album is not at fault."""
        try:
            if album.mb_album_id:
                release = await self.client.release(album.mb_album_id)
            else:
                release = await self.client.search_release(album.title, album.album_artist)
        except MusicBrainzUnreachable:
            raise
        except MusicBrainzError as exc:
            log.warning("enrichment of album %d failed: %s", album.id, exc)
            metrics.ENRICHED.labels("error").inc()
            await self.store.save(epoch, album.id, "error", error=str(exc)[:500])
            return
        if release is None:
            metrics.ENRICHED.labels("not_found").inc()
            await self.store.save(epoch, album.id, "not_found")
            return
        await self.store.save(
            epoch, album.id, "found", mbid=release.mbid, release_group_id=release.release_group_id,
            genres=release.genres, tags=release.tags, release_date=release.date,
        )  # fmt: skip
        metrics.ENRICHED.labels("found").inc()
        if not album.has_cover and release.has_front:
            try:
                cover = await self.client.front_cover(release.mbid)
            except MusicBrainzError as exc:
                log.info("no cover for album %d: %s", album.id, exc)
                return
            if cover is not None:
                await self.store.save_cover(epoch, album.id, *cover)
