-- Recommendations (issue 6): co-listening lookups and each user's generated mixes.

-- "Listened together" starts from the listens of one track: find them without a scan.
CREATE INDEX listens_track ON listens (track_id, played_at DESC);

-- A user's generated mixes, one row per slot: regenerating a user's mixes rewrites the
-- rows in place, so a mix keeps its id (a player context or a listen may name it) while
-- its tracks change. track_ids is the mix in play order.
CREATE TABLE user_mixes (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    slot          integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('taste', 'recent', 'discover', 'genre')),
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    cover_track   bigint REFERENCES tracks(id) ON DELETE SET NULL,
    track_ids     bigint[] NOT NULL,
    generated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, slot)
);

-- Metadata-only candidates (a seed not analysed yet) are the tracks sharing a genre.
CREATE INDEX tracks_genres ON tracks USING gin (genres);
