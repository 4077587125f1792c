-- Tonearm schema, version 1: libraries, catalogue, users, sessions, playlists, listens, scans.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE libraries (
    id              serial PRIMARY KEY,
    path            text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'unknown'
                    CHECK (status IN ('unknown', 'online', 'offline')),
    status_reason   text,
    file_counts     jsonb NOT NULL DEFAULT '{}',
    last_scan_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE artists (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    name_key    text NOT NULL UNIQUE,
    search_text text NOT NULL,
    mbid        text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artists_search ON artists USING gin (search_text gin_trgm_ops);

CREATE TABLE covers (
    id          bigserial PRIMARY KEY,
    sha1        text NOT NULL UNIQUE,
    mime        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('embedded', 'file')),
    library_id  integer NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    rel_path    bytea NOT NULL
);

CREATE TABLE albums (
    id              bigserial PRIMARY KEY,
    group_key       text NOT NULL UNIQUE,
    title           text NOT NULL,
    album_artist    text NOT NULL,
    album_artist_id bigint REFERENCES artists(id) ON DELETE SET NULL,
    mb_album_id     text,
    year            integer,
    compilation     boolean NOT NULL DEFAULT false,
    cover_id        bigint REFERENCES covers(id) ON DELETE SET NULL,
    search_text     text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX albums_search ON albums USING gin (search_text gin_trgm_ops);
CREATE INDEX albums_created ON albums (created_at DESC, id DESC);
CREATE INDEX albums_artist ON albums (album_artist_id);

CREATE TABLE tracks (
    id              bigserial PRIMARY KEY,
    library_id      integer NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    rel_path        bytea NOT NULL,
    size            bigint NOT NULL,
    mtime_ns        bigint NOT NULL,
    album_id        bigint NOT NULL REFERENCES albums(id),
    cover_id        bigint REFERENCES covers(id) ON DELETE SET NULL,
    title           text NOT NULL,
    artist          text NOT NULL,
    track_no        integer,
    track_total     integer,
    disc_no         integer,
    disc_total      integer,
    year            integer,
    date            text,
    genres          text[] NOT NULL DEFAULT '{}',
    compilation     boolean NOT NULL DEFAULT false,
    duration        double precision NOT NULL DEFAULT 0,
    bitrate         integer,
    sample_rate     integer,
    channels        smallint,
    format          text NOT NULL,
    mime            text NOT NULL,
    mb_recording_id text,
    mb_track_id     text,
    mb_album_id     text,
    rg_track_gain   double precision,
    rg_track_peak   double precision,
    rg_album_gain   double precision,
    rg_album_peak   double precision,
    search_text     text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (library_id, rel_path)
);
CREATE INDEX tracks_album ON tracks (album_id, disc_no, track_no);
CREATE INDEX tracks_search ON tracks USING gin (search_text gin_trgm_ops);

CREATE TABLE track_artists (
    track_id   bigint NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    artist_id  bigint NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    position   smallint NOT NULL,
    PRIMARY KEY (track_id, position)
);
CREATE INDEX track_artists_artist ON track_artists (artist_id);

CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL,
    password_hash  text NOT NULL,
    is_admin       boolean NOT NULL DEFAULT false,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_name ON users (lower(name));

CREATE TABLE sessions (
    token_sha256  text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, counted in the database so the limit holds across replicas.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    account    text NOT NULL,
    client     text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_account ON login_failures (account, at);
CREATE INDEX login_failures_client ON login_failures (client, at);

CREATE TABLE playlists (
    id          bigserial PRIMARY KEY,
    owner_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_owner ON playlists (owner_id);

CREATE TABLE playlist_tracks (
    playlist_id bigint NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    position    integer NOT NULL,
    track_id    bigint NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    PRIMARY KEY (playlist_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE listens (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id      bigint NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    played_at     timestamptz NOT NULL DEFAULT now(),
    ms_played     integer NOT NULL,
    context_type  text,
    context_id    text
);
CREATE INDEX listens_user ON listens (user_id, played_at DESC);

CREATE TABLE scans (
    id              bigserial PRIMARY KEY,
    state           text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    requested_by    text,
    full_rescan     boolean NOT NULL DEFAULT false,
    started_at      timestamptz,
    finished_at     timestamptz,
    progress        jsonb NOT NULL DEFAULT '{}',
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scans_recent ON scans (id DESC);
