UPDATE mail_outbox SET status = 'dead' WHERE status = 'withdrawn';
-- Back to the statuses before `withdrawn`.
CREATE TABLE mail_outbox_new (
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
    sent_at TIMESTAMP,
    credentials TEXT NOT NULL DEFAULT ''
);
INSERT INTO mail_outbox_new SELECT id, event_id, kind, recipient_email, recipient_name, subject,
    text_body, html_body, message_id, reply_to, list_unsubscribe, entity_type, entity_id, bulk_id,
    status, attempts, next_attempt_at, locked_until, locked_by, last_error, created_at, sent_at,
    credentials FROM mail_outbox;

-- Attachments move first: dropping the old outbox would cascade to them.
CREATE TABLE mail_attachments_new (
    id TEXT PRIMARY KEY NOT NULL,
    mail_id TEXT NOT NULL REFERENCES mail_outbox_new (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BLOB NOT NULL,
    position INTEGER NOT NULL,
    render TEXT NOT NULL DEFAULT '' CHECK (render IN ('', 'qr_png'))
);
INSERT INTO mail_attachments_new SELECT id, mail_id, filename, content_type, content, position, render
    FROM mail_attachments;
DROP TABLE mail_attachments;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_new RENAME TO mail_outbox;
ALTER TABLE mail_attachments_new RENAME TO mail_attachments;
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_event_idx ON mail_outbox (event_id, created_at);
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (recipient_email);
CREATE INDEX mail_outbox_bulk_idx ON mail_outbox (bulk_id);
CREATE INDEX mail_attachments_mail_idx ON mail_attachments (mail_id);
