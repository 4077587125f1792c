"""Autoplay: by metadata (the same artists first, then the same genres) while nothing is
analysed; by sound once tracks are."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from api.context import SERVICES
from api.player.autoplay import SameArtistGenre, SoundAlike
from api.player.rules import play
from api.player.state import Context, PlayerState
from tests.api.conftest import rescan
from tests.api.player.conftest import call
from tests.music import analyse_into, library_songs, write_song

Client = TestClient  # type: ignore[type-arg]


async def test_same_artist_then_same_genre_never_the_context_or_recent_listens(
    client: Client, admin: dict[str, str], catalog: dict[str, int]
) -> None:
    services = client.app[SERVICES]
    sound_alike = services.player.autoplay
    assert isinstance(sound_alike, SoundAlike)
    autoplay = sound_alike.fallback
    assert isinstance(autoplay, SameArtistGenre)
    user_id = (await call(client, "GET", "/api/v1/me", admin))["id"]
    mezzanine = tuple(catalog[t] for t in ("Angel", "Risingson", "Teardrop", "Inertia Creeps"))
    state = play(PlayerState(seed=7), Context("album", 1, mezzanine), 3, shuffle=False)

    picks = await autoplay.candidates(user_id, state, 10)
    by_title = {v: k for k, v in catalog.items() if not k.startswith("album:")}
    names = [by_title[t] for t in picks]
    assert sorted(names[:2]) == ["Karmacoma", "Protection"]
    assert sorted(names[2:]) == ["Glory Box", "Mysterons"]  # Jóga is another genre
    # The order is stable for one state's seed.
    assert await autoplay.candidates(user_id, state, 10) == picks
    # Nothing is analysed: autoplay by sound falls back to these picks.
    assert await sound_alike.candidates(user_id, state, 10) == picks

    await call(client, "POST", "/api/v1/me/listens", admin,
               {"track_id": catalog["Karmacoma"], "ms_played": 60_000}, 201)  # fmt: skip
    again = await autoplay.candidates(user_id, state, 10)
    assert catalog["Karmacoma"] not in again and len(again) == 3


async def test_autoplay_continues_with_tracks_that_sound_alike(
    client: Client, admin: dict[str, str], library: list[Path]
) -> None:
    songs = library_songs()
    paths = {s.title: write_song(library[0], s) for s in songs}
    await rescan(client)
    tracks = (await call(client, "GET", "/api/v1/tracks?limit=100", admin))["items"]
    ids = {t["title"]: t["id"] for t in tracks}
    services = client.app[SERVICES]
    analysed = [s for s in songs if s.artist != "Epsilon"]
    await analyse_into(services.pool, analysed, paths, ids)
    await services.recommender.index.refresh()
    assert services.recommender.analysed_tracks() == len(analysed)

    album = (await call(client, "GET", f"/api/v1/tracks/{ids['Alpha One 1']}", admin))["album_id"]
    await call(client, "POST", "/api/v1/me/player/play", admin,
               {"context": {"type": "album", "id": album}})  # fmt: skip
    titles = {v: k for k, v in ids.items()}
    picks = []
    for _ in range(3 + 5):  # the rest of the album, then autoplay
        step = await call(client, "POST", "/api/v1/me/player/next", admin, {"explicit": False})
        if step["source"] == "autoplay":
            assert step["autoplay"] == {"strategy": "sound-alike"}
            picks.append(titles[step["track"]["id"]])
    # Only what sounds like Alpha One follows it; after four Alpha tracks in a row, a Delta
    # track that sounds alike comes first rather than a fifth Alpha.
    assert picks[0] in ("Delta Odd 1", "Delta Odd 2")
    assert set(picks) == {"Delta Odd 1", "Delta Odd 2", "Alpha Two 1", "Alpha Two 2",
                          "Alpha Two 3"}  # fmt: skip
