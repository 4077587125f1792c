"""Requests through reverse proxies: whose X-Forwarded-* headers to believe (`trusted_proxies`).

Behind an ingress or a reverse proxy every request comes from the proxy, so the client's
address (login and join-code limits count per address), the scheme (Secure cookies, the
websocket origin check) and the host the browser used are only in X-Forwarded-For,
X-Forwarded-Proto and X-Forwarded-Host. Anyone can send those headers, so they are read only
when the peer is inside a `trusted_proxies` network, and then X-Forwarded-For is walked from
the right: each trusted proxy appends the address it saw, so the first address from the
right that is not a trusted proxy is the client, and everything left of it is whatever that
client chose to send. Of Proto and Host the right-most value counts, the one the nearest
(trusted) proxy set. X-Forwarded-Port and RFC 7239 `Forwarded` are not read.

The middleware hands the rest of the app a clone of the request whose `remote`, `scheme` and
`host` are the forwarded ones, so `request.remote`, `request.secure` and `request.host`
mean the client's view everywhere, and no other module reads these headers.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiohttp import web

from api.errors import Handler

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

TRUSTED_PROXIES: web.AppKey[tuple[Network, ...]] = web.AppKey("trusted_proxies", tuple)

# A host name or bracketed IPv6 literal with an optional port: what a Host header may hold.
_HOST = re.compile(
    r"^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$", re.IGNORECASE
)
_V4_WITH_PORT = re.compile(r"^([0-9.]+):[0-9]{1,5}$")
_V6_BRACKETED = re.compile(r"^\[([0-9a-fA-F:.]+)\](?::[0-9]{1,5})?$")


@dataclass(frozen=True, slots=True)
class Forwarded:
    """How the client reached the first proxy; None fields: as the request arrived."""

    remote: str
    scheme: str | None = None
    host: str | None = None


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (`1.2.3.4`, `2001:db8::1`, `1.2.3.4:5678`,
    `[2001:db8::1]:443`), IPv4-mapped IPv6 as plain IPv4; None for anything else."""
    text = text.strip()
    if found := _V6_BRACKETED.match(text) or _V4_WITH_PORT.match(text):
        text = found[1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address | None, trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def forwarded_client(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]
) -> str | None:
    """The client's address: the peer itself unless it is a trusted proxy; then the right-most
    X-Forwarded-For entry that is not a trusted proxy (`forwarded_for`: the header's values
    in order). A malformed entry ends the walk, as does the end of the list: the nearest
    trusted hop we reached is the answer then (each entry was written by the trusted hop to
    its right, and left of an entry we cannot read nothing can be believed)."""
    nearest = parse_address(peer or "")
    if not is_trusted(nearest, trusted):
        return peer
    entries = [e for value in forwarded_for for e in value.split(",")]
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break
        if not is_trusted(address, trusted):
            return str(address)
        nearest = address
    return str(nearest)


def _last(values: Iterable[str]) -> str:
    entries = [e.strip() for value in values for e in value.split(",")]
    return entries[-1] if entries else ""


def resolve(
    peer: str | None,
    forwarded_for: Iterable[str],
    forwarded_proto: Iterable[str],
    forwarded_host: Iterable[str],
    trusted: Sequence[Network],
) -> Forwarded | None:
    """What the headers say, when the peer is a trusted proxy; None: believe none of them.
    A proto other than http/https and a host that is not a host name are ignored."""
    if not is_trusted(parse_address(peer or ""), trusted):
        return None
    proto = _last(forwarded_proto).lower()
    host = _last(forwarded_host)
    return Forwarded(
        remote=forwarded_client(peer, forwarded_for, trusted) or "",
        scheme=proto if proto in ("http", "https") else None,
        host=host if _HOST.match(host) else None,
    )


@web.middleware
async def proxy_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    trusted = request.app[TRUSTED_PROXIES]
    if not trusted:
        return await handler(request)
    headers = request.headers
    found = resolve(
        request.remote,
        headers.getall("X-Forwarded-For", []),
        headers.getall("X-Forwarded-Proto", []),
        headers.getall("X-Forwarded-Host", []),
        trusted,
    )
    if found is None:
        return await handler(request)
    clone = request.clone(
        remote=found.remote,
        scheme=found.scheme or request.scheme,
        host=found.host or request.host,
    )
    return await handler(clone)
