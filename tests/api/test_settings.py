"""Per-user client settings: defaults, partial updates, validation, size cap, isolation."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import get_json

Client = TestClient  # type: ignore[type-arg]
URL = "/api/v1/me/settings"


async def put(client: Client, headers: dict[str, str], body: Any, status: int = 200) -> Any:
    resp = await client.put(URL, json=body, headers=headers)
    assert resp.status == status, await resp.text()
    return await resp.json()


async def test_defaults_then_partial_updates(client: Client, admin: dict[str, str]) -> None:
    assert await get_json(client, URL, admin) == {
        "theme": "auto",
        "volume": 50,
        "visualizers": {},
        "shortcuts": {},
    }
    await put(client, admin, {"volume": 35})
    layout = {"spectrum": {"visible": True, "x": 20, "y": 40.5, "width": 420, "height": 220,
                           "mode": "octaves"}}  # fmt: skip
    got = await put(client, admin, {"theme": "dark", "visualizers": layout})
    assert got["volume"] == 35  # untouched keys stay
    assert got["theme"] == "dark"
    assert got["visualizers"]["spectrum"]["y"] == 40.5
    assert await get_json(client, URL, admin) == got
    # null puts the default back
    assert (await put(client, admin, {"theme": None}))["theme"] == "auto"


async def test_settings_are_per_user(client: Client, admin: dict[str, str]) -> None:
    await put(client, admin, {"volume": 7})
    resp = await client.post(
        "/api/v1/users", json={"name": "bob", "password": "another password"}, headers=admin
    )
    assert resp.status == 201
    login = await client.post(
        "/api/v1/auth/login", json={"name": "bob", "password": "another password"}
    )
    bob = {"Authorization": f"Bearer {(await login.json())['token']}"}
    assert (await get_json(client, URL, bob))["volume"] == 50
    assert (await get_json(client, URL, admin))["volume"] == 7


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"volume": 101}, "invalid_setting"),
        ({"volume": True}, "invalid_setting"),
        ({"volume": 3.5}, "invalid_setting"),
        ({"theme": "purple"}, "invalid_setting"),
        ({"colour": "red"}, "unknown_setting"),
        ({"visualizers": []}, "invalid_setting"),
        ({"visualizers": {"Bad Id": {}}}, "invalid_setting"),
        ({"visualizers": {"scope": {"x": "left"}}}, "invalid_setting"),
        ({"visualizers": {"scope": {"x": float("nan")}}}, "invalid_json"),
        ({"visualizers": {"scope": {"width": 5}}}, "invalid_setting"),
        ({"visualizers": {"scope": {"visible": 1}}}, "invalid_setting"),
        ({"visualizers": {"scope": {"colour": "red"}}}, "invalid_setting"),
        ({"visualizers": {f"w{i}": {} for i in range(17)}}, "invalid_setting"),
        ({"shortcuts": []}, "invalid_setting"),
        ({"shortcuts": "Shift+C"}, "invalid_setting"),
        ({"shortcuts": {"launch_rockets": "R"}}, "invalid_setting"),
        ({"shortcuts": {"favourite": 76}}, "invalid_setting"),
        ({"shortcuts": {"favourite": ""}}, "invalid_setting"),
        ({"shortcuts": {"favourite": "Hyper+L"}}, "invalid_setting"),
        ({"shortcuts": {"favourite": "Shift+Mod+L"}}, "invalid_setting"),
        ({"shortcuts": {"favourite": "Mod+" + "K" * 60}}, "invalid_setting"),
        ({"shortcuts": {"favourite": "L\n"}}, "invalid_setting"),
        ({"shortcuts": {"favourite": "F", "help": "F"}}, "invalid_setting"),
        ({"shortcuts": {f"a{i}": "F" for i in range(40)}}, "invalid_setting"),
    ],
)
async def test_bad_settings_are_refused(
    client: Client, admin: dict[str, str], body: Any, code: str
) -> None:
    if code == "invalid_json":  # NaN is not JSON; Python's encoder writes it anyway
        code = "invalid_setting"
    got = await put(client, admin, body, status=400)
    assert got["error"]["code"] == code
    assert (await get_json(client, URL, admin))["volume"] == 50  # nothing was stored


async def test_shortcuts_are_stored_and_reset(client: Client, admin: dict[str, str]) -> None:
    bound = {"favourite": "F", "search": "Mod+Alt+Shift+P", "play_pause": "Space", "help": "?"}
    got = await put(client, admin, {"shortcuts": bound})
    assert got["shortcuts"]["search"] == "Mod+Alt+Shift+P"
    assert got["shortcuts"]["favourite"] == "F"
    assert (await get_json(client, URL, admin))["shortcuts"] == got["shortcuts"]
    assert (await put(client, admin, {"shortcuts": None}))["shortcuts"] == {}


async def test_bad_shortcuts_say_why_in_json(client: Client, admin: dict[str, str]) -> None:
    got = await put(client, admin, {"shortcuts": {"favourite": "F", "next": "F"}}, status=400)
    assert got["error"]["code"] == "invalid_setting"
    assert "already bound" in got["error"]["message"]


async def test_size_is_capped(client: Client, admin: dict[str, str]) -> None:
    big = {f"w{i}": {"mode": "m" * 32, "x": 1.5, "y": 2.5, "width": 300, "height": 200,
                     "visible": True} for i in range(16)}  # fmt: skip
    await put(client, admin, {"visualizers": big})  # 16 full widgets fit comfortably
    resp = await client.put(URL, data="x" * 2_000_000, headers=admin)
    assert resp.status in (400, 413)


async def test_needs_sign_in(client: Client) -> None:
    assert (await client.get(URL)).status == 401
    assert (await client.put(URL, json={"volume": 3})).status == 401
