"""Behind a reverse proxy: X-Forwarded-* believed from `trusted_proxies` only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from ipaddress import ip_network

import pytest

from api.auth import MAX_FAILURES_PER_CLIENT
from api.context import SERVICES
from api.proxy import Forwarded, forwarded_client, parse_address, resolve
from tests.api.conftest import PASSWORD, Client, MakeClient
from tonearm.config import Config

INGRESS = (ip_network("10.244.0.0/16"), ip_network("fd00:10:244::/48"))
POD = "10.244.1.7"
CLIENT = "203.0.113.7"
OTHER = "198.51.100.2"
HOST = "music.example.com"


# The rules: pure functions.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:10.244.1.7", "10.244.1.7"),
        ("", None),
        ("unknown", None),
        ("_hidden", None),
        ("203.0.113", None),
        ("203.0.113.300", None),
        ("2001:db8::1:443", "2001:db8::1:443"),  # a valid address, not one with a port
        ("[2001:db8::1", None),
        ("1.2.3.4; DROP TABLE", None),
        ("x" * 10_000, None),
    ],
)
def test_parse_address(text: str, expected: str | None) -> None:
    found = parse_address(text)
    assert (str(found) if found else None) == expected


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # The peer is no proxy of ours: the headers are anyone's words.
        (CLIENT, [OTHER], CLIENT),
        ("10.245.0.1", [OTHER], "10.245.0.1"),
        (None, [OTHER], None),
        # Through the ingress.
        (POD, [CLIENT], CLIENT),
        (POD, [f" {CLIENT} "], CLIENT),
        (f"::ffff:{POD}", [CLIENT], CLIENT),
        ("fd00:10:244::5", ["2001:db8::7"], "2001:db8::7"),
        (POD, ["[2001:db8::7]:443"], "2001:db8::7"),
        # The client wrote the left-most entries itself: only the right-most count.
        (POD, [f"1.1.1.1, 127.0.0.1, {CLIENT}"], CLIENT),
        (POD, ["10.244.9.9", CLIENT], CLIENT),  # two header lines are one list
        # Chains of trusted proxies are walked past.
        (POD, [f"{CLIENT}, 10.244.3.3, 10.244.2.2"], CLIENT),
        (POD, [f"1.1.1.1, {CLIENT}, 10.244.3.3", "10.244.2.2"], CLIENT),
        # Only trusted hops: the farthest one reached (its neighbour vouched for it).
        (POD, ["10.244.3.3, 10.244.2.2"], "10.244.3.3"),
        (POD, [], POD),
        (POD, [""], POD),
        # Garbage ends the walk: nothing left of it can be believed.
        (POD, ["garbage"], POD),
        (POD, [f"{CLIENT}, unknown"], POD),
        (POD, [f"{CLIENT}, unknown, 10.244.2.2"], "10.244.2.2"),
        (POD, [f"{CLIENT},, 10.244.2.2"], "10.244.2.2"),
        (POD, [f"garbage, {CLIENT}"], CLIENT),
    ],
)
def test_forwarded_client(peer: str | None, forwarded_for: list[str], expected: str | None) -> None:
    assert forwarded_client(peer, forwarded_for, INGRESS) == expected


def test_nothing_is_trusted_by_default() -> None:
    assert forwarded_client(POD, [CLIENT], ()) == POD
    assert resolve(POD, [CLIENT], ["https"], ["music.example.com"], ()) is None


@pytest.mark.parametrize(
    ("proto", "host", "expected"),
    [
        (["https"], [HOST], Forwarded(CLIENT, "https", HOST)),
        (
            ["HTTPS"],
            ["Music.Example.com:8443"],
            Forwarded(CLIENT, "https", "Music.Example.com:8443"),
        ),
        (["http, https"], [f"evil.example, {HOST}"], Forwarded(CLIENT, "https", HOST)),
        (["https", "http"], [], Forwarded(CLIENT, "http", None)),
        ([], ["[2001:db8::1]:8080"], Forwarded(CLIENT, None, "[2001:db8::1]:8080")),
        (["gopher"], ["music.example.com/path"], Forwarded(CLIENT, None, None)),
        (["https "], ["music example"], Forwarded(CLIENT, "https", None)),
        ([""], [""], Forwarded(CLIENT, None, None)),
    ],
)
def test_resolve(proto: list[str], host: list[str], expected: Forwarded) -> None:
    assert resolve(POD, [CLIENT], proto, host, INGRESS) == expected
    assert resolve(CLIENT, [OTHER], proto, host, INGRESS) is None


# Through the API (the test client's peer is 127.0.0.1).


async def _fail_login(client: Client, name: str, forwarded_for: str) -> int:
    resp = await client.post(
        "/api/v1/auth/login",
        json={"name": name, "password": "wrong-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return resp.status


async def test_login_limits_count_the_forwarded_client_from_a_trusted_proxy(
    make_client: MakeClient, config: Config
) -> None:
    client = await make_client(replace(config, trusted_proxies=(ip_network("127.0.0.1"),)))
    users = client.app[SERVICES].users
    assert await _fail_login(client, "someone", f"10.0.0.1, {CLIENT}") == 401
    by_client = (await users.recent_failures("x", CLIENT, timedelta(minutes=15)))[1]
    assert by_client == 1
    assert (await users.recent_failures("x", "127.0.0.1", timedelta(minutes=15)))[1] == 0
    for n in range(MAX_FAILURES_PER_CLIENT - 1):
        await users.record_failure(f"guess{n}", CLIENT)
    assert await _fail_login(client, "another", CLIENT) == 429
    # Spoofing the left-most entry does not escape the limit...
    assert await _fail_login(client, "another", f"{OTHER}, {CLIENT}") == 429
    # ...and another client behind the same proxy is not locked out with it.
    assert await _fail_login(client, "another", OTHER) == 401


async def test_the_header_is_ignored_from_an_untrusted_peer(
    make_client: MakeClient, config: Config
) -> None:
    client = await make_client(replace(config, trusted_proxies=(ip_network("10.0.0.0/8"),)))
    users = client.app[SERVICES].users
    assert await _fail_login(client, "someone", CLIENT) == 401
    assert (await users.recent_failures("x", "127.0.0.1", timedelta(minutes=15)))[1] == 1
    assert (await users.recent_failures("x", CLIENT, timedelta(minutes=15)))[1] == 0
    for n in range(MAX_FAILURES_PER_CLIENT - 1):
        await users.record_failure(f"guess{n}", "127.0.0.1")
    # A made-up address does not get the peer a fresh count.
    assert await _fail_login(client, "another", OTHER) == 429


@pytest.mark.parametrize(("trusted", "secure"), [(True, True), (False, False)])
async def test_secure_cookies_follow_a_trusted_proxys_proto(
    make_client: MakeClient, config: Config, trusted: bool, secure: bool
) -> None:
    networks = (ip_network("127.0.0.0/8"),) if trusted else ()
    client = await make_client(replace(config, trusted_proxies=networks))
    resp = await client.post(
        "/api/v1/auth/setup",
        json={"name": "admin", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT},
    )
    assert resp.status == 201
    assert bool(resp.cookies["tonearm_session"]["secure"]) is secure
    assert bool(resp.cookies["tonearm_csrf"]["secure"]) is secure
