-- Cluster: the fencing term, and scan shards handed to replicas.

-- One row: the epoch of the current primary term. Every ingest write checks it in its own
-- transaction (FOR SHARE), so a deposed primary can never commit.
CREATE TABLE cluster_term (
    id          integer PRIMARY KEY CHECK (id = 1),
    epoch       bigint NOT NULL,
    primary_id  text,
    started_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO cluster_term (id, epoch) VALUES (1, 0);

CREATE TABLE scan_shards (
    id            bigserial PRIMARY KEY,
    scan_id       bigint NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    library_id    integer NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    -- What the shard covers, relative to the root: sub-trees walked recursively ('' is the
    -- whole root), and folders of which only the files directly inside belong to it.
    prefixes      bytea[] NOT NULL,
    flat_dirs     bytea[] NOT NULL,
    expected      integer NOT NULL DEFAULT 0,
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'assigned', 'done', 'failed')),
    assigned_to   text,
    epoch         bigint,
    attempts      integer NOT NULL DEFAULT 0,
    tried_by      text[] NOT NULL DEFAULT '{}',
    progress      jsonb NOT NULL DEFAULT '{}',
    error         text,
    assigned_at   timestamptz,
    finished_at   timestamptz
);
CREATE INDEX scan_shards_scan ON scan_shards (scan_id);
CREATE INDEX scan_shards_assigned ON scan_shards (assigned_to) WHERE state = 'assigned';
