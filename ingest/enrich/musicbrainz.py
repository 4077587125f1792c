"""A small MusicBrainz WS/2 (JSON) and Cover Art Archive client: one request per slot of
the shared clock, a proper User-Agent, and backoff when the server says 503."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tonearm import __version__, metrics

log = logging.getLogger(__name__)

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
MAX_503_RETRIES = 5


@dataclass(frozen=True, slots=True)
class Release:
    mbid: str
    release_group_id: str | None
    date: str | None
    genres: tuple[str, ...]
    tags: tuple[str, ...]
    has_front: bool


@dataclass
class Lookup:
    """What one album's lookup found (release None: nothing matched)."""

    release: Release | None
    requests: int = 0
    notes: list[str] = field(default_factory=list)


class MusicBrainzError(Exception):
    """The service could not answer (network, 5xx after retries, bad JSON)."""


class MusicBrainzUnreachable(MusicBrainzError):
    """No answer at all, or only 'busy': the service (or this machine's network) is down,
    not anything about the album asked for."""


_GATEWAY_DOWN = (502, 504)


def _names(items: Any) -> tuple[str, ...]:
    ranked = sorted(
        (i for i in items or [] if isinstance(i, dict) and i.get("name")),
        key=lambda i: (-int(i.get("count") or 0), str(i["name"])),
    )
    return tuple(str(i["name"]) for i in ranked)


def parse_release(data: dict[str, Any]) -> Release:
    group = data.get("release-group") or {}
    genres = _names(data.get("genres")) or _names(group.get("genres"))
    caa = data.get("cover-art-archive") or {}
    return Release(
        mbid=str(data["id"]),
        release_group_id=group.get("id"),
        date=data.get("date") or group.get("first-release-date") or None,
        genres=genres,
        tags=_names(data.get("tags")) or _names(group.get("tags")),
        has_front=bool(caa.get("front", True)),
    )


def quote(text: str) -> str:
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", text) + '"'


class MusicBrainz:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        coverart_url: str,
        contact: str,
        take_slot: Callable[[str], Awaitable[None]],
    ) -> None:
        self.session = session
        self.base = base_url.rstrip("/")
        self.caa = coverart_url.rstrip("/")
        self.headers = {
            "User-Agent": f"Tonearm/{__version__} ( {contact} )",
            "Accept": "application/json",
        }
        self.take_slot = take_slot

    async def _get(
        self, service: str, url: str, params: dict[str, str] | None = None
    ) -> tuple[int, bytes, str]:
        delay = 2.0
        for _ in range(MAX_503_RETRIES):
            await self.take_slot(service)
            metrics.ENRICH_REQUESTS.labels(service).inc()
            try:
                async with self.session.get(url, params=params, headers=self.headers) as resp:
                    body = await resp.read()
                    if resp.status == 503:
                        wait = float(resp.headers.get("Retry-After") or delay)
                        log.info("%s says 503 (rate limited); waiting %.1fs", service, wait)
                        await asyncio.sleep(min(wait, 60))
                        delay = min(delay * 2, 60)
                        continue
                    if resp.status in _GATEWAY_DOWN:
                        raise MusicBrainzUnreachable(f"{service} answered {resp.status}")
                    return resp.status, body, resp.headers.get("Content-Type", "")
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                raise MusicBrainzUnreachable(f"{service}: {exc}") from exc
            except aiohttp.ClientError as exc:
                raise MusicBrainzError(f"{service}: {exc}") from exc
        raise MusicBrainzUnreachable(f"{service}: still 503 after {MAX_503_RETRIES} tries")

    async def _json(self, url: str, params: dict[str, str]) -> dict[str, Any] | None:
        status, body, _ = await self._get("musicbrainz", url, {**params, "fmt": "json"})
        if status == 404:
            return None
        if status != 200:
            raise MusicBrainzError(f"musicbrainz answered {status}")
        import json

        try:
            data = json.loads(body)
        except ValueError as exc:
            raise MusicBrainzError("musicbrainz sent invalid JSON") from exc
        if not isinstance(data, dict):
            raise MusicBrainzError("musicbrainz sent an unexpected document")
        return data

    async def release(self, mbid: str) -> Release | None:
        data = await self._json(
            f"{self.base}/ws/2/release/{mbid}", {"inc": "genres+tags+release-groups"}
        )
        return parse_release(data) if data else None

    async def search_release(self, title: str, artist: str) -> Release | None:
        """The best match for an album without a release MBID (score ≥ 90 only), looked
        up again by id for its genres (search results carry none)."""
        query = f"release:{quote(title)}"
        if artist and artist.lower() not in ("various artists", "unknown artist"):
            query += f" AND artist:{quote(artist)}"
        data = await self._json(f"{self.base}/ws/2/release/", {"query": query, "limit": "3"})
        releases = (data or {}).get("releases") or []
        best = next((r for r in releases if int(r.get("score") or 0) >= 90 and r.get("id")), None)
        if best is None:
            return None
        return await self.release(str(best["id"]))

    async def front_cover(self, mbid: str) -> tuple[bytes, str] | None:
        status, body, ctype = await self._get(
            "coverartarchive", f"{self.caa}/release/{mbid}/front-500"
        )
        if status != 200 or not ctype.startswith("image/") or not body:
            return None
        return body, ctype.split(";")[0]
