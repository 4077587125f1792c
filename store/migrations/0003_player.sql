-- Each user's play state (issue 5): one row per user, the whole state as JSON, and a
-- version that every write checks and bumps, so two devices cannot overwrite each other.
CREATE TABLE player_state (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    state       jsonb NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
