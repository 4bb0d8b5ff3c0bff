-- Mail that will never be sent because its recipient erased their data is `withdrawn`, not
-- `dead`: a dead message can be retried by an organizer, a withdrawn one cannot.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'logged', 'withdrawn'));
UPDATE mail_outbox SET status = 'withdrawn' WHERE status = 'dead' AND last_error = 'personal data erased';
