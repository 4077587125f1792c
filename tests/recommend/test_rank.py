"""The hybrid re-rank and diversity, as pure functions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recommend.rank import Profile, Scored, Weights, diversify, rank, score
from store.models import TrackMeta


def meta(
    tid: int,
    artist: int,
    album: int,
    *,
    genres: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    year: int | None = None,
    available: bool = True,
    album_artist: int | None = None,
) -> TrackMeta:
    return TrackMeta(
        id=tid,
        artist=f"artist {artist}",
        artist_ids=(artist,),
        album_id=album,
        album_artist_id=album_artist if album_artist is not None else artist,
        genres=frozenset(genres),
        tags=frozenset(tags),
        year=year,
        available=available,
    )


SEED = meta(1, artist=10, album=100, genres=("trip-hop",), tags=("moody",), year=1998)


def test_reasons_follow_the_components_and_their_weight() -> None:
    profile = Profile.of([SEED])
    same_artist = score(profile, meta(2, 10, 101, genres=("trip-hop",), year=1994), 0.8, 0.0)
    assert same_artist.reasons == ("sounds alike", "same artist", "same genre", "same era")
    stranger = score(profile, meta(3, 11, 102, year=1960), 0.1, 0.0)
    assert stranger.reasons == ()
    assert same_artist.score > stranger.score
    together = score(profile, meta(4, 12, 103, tags=("moody", "dark")), None, 1.0)
    assert together.reasons == ("listened together", "similar tags")
    # Not analysed: no sound component at all, so never "sounds alike".
    assert "sounds alike" not in score(profile, meta(5, 10, 104), None, 0.0).reasons
    # A featured artist's track on the seed artist's compilation: the album artist counts.
    comp = score(profile, meta(6, 13, 105, album_artist=10), None, 0.0)
    assert comp.reasons == ("same album artist",)


def test_sound_leads_and_metadata_moves_a_near_sound_alike_up() -> None:
    profile = Profile.of([SEED])
    metas = {
        2: meta(2, 11, 101),  # sounds most alike, nothing else in common
        3: meta(3, 10, 102, genres=("trip-hop",)),  # slightly less alike, same artist
        4: meta(4, 12, 103, genres=("trip-hop",)),  # same genre, sounds unlike
    }
    audio = {2: 0.9, 3: 0.8, 4: 0.05}
    ranked = rank(profile, metas, audio, {}, 3)
    assert [s.track_id for s in ranked] == [3, 2, 4]
    sound_only = rank(profile, metas, audio, {}, 3, weights=Weights(artist=0, genre=0))
    assert [s.track_id for s in sound_only] == [2, 3, 4]


def test_exclusions() -> None:
    profile = Profile.of([SEED])
    metas = {
        1: SEED,
        2: meta(2, 10, 100),  # the seed's album
        3: meta(3, 10, 101),
        4: meta(4, 10, 102, available=False),  # on an offline drive
        5: meta(5, 10, 103),  # recently played
    }
    ranked = rank(profile, metas, {}, {}, 10, exclude={1, 5}, exclude_albums={100})
    assert [s.track_id for s in ranked] == [3]


def test_colistening_is_scaled_to_the_best_candidate() -> None:
    profile = Profile.of([SEED])
    metas = {2: meta(2, 11, 101), 3: meta(3, 12, 102), 4: meta(4, 13, 103)}
    ranked = rank(profile, metas, {}, {2: 9, 3: 1}, 3)
    assert [s.track_id for s in ranked] == [2, 3, 4]
    assert ranked[0].score == Weights().colisten and ranked[2].reasons == ()


def test_a_profile_of_several_seeds_weighs_them() -> None:
    a = meta(1, 10, 100, genres=("jazz",), year=1960)
    b = meta(2, 20, 200, genres=("rock",), year=1990)
    profile = Profile.of([a, b], [3.0, 1.0])
    assert profile.artists == {10: 0.75, 20: 0.25}
    assert profile.genres == {"jazz": 0.75, "rock": 0.25}
    assert profile.year == 1967.5
    jazz = score(profile, meta(3, 10, 300, genres=("jazz",)), None, 0.0)
    rock = score(profile, meta(4, 20, 400, genres=("rock",)), None, 0.0)
    assert jazz.score > rock.score and rock.reasons == ("same genre",)


def test_diversity_spreads_artists_and_albums() -> None:
    # Six tracks by artist 1 score highest, three by others a little lower.
    metas = {i: meta(i, 1, 10 + i % 2) for i in range(6)} | {
        i: meta(i, i, 20 + i) for i in range(6, 9)
    }
    scored = [Scored(i, 1.0 - i * 0.01, ()) for i in range(6)] + [
        Scored(i, 0.8, ()) for i in range(6, 9)
    ]
    picks = [s.track_id for s in diversify(scored, metas, 9)]
    artists = [metas[t].artist_ids[0] for t in picks]
    assert picks[:2] == [0, 1]
    # The others are spread between artist 1's tracks while they last.
    assert all(len(set(artists[i : i + 3])) > 1 for i in range(6 - 2))
    assert set(artists[:7]) == {1, 6, 7, 8}
    assert sorted(picks) == list(range(9))
    # What played just before counts: after two by artist 1, another comes first.
    after = diversify(scored, metas, 3, preceding=[metas[0], metas[1]])
    assert metas[after[0].track_id].artist_ids[0] != 1


def test_a_run_goes_on_when_nothing_else_comes_near() -> None:
    metas = {i: meta(i, 1, 10) for i in range(4)} | {9: meta(9, 2, 20)}
    scored = [Scored(i, 1.0, ()) for i in range(4)] + [Scored(9, 0.1, ())]
    picks = [s.track_id for s in diversify(scored, metas, 5)]
    assert picks[:4] == [0, 1, 2, 3] and picks[4] == 9


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 6), st.floats(-1.0, 2.0)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 30),
)
def test_diversify_picks_each_candidate_at_most_once(
    rows: list[tuple[int, int, float]], limit: int
) -> None:
    metas = {i: meta(i, artist, album) for i, (artist, album, _) in enumerate(rows)}
    scored = [Scored(i, s, ()) for i, (_, _, s) in enumerate(rows)]
    picks = diversify(scored, metas, limit)
    ids = [p.track_id for p in picks]
    assert len(ids) == len(set(ids)) == min(limit, len(rows))
    # The best candidate always comes first: nothing came before it to spread out from.
    assert picks[0].score == max(s.score for s in scored)
