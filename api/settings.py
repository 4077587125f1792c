"""The clients' per-user settings: what may be stored, checked key by key, and the defaults.

A PUT carries any subset of the keys; each given key replaces the stored value whole (null
puts the default back). Unknown keys are refused, so a typo cannot pile up junk, and the
stored document is capped at MAX_BYTES.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from typing import Any

from tonearm.errors import Invalid

MAX_BYTES = 16 * 1024
MAX_WIDGETS = 16
THEMES = ("auto", "light", "dark")
DEFAULTS: dict[str, Any] = {"theme": "auto", "volume": 50, "visualizers": {}, "shortcuts": {}}
# The web UI's rebindable actions (web/src/lib/shortcuts.ts; a Vitest test keeps the two lists
# equal). A binding is one key combination: modifiers Mod, Alt, Shift in that order, then a
# named key ("ArrowLeft", "Space") or one typed character.
SHORTCUT_ACTIONS = (
    "play_pause", "previous", "next", "seek_back", "seek_forward", "volume_up", "volume_down",
    "search", "quick_search", "playing_album", "favourite", "help",
    "queue_remove", "queue_select_all", "queue_clear_selection",
)  # fmt: skip
MAX_COMBO = 40
_COMBO = re.compile(
    r"^(?:Mod\+)?(?:Alt\+)?(?:Shift\+)?(?:[A-Z][A-Za-z0-9]{1,19}|[^\s\x00-\x1f\x7f])$"
)

_WIDGET_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# Pixel coordinates of a floating widget: generous, the client clamps them to its window.
_COORD = (-100_000.0, 100_000.0)
_SIZE = (40.0, 20_000.0)


def _bad(message: str) -> Invalid:
    return Invalid(message, code="invalid_setting")


def _number(widget: str, name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"visualizers.{widget}.{name} must be a number")
    if not low <= value <= high:
        raise _bad(f"visualizers.{widget}.{name} must be between {low:g} and {high:g}")
    return round(float(value), 1)


def _widget(widget: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"visualizers.{widget} must be an object")
    unknown = set(value) - {"visible", "x", "y", "width", "height", "mode"}
    if unknown:
        raise _bad(f"visualizers.{widget} has unknown keys: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    if "visible" in value:
        if not isinstance(value["visible"], bool):
            raise _bad(f"visualizers.{widget}.visible must be true or false")
        out["visible"] = value["visible"]
    for name in ("x", "y"):
        if name in value:
            out[name] = _number(widget, name, value[name], *_COORD)
    for name in ("width", "height"):
        if name in value:
            out[name] = _number(widget, name, value[name], *_SIZE)
    if "mode" in value:
        mode = value["mode"]
        if not isinstance(mode, str) or not 0 < len(mode) <= 32:
            raise _bad(f"visualizers.{widget}.mode must be a short string")
        out["mode"] = mode
    return out


def _visualizers(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad("visualizers must be an object of widgets by id")
    if len(value) > MAX_WIDGETS:
        raise _bad(f"at most {MAX_WIDGETS} visualizers")
    out = {}
    for widget, layout in value.items():
        if not _WIDGET_ID.match(widget):
            raise _bad(f"{widget[:40]!r} is not a visualizer id (a-z, 0-9, _ and -)")
        out[widget] = _widget(widget, layout)
    return out


def _shortcuts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _bad("shortcuts must be an object of key combinations by action")
    if len(value) > len(SHORTCUT_ACTIONS):
        raise _bad(f"at most {len(SHORTCUT_ACTIONS)} shortcuts")
    out: dict[str, str] = {}
    for action, combo in value.items():
        if action not in SHORTCUT_ACTIONS:
            raise _bad(f"{action[:40]!r} is not a shortcut action")
        if not isinstance(combo, str) or len(combo) > MAX_COMBO or not _COMBO.fullmatch(combo):
            raise _bad(f"shortcuts.{action} must be a key combination such as Shift+C or Mod+K")
        if combo in out.values():
            raise _bad(f"shortcuts.{action}: {combo} is already bound to another action")
        out[action] = combo
    return out


def _theme(value: Any) -> str:
    if value not in THEMES:
        raise _bad(f"theme must be one of {', '.join(THEMES)}")
    return str(value)


def _volume(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise _bad("volume must be a whole number from 0 to 100")
    return value


_CHECKS = {
    "theme": _theme,
    "volume": _volume,
    "visualizers": _visualizers,
    "shortcuts": _shortcuts,
}


def apply_patch(stored: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The stored document with `patch` applied; raises Invalid (400) on any bad key."""
    unknown = set(patch) - set(_CHECKS)
    if unknown:
        raise Invalid(
            f"unknown settings: {', '.join(sorted(unknown))[:200]}", code="unknown_setting"
        )
    out = {k: v for k, v in stored.items() if k in _CHECKS}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _CHECKS[key](value)
    if len(json.dumps(out, separators=(",", ":"))) > MAX_BYTES:
        raise Invalid(f"settings are limited to {MAX_BYTES} bytes", code="settings_too_large")
    return out


def with_defaults(stored: dict[str, Any]) -> dict[str, Any]:
    """What clients see: every key, stored values over the defaults (unreadable ones dropped)."""
    out = dict(DEFAULTS)
    for key, check in _CHECKS.items():
        if key in stored:
            # A value written under an older rule is dropped; the default stands in.
            with contextlib.suppress(Invalid):
                out[key] = check(stored[key])
    return out
