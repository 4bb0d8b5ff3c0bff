-- One durable queue (issue 16). `jobs` holds every kind of queued work: background jobs, mail
-- delivery (one `mail.deliver` item per outbox row; the outbox stays the organizers' mail log)
-- and, later, webhook delivery. A claim is held by a *worker* (one per running instance) for as
-- long as that worker's heartbeat in `queue_workers` is fresh, judged by the database's clock:
-- a worker that dies gives its claims up when its heartbeat goes stale, a slow one keeps them.
-- `unique_key` is unique among waiting items only (queued or failed), so a running job may queue
-- its own successor (the next daily run, the next reminder).

UPDATE jobs SET status = 'queued', attempts = attempts - 1 WHERE status = 'running';
UPDATE jobs SET unique_key = NULL WHERE status NOT IN ('queued', 'failed');
ALTER TABLE jobs DROP CONSTRAINT jobs_unique_key_key;
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs RENAME COLUMN locked_by TO claimed_by;
ALTER TABLE jobs ADD COLUMN claimed_at TIMESTAMP;
ALTER TABLE jobs DROP COLUMN locked_until;
UPDATE jobs SET claimed_by = NULL;
DROP INDEX jobs_due_idx;
CREATE UNIQUE INDEX jobs_waiting_unique_idx ON jobs (unique_key)
    WHERE unique_key IS NOT NULL AND status IN ('queued', 'failed');
CREATE INDEX jobs_claim_idx ON jobs (status, kind, priority, due_at);
CREATE INDEX jobs_claimed_by_idx ON jobs (claimed_by);
CREATE TABLE queue_workers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL
);
INSERT INTO jobs (id, kind, payload, unique_key, status, priority, due_at, attempts,
        max_attempts, created_at, updated_at)
    SELECT 'mail-' || id, 'mail.deliver', '{"mail_id":"' || id || '"}', 'mail.deliver:' || id,
        CASE WHEN status = 'failed' THEN 'failed' ELSE 'queued' END,
        CASE WHEN bulk_id IS NULL THEN 10 ELSE 0 END,
        next_attempt_at, CASE WHEN status = 'sending' THEN attempts - 1 ELSE attempts END,
        8, created_at, created_at
    FROM mail_outbox WHERE status IN ('queued', 'sending', 'failed');
UPDATE mail_outbox SET status = 'queued' WHERE status = 'sending';

ALTER TABLE mail_outbox DROP COLUMN locked_until;
ALTER TABLE mail_outbox DROP COLUMN locked_by;

-- Daily maintenance became one recurring job per domain (accounts.purge_expired,
-- registration.retention), queued at start.
DELETE FROM jobs WHERE kind = 'maintenance.daily' AND status <> 'done';
