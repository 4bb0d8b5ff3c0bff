DROP TABLE webhook_attempts;
DROP TABLE webhooks;
DROP TABLE api_idempotency;
DROP TABLE api_token_events;
DROP TABLE api_tokens;
ALTER TABLE rooms DROP COLUMN updated_at;
ALTER TABLE tracks DROP COLUMN updated_at;
ALTER TABLE questions DROP COLUMN updated_at;
ALTER TABLE sponsors DROP COLUMN updated_at;
