"""The pure parts of favourites: which kinds there are, and the flag's SQL."""

from __future__ import annotations

import pytest

from store.favourites import KINDS, favourite_kind, flag_sql
from tonearm.errors import Invalid


@pytest.mark.parametrize(
    ("name", "table", "column"),
    [
        ("tracks", "favourite_tracks", "track_id"),
        ("albums", "favourite_albums", "album_id"),
        ("artists", "favourite_artists", "artist_id"),
    ],
)
def test_each_kind_has_its_own_table(name: str, table: str, column: str) -> None:
    kind = favourite_kind(name)
    assert (kind.name, kind.table, kind.column, kind.items) == (name, table, column, name)


@pytest.mark.parametrize("name", ["track", "Tracks", "playlists", "", "tracks/1", "x" * 500])
def test_anything_else_is_invalid_and_says_what_is_not(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        favourite_kind(name)
    assert caught.value.code == "invalid_kind"
    assert "tracks, albums, artists" in caught.value.message
    assert len(caught.value.message) < 120  # a long path segment is not echoed whole


def test_the_flag_is_null_without_a_viewer() -> None:
    sql = flag_sql(KINDS["albums"], "al.id", "$4")
    assert sql.startswith("CASE WHEN $4::bigint IS NULL THEN NULL ELSE EXISTS")
    assert (
        "FROM favourite_albums fav WHERE fav.user_id = $4::bigint AND fav.album_id = al.id" in sql
    )
    assert sql.endswith("END AS favourite")
