"""The API fixtures (a signed-in admin, a scanned library) for the deployment tests."""

from tests.api.conftest import admin, music, scanned

__all__ = ["admin", "music", "scanned"]
