-- Favourites ("likes"): each user's favourite tracks, albums and artists, listed newest first.
--
-- One table per kind, so each has a real foreign key: deleting a user, or the track, album or
-- artist, deletes its favourites with it. A rescan keeps the ids of albums (keyed by their
-- group_key) and artists (by name_key) that still have tracks, moved files included, so
-- their favourites stay; a file that is gone takes its track's favourites with it, and an
-- album or artist pruned once nothing refers to it loses its own (if it comes back later it
-- is a new row, and not a favourite).
-- Favouriting again keeps the first time (the statement is ON CONFLICT DO NOTHING).

CREATE TABLE favourite_tracks (
    user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id       bigint NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    favourited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, track_id)
);
-- The list, newest first; the cascade from a deleted track (the primary key leads by user).
CREATE INDEX favourite_tracks_recent ON favourite_tracks (user_id, favourited_at DESC, track_id DESC);
CREATE INDEX favourite_tracks_track ON favourite_tracks (track_id);

CREATE TABLE favourite_albums (
    user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id       bigint NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    favourited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, album_id)
);
CREATE INDEX favourite_albums_recent ON favourite_albums (user_id, favourited_at DESC, album_id DESC);
CREATE INDEX favourite_albums_album ON favourite_albums (album_id);

CREATE TABLE favourite_artists (
    user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    artist_id      bigint NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    favourited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, artist_id)
);
CREATE INDEX favourite_artists_recent ON favourite_artists (user_id, favourited_at DESC, artist_id DESC);
CREATE INDEX favourite_artists_artist ON favourite_artists (artist_id);
