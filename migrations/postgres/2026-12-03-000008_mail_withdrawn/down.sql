UPDATE mail_outbox SET status = 'dead' WHERE status = 'withdrawn';
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'logged'));
