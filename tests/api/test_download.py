"""Downloading a track's original file: `?download=1` on the stream adds an attachment
Content-Disposition with the file's own name (RFC 6266, RFC 5987 for non-ASCII), and Range
works as for playback."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from aiohttp.test_utils import TestClient

from api.routes.stream import attachment
from tests.api.conftest import get_json

Client = TestClient  # type: ignore[type-arg]


async def test_download_names_a_non_ascii_file(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    track = (await get_json(client, "/api/v1/tracks?q=joga", admin))["items"][0]
    url = f"/api/v1/tracks/{track['id']}/stream"
    data = scanned["joga"].read_bytes()

    full = await client.get(f"{url}?download=1", headers=admin)
    assert full.status == 200
    disposition = full.headers["Content-Disposition"]
    assert disposition == ("attachment; filename=\"J_ga.m4a\"; filename*=UTF-8''J%C3%B3ga.m4a")
    assert unquote(disposition.split("UTF-8''")[1]) == "Jóga.m4a"
    assert await full.read() == data

    part = await client.get(f"{url}?download=1", headers={**admin, "Range": "bytes=10-19"})
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert part.headers["Content-Disposition"] == disposition
    assert await part.read() == data[10:20]

    # Playing it stays inline.
    for plain in (url, f"{url}?download=0"):
        resp = await client.get(plain, headers={**admin, "Range": "bytes=0-0"})
        assert resp.status == 206
        assert "Content-Disposition" not in resp.headers


async def test_download_with_a_bad_value_is_refused(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    track = (await get_json(client, "/api/v1/tracks?q=angel", admin))["items"][0]
    resp = await client.get(f"/api/v1/tracks/{track['id']}/stream?download=yes", headers=admin)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        (
            b"01 Angel.flac",
            "attachment; filename=\"01 Angel.flac\"; filename*=UTF-8''01%20Angel.flac",
        ),
        (
            b'a "b"\\c.mp3',
            "attachment; filename=\"a _b__c.mp3\"; filename*=UTF-8''a%20%22b%22%5Cc.mp3",
        ),
        (
            "日本.ogg".encode(),
            "attachment; filename=\"__.ogg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.ogg",
        ),
        (b"caf\xe9.flac", "attachment; filename=\"caf_.flac\"; filename*=UTF-8''caf%EF%BF%BD.flac"),
        (
            b"x;y=z&%.flac",
            "attachment; filename=\"x;y=z&%.flac\"; filename*=UTF-8''x%3By%3Dz&%25.flac",
        ),
    ],
)
def test_attachment_header(name: bytes, header: str) -> None:
    assert attachment(name) == header
