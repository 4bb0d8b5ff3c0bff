-- The REST API and webhooks.
--
-- An API token belongs to an organizer and never grants more than their roles. Only the
-- SHA-256 of the secret is kept (it is shown once). `all_events` tokens follow the owner's
-- events; otherwise `api_token_events` lists the events it may reach.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scope TEXT NOT NULL,
    all_events BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_organizer ON api_tokens (organizer_id);

CREATE TABLE api_token_events (
    token_id TEXT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, event_id)
);

-- A POST's response, kept under its Idempotency-Key so a retry gets it again instead of
-- repeating the change. Written in the change's transaction.
CREATE TABLE api_idempotency (
    token_id TEXT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);

-- An event's webhook endpoint. `event_types` is a space-separated list. `failing_since` is the
-- first failed delivery since the last success; a day of that disables the endpoint.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    failing_since TIMESTAMP,
    disabled_reason TEXT,
    created_by TEXT REFERENCES organizers (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_event ON webhooks (event_id);

-- One attempt to deliver one message (the same `message_id` on every retry).
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    succeeded BOOLEAN NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    response_excerpt TEXT NOT NULL,
    error TEXT,
    payload TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, attempted_at);

-- updated_at where a table the API serves lacked it (for ?updated_since=).
ALTER TABLE rooms ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE tracks ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE questions ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE sponsors ADD COLUMN updated_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
UPDATE rooms SET updated_at = (SELECT e.updated_at FROM events e WHERE e.id = rooms.event_id);
UPDATE tracks SET updated_at = (SELECT e.updated_at FROM events e WHERE e.id = tracks.event_id);
UPDATE questions SET updated_at = (SELECT e.updated_at FROM events e WHERE e.id = questions.event_id);
UPDATE sponsors SET updated_at = created_at;
