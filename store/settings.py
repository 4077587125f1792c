"""Per-user settings of the clients (theme, volume, visualizer layout): one JSON document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

Settings = dict[str, Any]


class SettingsStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def load(self, user_id: int) -> Settings:
        """The stored document, or {} before the user's first change."""
        value = await self.pool.fetchval(
            "SELECT settings FROM user_settings WHERE user_id = $1", user_id
        )
        return dict(value) if isinstance(value, dict) else {}

    async def update(self, user_id: int, change: Callable[[Settings], Settings]) -> Settings:
        """Apply `change` to the stored document under a row lock, so two devices changing
        different keys at once both keep their change. `change` may raise to abort."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """INSERT INTO user_settings (user_id, settings) VALUES ($1, '{}')
                   ON CONFLICT (user_id) DO NOTHING""",
                user_id,
            )
            value = await conn.fetchval(
                "SELECT settings FROM user_settings WHERE user_id = $1 FOR UPDATE", user_id
            )
            updated = change(dict(value) if isinstance(value, dict) else {})
            await conn.execute(
                "UPDATE user_settings SET settings = $2, updated_at = now() WHERE user_id = $1",
                user_id,
                updated,
            )
        return updated
