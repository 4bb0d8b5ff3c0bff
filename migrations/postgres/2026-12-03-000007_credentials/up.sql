-- Credentials never leave their owner (issue 11). See the SQLite migration for the reasons.
ALTER TABLE registrations RENAME COLUMN manage_token TO manage_token_hash;
ALTER TABLE registrations RENAME COLUMN desk_token TO desk_token_hash;
ALTER TABLE registrations ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
UPDATE registrations SET token_generation = -1,
    manage_token_hash = 'legacy-manage-' || id, desk_token_hash = 'legacy-desk-' || id;

ALTER TABLE proposals RENAME COLUMN confirm_token TO confirm_token_hash;
ALTER TABLE proposals ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
UPDATE proposals SET token_generation = -1, confirm_token_hash = 'legacy-confirm-' || id
    WHERE confirm_token_hash IS NOT NULL;

UPDATE auth_tokens SET used_at = created_at WHERE used_at IS NULL;

ALTER TABLE mail_outbox ADD COLUMN credentials TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_attachments ADD COLUMN render TEXT NOT NULL DEFAULT '' CHECK (render IN ('', 'qr_png'));

ALTER TABLE event_roles DROP CONSTRAINT event_roles_role_check;
ALTER TABLE event_roles ADD CONSTRAINT event_roles_role_check
    CHECK (role IN ('owner', 'organizer', 'reviewer', 'check_in'));
