"""Text folding for accent- and case-insensitive search, and LIKE pattern building."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})


def fold_text(text: str) -> str:
    """'Beyoncé' and 'BEYONCE' fold alike: decompose, drop combining marks, casefold. For
    one-off text (a track's whole search text); names go through the cached `fold`."""
    if text.isascii():
        return " ".join(text.lower().split())
    # Compatibility-decompose first ('𝓐' → 'A'), then casefold, then decompose what
    # casefolding produced, so folding a folded string changes nothing.
    folded = unicodedata.normalize("NFKD", text).casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


# A scan folds every artist and album name many times; a track's one-off search text would
# only push them out of the cache, hence two names for one function.
fold = lru_cache(maxsize=16384)(fold_text)


def like_patterns(query: str) -> list[str]:
    """One `%word%` pattern per word of the folded query, LIKE metacharacters escaped."""
    words = fold(query).split()
    return [
        "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words
    ]


def group_key(*parts: str | None) -> str:
    """A stable key from folded parts, for grouping albums and artists."""
    return "\x1f".join(fold(p or "") for p in parts)


def display_path(path: bytes) -> str:
    """A file path for people and for text columns: undecodable bytes become U+FFFD."""
    return path.decode("utf-8", "replace")
