-- Mail outbox (written in the same transaction as the change that causes it), per-event template
-- overrides, bulk mails, unsubscribes, and the background job queue.

CREATE TABLE bulk_mails (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    audience TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_by TEXT REFERENCES organizers (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT REFERENCES events (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    reply_to TEXT,
    list_unsubscribe TEXT,
    entity_type TEXT,
    entity_id TEXT,
    bulk_id TEXT REFERENCES bulk_mails (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'logged')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_event_idx ON mail_outbox (event_id, created_at);
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient_email);
CREATE INDEX mail_outbox_bulk_idx ON mail_outbox (bulk_id);

CREATE TABLE mail_attachments (
    id TEXT PRIMARY KEY NOT NULL,
    mail_id TEXT NOT NULL REFERENCES mail_outbox (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX mail_attachments_mail_idx ON mail_attachments (mail_id);

CREATE TABLE mail_templates (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT REFERENCES organizers (id) ON DELETE SET NULL,
    UNIQUE (event_id, kind)
);

CREATE TABLE mail_unsubscribes (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, email)
);

-- Timed background work. `unique_key` stops the same job being queued twice
-- (e.g. "expire registration R"); `locked_until` is the lease of the instance running it.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead')),
    due_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due_idx ON jobs (status, due_at);
