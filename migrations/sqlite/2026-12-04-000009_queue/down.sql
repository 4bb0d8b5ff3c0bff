-- Back to the lease columns: delivery state returns to the outbox, mail items leave the queue.
ALTER TABLE mail_outbox ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE mail_outbox ADD COLUMN locked_by TEXT;
DELETE FROM jobs WHERE kind = 'mail.deliver';
DROP TABLE queue_workers;
CREATE TABLE jobs_old (
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
INSERT INTO jobs_old (id, kind, payload, unique_key, status, due_at, attempts, max_attempts,
        locked_until, locked_by, last_error, created_at, updated_at, finished_at)
    SELECT id, kind, payload, unique_key, CASE WHEN status = 'running' THEN 'queued' ELSE status END,
        due_at, attempts, max_attempts, NULL, NULL, last_error, created_at, updated_at, finished_at
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
CREATE INDEX jobs_due_idx ON jobs (status, due_at);
