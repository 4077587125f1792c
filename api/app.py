"""Assembling the aiohttp application: middlewares, routes, start-up and shutdown."""

from __future__ import annotations

import logging

import asyncpg
from aiohttp import web

from api.context import SERVICES, Services
from api.cors import cors_middleware, setup_cors
from api.errors import error_middleware
from api.events import setup_user_events
from api.middleware import auth_middleware, metrics_middleware
from api.openapi import routes as openapi_routes
from api.party.hub import setup_party_events
from api.proxy import TRUSTED_PROXIES, proxy_middleware
from api.routes import (
    auth,
    catalog,
    covers,
    events,
    favourites,
    health,
    internal,
    me,
    parties,
    player,
    playlists,
    recommend,
    scan,
    settings,
    stream,
    users,
    waveform,
)
from api.routes import web as web_ui
from tonearm.config import Config

log = logging.getLogger(__name__)

ROUTE_TABLES = (
    auth.routes,
    users.routes,
    catalog.routes,
    stream.routes,
    covers.routes,
    playlists.routes,
    me.routes,
    favourites.routes,
    player.routes,
    events.routes,
    parties.routes,
    scan.routes,
    health.routes,
    internal.routes,
    settings.routes,
    waveform.routes,
    recommend.routes,
    openapi_routes,
    web_ui.routes,  # last: its catch-all serves the web UI for every other page path
)


def create_app(config: Config, pool: asyncpg.Pool, *, background: bool = True) -> web.Application:
    """The whole HTTP server. `background` starts the scan loop (tests drive scans directly)."""
    app = web.Application(
        # The proxy's clone first, so every later step sees the forwarded client.
        middlewares=[
            proxy_middleware,
            metrics_middleware,
            cors_middleware,
            error_middleware,
            auth_middleware,
        ],
        client_max_size=2 * 1024 * 1024,
    )
    app[SERVICES] = Services.build(config, pool)
    setup_cors(app, config.cors_origins)
    app[TRUSTED_PROXIES] = config.trusted_proxies
    for table in ROUTE_TABLES:
        app.add_routes(table)
    setup_user_events(app)
    setup_party_events(app)

    async def lifecycle(app: web.Application):  # type: ignore[no-untyped-def]
        services = app[SERVICES]
        if background:
            await services.cluster.start()
            await services.scanner.start(scan_now=config.scan_on_start)
        yield
        await services.scanner.stop()
        await services.cluster.stop()

    async def cover_pool(app: web.Application):  # type: ignore[no-untyped-def]
        await app[SERVICES].cover_art.start()
        yield
        await app[SERVICES].cover_art.close()

    app.cleanup_ctx.append(lifecycle)
    app.cleanup_ctx.append(cover_pool)

    async def recommender(app: web.Application):  # type: ignore[no-untyped-def]
        # Every replica keeps its own similarity index; without background work (tests)
        # it is built on first use and holds no LISTEN connection.
        if background:
            await app[SERVICES].recommender.start()
        yield
        await app[SERVICES].recommender.stop()

    app.cleanup_ctx.append(recommender)
    return app
