-- Audio analysis (issue 6): one row per analysed track, and the shards that spread the
-- analysis over the replicas like the walk's shards.

-- size and mtime_ns are those of the file that was analysed and version is
-- ingest.analyze.FEATURE_VERSION: a changed file or a new extractor means analyse again.
-- features is the raw (not normalised) vector as little-endian float32, DIM values;
-- recommend/ normalises over the whole library when it builds its index.
CREATE TABLE track_analysis (
    track_id        bigint PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
    version         integer NOT NULL,
    size            bigint NOT NULL,
    mtime_ns        bigint NOT NULL,
    status          text NOT NULL CHECK (status IN ('ok', 'failed')),
    error           text,
    features        bytea,
    bpm             real,
    musical_key     text,
    loudness_lufs   real,
    replay_gain_db  real,
    analysed_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'ok') = (features IS NOT NULL))
);
-- The index build reads every current vector; a NOTIFY tells replicas which rows are new.
CREATE INDEX track_analysis_ok ON track_analysis (analysed_at) WHERE status = 'ok';

CREATE TABLE analysis_shards (
    id            bigserial PRIMARY KEY,
    track_ids     bigint[] NOT NULL,
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'assigned', 'done', 'failed')),
    assigned_to   text,
    epoch         bigint,
    attempts      integer NOT NULL DEFAULT 0,
    tried_by      text[] NOT NULL DEFAULT '{}',
    done          integer NOT NULL DEFAULT 0,
    failed        integer NOT NULL DEFAULT 0,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    assigned_at   timestamptz,
    finished_at   timestamptz
);
CREATE INDEX analysis_shards_open ON analysis_shards (state) WHERE state IN ('pending', 'assigned');
CREATE INDEX analysis_shards_assigned ON analysis_shards (assigned_to) WHERE state = 'assigned';
