-- Metadata enrichment from MusicBrainz (and art from the Cover Art Archive), per album.

CREATE TABLE album_enrichment (
    album_id     bigint PRIMARY KEY REFERENCES albums(id) ON DELETE CASCADE,
    status       text NOT NULL CHECK (status IN ('found', 'not_found', 'error')),
    mbid         text,
    release_group_id text,
    genres       text[] NOT NULL DEFAULT '{}',
    tags         text[] NOT NULL DEFAULT '{}',
    release_date text,
    attempts     integer NOT NULL DEFAULT 1,
    error        text,
    fetched_at   timestamptz NOT NULL DEFAULT now()
);

-- The shared request clock: every request to MusicBrainz takes the next slot from here,
-- so the rate limit holds across replicas and across a failover.
CREATE TABLE enrichment_clock (
    service  text PRIMARY KEY,
    next_at  timestamptz NOT NULL
);

-- Covers fetched from the network have no file in a library: their bytes live here.
ALTER TABLE covers DROP CONSTRAINT covers_kind_check;
ALTER TABLE covers ADD CONSTRAINT covers_kind_check CHECK (kind IN ('embedded', 'file', 'remote'));
ALTER TABLE covers ADD COLUMN data bytea;
ALTER TABLE covers ALTER COLUMN library_id DROP NOT NULL;
ALTER TABLE covers ALTER COLUMN rel_path DROP NOT NULL;
