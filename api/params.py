"""Reading and validating request input: query parameters, path ids and JSON bodies."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web

from tonearm.errors import Invalid

T = TypeVar("T")

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MAX_ID = 2**63 - 1


def path_id(request: web.Request, name: str = "id") -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or int(raw) > MAX_ID or int(raw) == 0:
        raise Invalid(f"{name} must be a positive integer, not {raw!r}", code="invalid_id")
    return int(raw)


def int_param(
    request: web.Request, name: str, default: int, *, minimum: int = 0, maximum: int
) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{name} must be an integer, not {raw!r}", code="invalid_parameter") from None
    if not minimum <= value <= maximum:
        raise Invalid(f"{name} must be between {minimum} and {maximum}", code="invalid_parameter")
    return value


def paging(request: web.Request, default_limit: int = 50) -> tuple[int, int]:
    return (
        int_param(request, "limit", default_limit, minimum=1, maximum=MAX_LIMIT),
        int_param(request, "offset", 0, minimum=0, maximum=MAX_OFFSET),
    )


def choice(request: web.Request, name: str, options: tuple[str, ...], default: str) -> str:
    value = request.query.get(name) or default
    if value not in options:
        raise Invalid(f"{name} must be one of {', '.join(options)}", code="invalid_parameter")
    return value


def optional_id(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise Invalid(f"{name} must be a positive integer", code="invalid_parameter")
    return int(raw)


async def json_body(request: web.Request) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > 1_000_000:
        raise Invalid("request body too large", code="body_too_large")
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        raise Invalid("request body is not valid JSON", code="invalid_json") from None
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object", code="invalid_json")
    return body


def field(body: dict[str, Any], name: str, kind: type[T], *, required: bool = True) -> T | None:
    """body[name] checked against `kind` (bool is not an int here)."""
    if name not in body or body[name] is None:
        if required:
            raise Invalid(f"{name} is required", code="missing_field")
        return None
    value = body[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise Invalid(f"{name} must be an integer", code="invalid_field")
    if not isinstance(value, kind):
        raise Invalid(f"{name} must be a {kind.__name__}", code="invalid_field")
    return value


def required(body: dict[str, Any], name: str, kind: type[T]) -> T:
    value = field(body, name, kind)
    assert value is not None
    return value


def id_list(body: dict[str, Any], name: str, *, required: bool = True) -> list[int] | None:
    value = field(body, name, list, required=required)
    if value is None:
        return None
    if len(value) > 10_000 or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value
    ):
        raise Invalid(f"{name} must be a list of positive integer ids", code="invalid_field")
    return list(value)
