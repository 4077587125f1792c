"""The desktop clients' tests: the presence companion is importable from clients/presence."""

from __future__ import annotations

import sys
from pathlib import Path

PRESENCE = Path(__file__).resolve().parents[2] / "clients" / "presence"
if str(PRESENCE) not in sys.path:
    sys.path.insert(0, str(PRESENCE))

# The API tests' fixtures: a signed-in admin and a scanned library.
from tests.api.conftest import admin, music, scanned  # noqa: E402, F401

# The browser tests' real `tonearm serve` on a generated library, for the desktop app.
from tests.web.conftest import server, web_db  # noqa: E402, F401
