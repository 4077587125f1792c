-- Listen parties, continued (issue 8): who is connected right now, a party whose host has
-- gone, and members' suggestions counted for their rate limit.

-- One row per party socket owner per replica: (party, user, replica) while that replica
-- holds at least one of the user's sockets to the party. `replica` is the serving
-- process's random id, so two devices on two replicas are two rows and one of them closing
-- does not hide the other. Each replica refreshes `seen_at` of its own rows every few
-- seconds; the rows of a replica that died are no longer refreshed, count as gone once
-- they are older than the expiry (api/party/rules.py) and are deleted by whichever replica
-- sweeps first.
CREATE TABLE party_presence (
    party_id  text NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    replica   text NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (party_id, user_id, replica)
);
CREATE INDEX party_presence_replica ON party_presence (replica);
CREATE INDEX party_presence_seen ON party_presence (seen_at);

-- The last moment the host was known to have a party socket open on some replica (or
-- started the party, or became its host): once that is longer ago than the setting
-- `party_host_grace`, and no fresh presence row of the host exists, the party ends.
ALTER TABLE parties ADD COLUMN host_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX parties_running_host_seen ON parties (host_seen_at) WHERE ended_at IS NULL;

-- Suggestions taken from members, counted in the database so the per-member rate limit
-- holds across replicas.
CREATE TABLE party_suggestions (
    id        bigserial PRIMARY KEY,
    party_id  text NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    user_id   bigint NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX party_suggestions_user ON party_suggestions (user_id, at);
