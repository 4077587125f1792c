-- Listen parties (issue 8): a host whose play state drives what every member hears, on
-- whatever replica each of them is connected to.

-- `id` is the invite link's secret (128 random bits); `code` is an optional second factor
-- and is never found by value. The timeline members schedule against: the host's track was
-- at `position_ms` at `anchor_at` (the database's clock, which every replica shares), and
-- moves on from there while `playing`.
CREATE TABLE parties (
    id                text PRIMARY KEY,
    host_id           bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code              text CHECK (code ~ '^[0-9]{4}$'),
    code_set_at       timestamptz NOT NULL DEFAULT now(),
    code_rotated      boolean NOT NULL DEFAULT false,
    allow_suggestions boolean NOT NULL DEFAULT false,
    track_id          bigint,
    position_ms       bigint NOT NULL DEFAULT 0,
    playing           boolean NOT NULL DEFAULT false,
    anchor_at         timestamptz NOT NULL DEFAULT now(),
    -- The host's play-state version the timeline was last taken from: a late write of an
    -- older version never moves it back.
    anchor_version    bigint NOT NULL DEFAULT 0,
    -- Bumped by every change, announced with it; `event` says what the change was.
    seq               bigint NOT NULL DEFAULT 1,
    event             text NOT NULL DEFAULT 'started',
    created_at        timestamptz NOT NULL DEFAULT now(),
    ended_at          timestamptz
);
-- One running party per host.
CREATE UNIQUE INDEX parties_host ON parties (host_id) WHERE ended_at IS NULL;

CREATE TABLE party_members (
    party_id   text NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (party_id, user_id)
);
CREATE INDEX party_members_user ON party_members (user_id);

-- Wrong join codes, counted in the database so the limits hold across replicas: per user
-- and per client address (lock-out), per party (the code is replaced after too many).
-- `party_id` is null for a party that does not exist or has ended.
CREATE TABLE party_join_failures (
    id        bigserial PRIMARY KEY,
    party_id  text REFERENCES parties(id) ON DELETE CASCADE,
    user_id   bigint NOT NULL,
    client    text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX party_join_failures_user ON party_join_failures (user_id, at);
CREATE INDEX party_join_failures_client ON party_join_failures (client, at);
CREATE INDEX party_join_failures_party ON party_join_failures (party_id, at);
