"""What every handler can reach: the config and the services, built once at start."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aiohttp import web

from api.auth import Auth
from ingest.service import ScanService
from store.catalog import CatalogStore
from store.covers import CoverStore
from store.libraries import LibraryStore
from store.listens import ListenStore
from store.models import User
from store.playlists import PlaylistStore
from store.scans import ScanStore
from store.users import UserStore
from tonearm.config import Config


@dataclass(frozen=True)
class Services:
    config: Config
    pool: asyncpg.Pool
    catalog: CatalogStore
    covers: CoverStore
    libraries: LibraryStore
    users: UserStore
    playlists: PlaylistStore
    listens: ListenStore
    scans: ScanStore
    auth: Auth
    scanner: ScanService

    @classmethod
    def build(cls, config: Config, pool: asyncpg.Pool) -> Services:
        catalog = CatalogStore(pool)
        users = UserStore(pool)
        return cls(
            config=config,
            pool=pool,
            catalog=catalog,
            covers=CoverStore(pool),
            libraries=LibraryStore(pool),
            users=users,
            playlists=PlaylistStore(pool, catalog),
            listens=ListenStore(pool),
            scans=ScanStore(pool),
            auth=Auth(users),
            scanner=ScanService(
                pool,
                [str(p) for p in config.library],
                workers=config.scan_workers,
                interval=config.scan_interval,
            ),
        )


SERVICES = web.AppKey("services", Services)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


USER = web.RequestKey("user", User)


def current_user(request: web.Request) -> User:
    """The signed-in user (the auth middleware has set it on every non-public route)."""
    return request[USER]
