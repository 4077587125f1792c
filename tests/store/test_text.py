"""Folding for search: accents, case and spacing never matter; the fast path agrees."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from store.text import fold, like_patterns


def slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def test_examples() -> None:
    assert fold("Beyoncé") == fold("BEYONCE") == "beyonce"
    assert fold("  Sigur   Rós ") == "sigur ros"
    assert fold("Straße") == "strasse"
    assert fold("Mötley Crüe") == "motley crue"


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_the_general_rule(text: str) -> None:
    assert fold(text) == slow_fold(text)


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_like_patterns_escape_metacharacters() -> None:
    assert like_patterns("100% a_b") == ["%100\\%%", "%a\\_b%"]
