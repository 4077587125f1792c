"""Party fixtures: a small album to play and a few more accounts to join with."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from api.auth import hash_password
from api.context import SERVICES
from tests.api.conftest import PASSWORD
from tests.audio import make_track

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def music(library: list[Path]) -> dict[str, Path]:
    """Overrides the API suite's `music`: one album of three long-enough tracks."""
    titles = ["Intro", "Middle", "Outro"]
    return {
        title: make_track(
            library[0] / "Band" / "Record" / f"0{n} {title}.mp3",
            title=title,
            artists=["Band"],
            album="Record",
            track=f"{n}/3",
            seconds=2.0,
        )
        for n, title in enumerate(titles, 1)
    }


@dataclass
class As:
    """One signed-in user talking to one app (one replica)."""

    client: Client
    token: str
    id: int
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def call(self, method: str, url: str, body: Any = None, status: int = 200) -> Any:
        resp = await self.client.request(method, url, json=body, headers=self.headers)
        text = await resp.text()
        assert resp.status == status, text
        return await resp.json() if text else None

    def on(self, client: Client) -> As:
        return As(client, self.token, self.id, self.name)


async def sign_in(client: Client, name: str) -> As:
    resp = await client.post("/api/v1/auth/login", json={"name": name, "password": PASSWORD})
    body = await resp.json()
    assert resp.status == 200, body
    return As(client, body["token"], body["user"]["id"], name)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
async def people(client: Client, admin: dict[str, str], scanned: dict[str, Path]) -> dict[str, As]:
    """The admin (who hosts) and five more accounts. Made through the stores with one
    password hash, rather than four sign-ups and five sign-ins: argon2 is slow on purpose."""
    services = client.app[SERVICES]
    out = {"admin": await sign_in(client, "admin")}
    for name in ("bob", "carol", "dave", "erin", "fred"):
        user = await services.users.create(name, _password_hash(), is_admin=False)
        token, _csrf = await services.auth.new_session(user)
        out[name] = As(client, token, user.id, name)
    return out


@pytest.fixture
async def tracks(people: dict[str, As]) -> dict[str, int]:
    listed = await people["admin"].call("GET", "/api/v1/tracks?limit=10")
    return {t["title"]: t["id"] for t in listed["items"]}
