"""Every device of a user hears every change of their play state, on any replica."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from tests.api.conftest import PASSWORD
from tests.api.player.conftest import call

Client = TestClient  # type: ignore[type-arg]
WS = "/api/v1/me/ws"
PLAYER = "/api/v1/me/player"


async def receive(ws: ClientWebSocketResponse) -> Any:
    async with asyncio.timeout(5):
        event = await ws.receive_json()
    assert event["type"] == "player"
    return event["state"]


async def test_every_device_hears_every_change_across_replicas(
    client: Client, admin: dict[str, str], replica: Client
) -> None:
    login = await client.post("/api/v1/auth/login", json={"name": "admin", "password": PASSWORD})
    cookie = {"Cookie": f"tonearm_session={login.cookies['tonearm_session'].value}"}
    async with (
        client.ws_connect(WS, headers=admin) as here,
        replica.ws_connect(WS, headers=cookie) as there,
    ):
        # The state at once on connecting, then each change, wherever it was made.
        assert (await receive(here))["version"] == 0
        assert (await receive(there))["version"] == 0
        await call(client, "PUT", PLAYER, admin, {"volume": 30})
        for ws in (here, there):
            state = await receive(ws)
            assert (state["version"], state["volume"]) == (1, 30)
        await call(replica, "PUT", PLAYER, admin, {"repeat": "all"})
        for ws in (here, there):
            state = await receive(ws)
            assert (state["version"], state["repeat"]) == (2, "all")

        # A burst of changes: a device may skip states, but always ends on the last one.
        for volume in range(40, 60):
            await call(client, "PUT", PLAYER, admin, {"volume": volume})
        versions: list[int] = []
        while not versions or versions[-1] < 22:
            versions.append((await receive(there))["version"])
        assert versions == sorted(set(versions)) and versions[-1] == 22


async def test_other_users_hear_nothing(client: Client, admin: dict[str, str]) -> None:
    await call(client, "POST", "/api/v1/users", admin, {"name": "bob", "password": PASSWORD}, 201)
    login = await call(client, "POST", "/api/v1/auth/login", {}, {"name": "bob", "password": PASSWORD})  # fmt: skip
    bob = {"Authorization": f"Bearer {login['token']}"}
    async with client.ws_connect(WS, headers=bob) as ws:
        assert (await receive(ws))["version"] == 0
        await call(client, "PUT", PLAYER, admin, {"volume": 10})
        await call(client, "PUT", PLAYER, bob, {"volume": 20})
        state = await receive(ws)
        assert (state["version"], state["volume"]) == (1, 20)


async def test_the_listener_reconnects_after_losing_its_connection(
    client: Client, admin: dict[str, str], pool: asyncpg.Pool
) -> None:
    async with client.ws_connect(WS, headers=admin) as ws:
        await receive(ws)
        killed = await pool.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE datname = current_database() AND query LIKE 'LISTEN %'"""
        )
        assert killed == 1
        # Changes keep arriving once the listener is back (it retries within a second).
        await asyncio.sleep(0.1)
        await call(client, "PUT", PLAYER, admin, {"volume": 5})
        assert (await receive(ws))["volume"] == 5
