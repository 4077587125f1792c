"""The errors users can see: each has a stable code and an HTTP status, matched by type."""

from __future__ import annotations


class AppError(Exception):
    """An error meant for the user: `code` is stable, `message` is safe to show."""

    code = "error"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.headers = headers or {}


class Invalid(AppError):
    code, status = "invalid", 400


class Unauthorized(AppError):
    code, status = "unauthorized", 401


class Forbidden(AppError):
    code, status = "forbidden", 403


class NotFound(AppError):
    code, status = "not_found", 404


class Conflict(AppError):
    code, status = "conflict", 409


class TooManyRequests(AppError):
    code, status = "too_many_requests", 429


class Unavailable(AppError):
    code, status = "unavailable", 503
