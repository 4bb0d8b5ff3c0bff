-- Credentials never leave their owner (issue 11).
--
-- Registrations and accepted proposals keep only the SHA-256 of their links' tokens. The tokens
-- are derived from the secret key, the row id and `token_generation` (bumping it revokes them),
-- so Ghent can mail them again without storing them. Rows from before get generation -1 and a
-- placeholder hash; on start Ghent derives their tokens and stores the real hashes (links mailed
-- before this change stop working: they were stored in the clear).
ALTER TABLE registrations RENAME COLUMN manage_token TO manage_token_hash;
ALTER TABLE registrations RENAME COLUMN desk_token TO desk_token_hash;
ALTER TABLE registrations ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
UPDATE registrations SET token_generation = -1,
    manage_token_hash = 'legacy-manage-' || id, desk_token_hash = 'legacy-desk-' || id;

ALTER TABLE proposals RENAME COLUMN confirm_token TO confirm_token_hash;
ALTER TABLE proposals ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
UPDATE proposals SET token_generation = -1, confirm_token_hash = 'legacy-confirm-' || id
    WHERE confirm_token_hash IS NOT NULL;

-- Sign-in links issued before were random tokens that queued mail held in the clear: retire them
-- (owners resend invitations; people ask for a new link).
UPDATE auth_tokens SET used_at = created_at WHERE used_at IS NULL;

-- Mail: what credentials a message carries (JSON, '' for none), as references, never tokens.
-- Its bodies hold markers in their place; the worker derives the tokens when it sends.
ALTER TABLE mail_outbox ADD COLUMN credentials TEXT NOT NULL DEFAULT '';
-- An attachment made when the mail is sent: 'qr_png' renders the content (a URL with markers)
-- as a QR code. '' sends the bytes as they are.
ALTER TABLE mail_attachments ADD COLUMN render TEXT NOT NULL DEFAULT '' CHECK (render IN ('', 'qr_png'));

-- Check-in volunteers: a role that may use the desk and nothing else.
CREATE TABLE event_roles_new (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'organizer', 'reviewer', 'check_in')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, organizer_id)
);
INSERT INTO event_roles_new (id, event_id, organizer_id, role, created_at)
    SELECT id, event_id, organizer_id, role, created_at FROM event_roles;
DROP TABLE event_roles;
ALTER TABLE event_roles_new RENAME TO event_roles;
CREATE INDEX event_roles_organizer_idx ON event_roles (organizer_id);
