"""Users, sessions and failed-login counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from store.models import Session, User
from tonearm.errors import Conflict, NotFound

_USER_COLS = "u.id, u.name, u.is_admin, u.disabled, u.created_at"


def _user(r: asyncpg.Record) -> User:
    return User(r["id"], r["name"], r["is_admin"], r["disabled"], r["created_at"])


class UserStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def count(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM users"))

    async def create(
        self, name: str, password_hash: str, *, is_admin: bool, only_if_none: bool = False
    ) -> User:
        """Create a user. With `only_if_none`, succeed only while no user exists at all
        (first-run setup), atomically even if two replicas race."""
        async with self.pool.acquire() as conn, conn.transaction():
            if only_if_none:
                await conn.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM users)"):
                    raise Conflict(
                        "setup is done: an account already exists", code="already_set_up"
                    )
            try:
                r = await conn.fetchrow(
                    f"""INSERT INTO users AS u (name, password_hash, is_admin) VALUES ($1, $2, $3)
                        RETURNING {_USER_COLS}""",
                    name,
                    password_hash,
                    is_admin,
                )
            except asyncpg.UniqueViolationError:
                raise Conflict(
                    f"a user named {name!r} already exists", code="user_exists"
                ) from None
        assert r is not None
        return _user(r)

    async def get(self, user_id: int) -> User:
        r = await self.pool.fetchrow(f"SELECT {_USER_COLS} FROM users u WHERE u.id = $1", user_id)
        if r is None:
            raise NotFound(f"no user with id {user_id}")
        return _user(r)

    async def credentials(self, name: str) -> tuple[User, str] | None:
        r = await self.pool.fetchrow(
            f"SELECT {_USER_COLS}, u.password_hash FROM users u WHERE lower(u.name) = lower($1)",
            name,
        )
        return (_user(r), r["password_hash"]) if r else None

    async def all(self) -> list[User]:
        rows = await self.pool.fetch(f"SELECT {_USER_COLS} FROM users u ORDER BY lower(u.name)")
        return [_user(r) for r in rows]

    async def update(
        self,
        user_id: int,
        *,
        password_hash: str | None = None,
        is_admin: bool | None = None,
        disabled: bool | None = None,
    ) -> User:
        r = await self.pool.fetchrow(
            f"""UPDATE users u SET password_hash = coalesce($2, u.password_hash),
                       is_admin = coalesce($3, u.is_admin), disabled = coalesce($4, u.disabled)
                WHERE u.id = $1 RETURNING {_USER_COLS}""",
            user_id,
            password_hash,
            is_admin,
            disabled,
        )
        if r is None:
            raise NotFound(f"no user with id {user_id}")
        if password_hash is not None or disabled:
            # A reset password or a disabled account ends every open session.
            await self.pool.execute("DELETE FROM sessions WHERE user_id = $1", user_id)
        return _user(r)

    async def active_admins(self) -> int:
        return int(
            await self.pool.fetchval("SELECT count(*) FROM users WHERE is_admin AND NOT disabled")
        )

    # Sessions

    async def create_session(
        self, user_id: int, token_sha256: str, csrf_token: str, lifetime: timedelta
    ) -> datetime:
        expires: datetime = await self.pool.fetchval(
            """INSERT INTO sessions (token_sha256, user_id, csrf_token, expires_at)
               VALUES ($1, $2, $3, now() + $4::interval) RETURNING expires_at""",
            token_sha256,
            user_id,
            csrf_token,
            lifetime,
        )
        return expires

    async def session(self, token_sha256: str) -> Session | None:
        r = await self.pool.fetchrow(
            f"""SELECT {_USER_COLS}, s.csrf_token, s.expires_at FROM sessions s
                JOIN users u ON u.id = s.user_id
                WHERE s.token_sha256 = $1 AND s.expires_at > now() AND NOT u.disabled""",
            token_sha256,
        )
        return Session(_user(r), r["csrf_token"], r["expires_at"]) if r else None

    async def delete_session(self, token_sha256: str) -> None:
        await self.pool.execute("DELETE FROM sessions WHERE token_sha256 = $1", token_sha256)

    # Failed logins

    async def record_failure(self, account: str, client: str) -> None:
        await self.pool.execute(
            "INSERT INTO login_failures (account, client) VALUES (lower($1), $2)", account, client
        )

    async def recent_failures(
        self, account: str, client: str, window: timedelta
    ) -> tuple[int, int, datetime | None]:
        """(failures for this account, failures from this client, oldest of them) in the window."""
        r = await self.pool.fetchrow(
            """SELECT count(*) FILTER (WHERE account = lower($1)) AS by_account,
                      count(*) FILTER (WHERE client = $2) AS by_client,
                      min(at) AS oldest
               FROM login_failures
               WHERE at > now() - $3::interval AND (account = lower($1) OR client = $2)""",
            account,
            client,
            window,
        )
        assert r is not None
        return r["by_account"], r["by_client"], r["oldest"]

    async def clear_failures(self, account: str) -> None:
        await self.pool.execute("DELETE FROM login_failures WHERE account = lower($1)", account)
