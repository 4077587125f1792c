"""Media tokens: short-lived signed tokens in a URL, for what cannot send a header.

`<audio src>`, `<img src>` and `new WebSocket()` send no `Authorization` header, and a page
on another origin (the desktop app) has no cookie the server would accept. Such URLs carry
`?media_token=` instead, as Jellyfin's `api_key` or S3's signed URLs do, but narrower: the
token only opens the routes marked `@media` (stream, covers, waveform, the event and
listen-party websockets), only for GET, for at most a day, and only while its session lasts (signing
out ends it). A leaked URL therefore cannot change anything or outlive the day.

Token: `<session token's sha256>.<expiry, unix seconds>.<HMAC-SHA256 signature>`, keyed by
the session's own random CSRF secret, which lives in the database and never appears in a
URL. The expiry is rounded up to the hour, so the same session gets the same token (and
the browser's cache keeps the same cover URLs) for an hour at a time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

LIFETIME = 24 * 3600
BUCKET = 3600
PARAM = "media_token"

_FORMAT = re.compile(r"^([0-9a-f]{64})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class MediaToken:
    session_sha256: str
    expires: int
    signature: str


def _sign(session_sha256: str, expires: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"media:{session_sha256}:{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def expiry(now: float) -> int:
    """A day from now, rounded up to the next whole hour."""
    return -(-(int(now) + LIFETIME) // BUCKET) * BUCKET


def issue(session_sha256: str, secret: str, now: float) -> tuple[str, int]:
    """(token, expiry in unix seconds) for the session with this hash and CSRF secret."""
    expires = expiry(now)
    return f"{session_sha256}.{expires}.{_sign(session_sha256, expires, secret)}", expires


def parse(token: str) -> MediaToken | None:
    """The token's parts, or None when it is not shaped like one (no database needed)."""
    found = _FORMAT.match(token)
    if found is None:
        return None
    return MediaToken(found[1], int(found[2]), found[3])


def valid(token: MediaToken, secret: str, now: float) -> bool:
    """Signed with this secret, not expired, and not dated beyond what `issue` gives."""
    if not now < token.expires <= expiry(now):
        return False
    expected = _sign(token.session_sha256, token.expires, secret)
    return hmac.compare_digest(expected, token.signature)
