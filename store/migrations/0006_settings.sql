-- The web UI (issue 7): per-user settings that follow the user across devices, and the
-- waveform peaks of each track, computed on first request (later also during ingest).

CREATE TABLE user_settings (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    settings    jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One unsigned byte (0–255 ↦ 0..1) per bucket. size and mtime_ns are those of the file the
-- peaks were computed from: a changed file is decoded again.
CREATE TABLE track_waveforms (
    track_id    bigint PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
    size        bigint NOT NULL,
    mtime_ns    bigint NOT NULL,
    peaks       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
