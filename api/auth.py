"""Accounts and sessions: argon2 passwords, bearer tokens and session cookies, CSRF, login limits."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api import media_token
from api.cors import ALLOWED_ORIGINS, websocket_origin_allowed
from store.models import Session, User
from store.users import UserStore
from tonearm.errors import Forbidden, Invalid, TooManyRequests, Unauthorized

SESSION_COOKIE = "tonearm_session"
CSRF_COOKIE = "tonearm_csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(days=30)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal which names exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

F = TypeVar("F", bound=Callable[..., Any])


def public(handler: F) -> F:
    """Mark a handler as reachable without signing in."""
    handler.__dict__["tonearm_public"] = True
    return handler


def media(handler: F) -> F:
    """Mark a GET handler as also reachable with a media token in the URL (api/media_token.py)."""
    handler.__dict__["tonearm_media"] = True
    return handler


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise Invalid("user names are 1–64 characters with no spaces", code="invalid_name")
    return name


def check_password(password: str) -> str:
    if not 8 <= len(password) <= 1024:
        raise Invalid("passwords are 8 to 1024 characters long", code="weak_password")
    return password


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request: web.Request) -> str:
    """Who is asking, for the per-address limits: behind a trusted proxy, the forwarded
    client (api/proxy.py gives the request its `remote`)."""
    return request.remote or "unknown"


def is_websocket_upgrade(request: web.Request) -> bool:
    # aiohttp's own handshake test: anything else can never become a websocket.
    return request.headers.get("Upgrade", "").strip().lower() == "websocket"


def check_websocket_origin(request: web.Request) -> None:
    """Refuse a cookie-authenticated websocket upgrade from another site's page (api/cors.py)."""
    if not websocket_origin_allowed(
        request.headers.get("Origin"), request.scheme, request.host, request.app[ALLOWED_ORIGINS]
    ):
        raise Forbidden(
            "this page's origin may not open the server's websockets with the session cookie"
            " (see cors_origins; behind a reverse proxy, trusted_proxies)",
            code="forbidden_origin",
        )


class Auth:
    def __init__(self, users: UserStore) -> None:
        self.users = users

    async def login(self, name: str, password: str, client: str) -> tuple[User, str, str]:
        """Check the password under the failure limits; return (user, token, csrf token)."""
        by_account, by_client, oldest = await self.users.recent_failures(
            name, client, FAILURE_WINDOW
        )
        if by_account >= MAX_FAILURES_PER_ACCOUNT or by_client >= MAX_FAILURES_PER_CLIENT:
            wait = FAILURE_WINDOW - (datetime.now(UTC) - oldest) if oldest else FAILURE_WINDOW
            seconds = max(1, int(wait.total_seconds()) + 1)
            raise TooManyRequests(
                "too many failed sign-ins; try again later",
                code="login_rate_limited",
                headers={"Retry-After": str(seconds)},
            )
        found = await self.users.credentials(name)
        stored = found[1] if found else _DUMMY_HASH
        ok = await asyncio.to_thread(_verify, stored, password)
        if not ok or found is None or found[0].disabled:
            await self.users.record_failure(name, client)
            raise Unauthorized("wrong user name or password", code="invalid_credentials")
        user = found[0]
        await self.users.clear_failures(name)
        if _hasher.check_needs_rehash(stored):
            await self.users.update(
                user.id, password_hash=await asyncio.to_thread(hash_password, password)
            )
        token, csrf = await self.new_session(user)
        return user, token, csrf

    async def new_session(self, user: User) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        await self.users.create_session(user.id, _sha256(token), csrf, SESSION_LIFETIME)
        return token, csrf

    async def logout(self, token: str) -> None:
        await self.users.delete_session(_sha256(token))

    async def session_of(self, request: web.Request) -> tuple[str, Session]:
        """The hash of this request's session token (bearer or cookie) and its session."""
        header = request.headers.get("Authorization", "")
        token = header.partition(" ")[2].strip() or request.cookies.get(SESSION_COOKIE, "")
        session = await self.users.session(_sha256(token)) if token else None
        if session is None:
            raise Unauthorized("sign in first", code="unauthorized")
        return _sha256(token), session

    async def media_token(self, request: web.Request) -> tuple[str, int]:
        """A media token for this request's session: (token, expiry in unix seconds)."""
        token_sha256, session = await self.session_of(request)
        return media_token.issue(token_sha256, session.csrf_token, time.time())

    async def authenticate_media(self, request: web.Request, raw: str) -> User:
        """The user of a `?media_token=` URL (GET and HEAD of `@media` routes only)."""
        token = media_token.parse(raw)
        session = await self.users.session(token.session_sha256) if token else None
        if (
            token is None
            or session is None
            or not media_token.valid(token, session.csrf_token, time.time())
        ):
            raise Unauthorized(
                "the media token is invalid or has expired; get a new one from"
                " /api/v1/auth/media-token",
                code="invalid_media_token",
            )
        return session.user

    async def authenticate(self, request: web.Request) -> User:
        """The signed-in user of this request, or Unauthorized. Cookie-authenticated writes
        must echo the CSRF token, and cookie-authenticated websocket upgrades come from an
        allowed origin; bearer tokens are not sent by browsers on their own."""
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use 'Authorization: Bearer <token>'", code="invalid_token")
            session = await self.users.session(_sha256(token.strip()))
            if session is None:
                raise Unauthorized("the token is invalid or has expired", code="invalid_token")
            return session.user
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise Unauthorized("sign in first", code="unauthorized")
        session = await self.users.session(_sha256(cookie))
        if session is None:
            raise Unauthorized("the session has expired; sign in again", code="invalid_token")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                raise Forbidden(f"missing or wrong {CSRF_HEADER} header", code="csrf_failed")
        elif is_websocket_upgrade(request):
            # A websocket is a GET and carries no CSRF header: its Origin is the check.
            check_websocket_origin(request)
        return session.user


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def set_session_cookies(
    request: web.Request, response: web.StreamResponse, token: str, csrf: str, secure: bool
) -> None:
    # request.secure follows X-Forwarded-Proto only from a trusted proxy (api/proxy.py).
    secure = secure or request.secure
    max_age = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )
    # Readable by the page's script so it can echo it in the CSRF header.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="Lax", secure=secure, path="/"
    )


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("only an administrator can do this", code="admin_only")
