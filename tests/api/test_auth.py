"""Accounts: first-run setup, sign-in by token and cookie, CSRF, limits, administration."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import PASSWORD

Client = TestClient  # type: ignore[type-arg]


async def test_setup_only_while_no_user_exists(client: Client) -> None:
    assert (await (await client.get("/api/v1/auth/setup")).json()) == {"needed": True}
    first = await client.post("/api/v1/auth/setup", json={"name": "ada", "password": PASSWORD})
    assert first.status == 201
    body = await first.json()
    assert body["user"]["is_admin"] is True and body["token"]
    again = await client.post("/api/v1/auth/setup", json={"name": "eve", "password": PASSWORD})
    assert again.status == 409
    assert (await again.json())["error"]["code"] == "already_set_up"
    assert (await (await client.get("/api/v1/auth/setup")).json()) == {"needed": False}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "ada"}, "missing_field"),
        ({"name": "ada", "password": "short"}, "weak_password"),
        ({"name": "a b", "password": PASSWORD}, "invalid_name"),
        ({"name": 5, "password": PASSWORD}, "invalid_field"),
    ],
)
async def test_setup_rejects_bad_input(client: Client, body: dict[str, object], code: str) -> None:
    resp = await client.post("/api/v1/auth/setup", json=body)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == code


async def test_every_endpoint_but_a_few_requires_auth(client: Client) -> None:
    for path in (
        "/api/v1/libraries",
        "/api/v1/albums",
        "/api/v1/tracks/1/stream",
        "/api/v1/me/home",
    ):
        resp = await client.get(path)
        assert resp.status == 401, path
        assert (await resp.json())["error"]["code"] == "unauthorized"
    for path in ("/healthz", "/readyz", "/api/v1/openapi.json", "/metrics"):
        assert (await client.get(path)).status == 200, path


async def test_login_gives_a_bearer_token_and_a_session_cookie(
    client: Client, admin: dict[str, str]
) -> None:
    resp = await client.post("/api/v1/auth/login", json={"name": "ADMIN", "password": PASSWORD})
    assert resp.status == 200
    body = await resp.json()
    cookie = resp.cookies["tonearm_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    bearer = {"Authorization": f"Bearer {body['token']}"}
    assert (await client.get("/api/v1/me", headers=bearer)).status == 200
    # The cookie alone works for reads...
    assert (await client.get("/api/v1/me")).status == 200
    # ...but a cookie-authenticated write needs the CSRF token.
    no_csrf = await client.post("/api/v1/playlists", json={"name": "x"})
    assert no_csrf.status == 403
    assert (await no_csrf.json())["error"]["code"] == "csrf_failed"
    with_csrf = await client.post(
        "/api/v1/playlists", json={"name": "x"}, headers={"X-CSRF-Token": body["csrf_token"]}
    )
    assert with_csrf.status == 201
    # Signing out ends the session.
    out = await client.post("/api/v1/auth/logout", headers=bearer)
    assert out.status == 204
    assert (await client.get("/api/v1/me", headers=bearer)).status == 401


async def test_bad_tokens_are_401(client: Client, admin: dict[str, str]) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer "):
        resp = await client.get("/api/v1/me", headers={"Authorization": header})
        assert resp.status == 401


async def test_failed_logins_are_rate_limited_per_account(
    client: Client, admin: dict[str, str]
) -> None:
    for _ in range(5):
        resp = await client.post(
            "/api/v1/auth/login", json={"name": "admin", "password": "wrong-password"}
        )
        assert resp.status == 401
        assert (await resp.json())["error"]["code"] == "invalid_credentials"
    locked = await client.post("/api/v1/auth/login", json={"name": "admin", "password": PASSWORD})
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) > 0
    # Unknown accounts answer exactly like wrong passwords.
    unknown = await client.post("/api/v1/auth/login", json={"name": "nobody", "password": PASSWORD})
    assert unknown.status == 401


async def test_admin_manages_users(client: Client, admin: dict[str, str]) -> None:
    resp = await client.post(
        "/api/v1/users", json={"name": "bob", "password": PASSWORD}, headers=admin
    )
    assert resp.status == 201
    bob = await resp.json()
    assert bob["is_admin"] is False
    dup = await client.post(
        "/api/v1/users", json={"name": "BOB", "password": PASSWORD}, headers=admin
    )
    assert dup.status == 409

    login = await client.post("/api/v1/auth/login", json={"name": "bob", "password": PASSWORD})
    bob_auth = {"Authorization": f"Bearer {(await login.json())['token']}"}
    assert (await client.get("/api/v1/users", headers=bob_auth)).status == 403
    assert (await client.post("/api/v1/scan", headers=bob_auth)).status == 403

    listed = await (await client.get("/api/v1/users", headers=admin)).json()
    assert [u["name"] for u in listed["items"]] == ["admin", "bob"]

    reset = await client.patch(
        f"/api/v1/users/{bob['id']}", json={"password": "a new password"}, headers=admin
    )
    assert reset.status == 200
    assert (await client.get("/api/v1/me", headers=bob_auth)).status == 401  # sessions ended
    relog = await client.post(
        "/api/v1/auth/login", json={"name": "bob", "password": "a new password"}
    )
    assert relog.status == 200

    disable = await client.patch(
        f"/api/v1/users/{bob['id']}", json={"disabled": True}, headers=admin
    )
    assert (await disable.json())["disabled"] is True
    barred = await client.post(
        "/api/v1/auth/login", json={"name": "bob", "password": "a new password"}
    )
    assert barred.status == 401

    me = await (await client.get("/api/v1/me", headers=admin)).json()
    last = await client.patch(f"/api/v1/users/{me['id']}", json={"is_admin": False}, headers=admin)
    assert last.status == 409
