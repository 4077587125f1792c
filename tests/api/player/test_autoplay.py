"""Autoplay's stopgap ranking: the same artists first, then the same genres."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from api.context import SERVICES
from api.player.autoplay import SameArtistGenre
from api.player.rules import play
from api.player.state import Context, PlayerState
from tests.api.player.conftest import call

Client = TestClient  # type: ignore[type-arg]


async def test_same_artist_then_same_genre_never_the_context_or_recent_listens(
    client: Client, admin: dict[str, str], catalog: dict[str, int]
) -> None:
    services = client.app[SERVICES]
    autoplay = services.player.autoplay
    assert isinstance(autoplay, SameArtistGenre)
    user_id = (await call(client, "GET", "/api/v1/me", admin))["id"]
    mezzanine = tuple(catalog[t] for t in ("Angel", "Risingson", "Teardrop", "Inertia Creeps"))
    state = play(PlayerState(seed=7), Context("album", 1, mezzanine), 3, shuffle=False)

    picks = await autoplay.candidates(user_id, state, 10)
    by_title = {v: k for k, v in catalog.items()}
    names = [by_title[t] for t in picks]
    assert sorted(names[:2]) == ["Karmacoma", "Protection"]
    assert sorted(names[2:]) == ["Glory Box", "Mysterons"]  # Jóga is another genre
    # The order is stable for one state's seed.
    assert await autoplay.candidates(user_id, state, 10) == picks

    await call(client, "POST", "/api/v1/me/listens", admin,
               {"track_id": catalog["Karmacoma"], "ms_played": 60_000}, 201)  # fmt: skip
    again = await autoplay.candidates(user_id, state, 10)
    assert catalog["Karmacoma"] not in again and len(again) == 3
