DELETE FROM event_roles WHERE role = 'check_in';
ALTER TABLE event_roles DROP CONSTRAINT event_roles_role_check;
ALTER TABLE event_roles ADD CONSTRAINT event_roles_role_check
    CHECK (role IN ('owner', 'organizer', 'reviewer'));

ALTER TABLE mail_attachments DROP COLUMN render;
ALTER TABLE mail_outbox DROP COLUMN credentials;

ALTER TABLE proposals DROP COLUMN token_generation;
ALTER TABLE proposals RENAME COLUMN confirm_token_hash TO confirm_token;
ALTER TABLE registrations DROP COLUMN token_generation;
ALTER TABLE registrations RENAME COLUMN desk_token_hash TO desk_token;
ALTER TABLE registrations RENAME COLUMN manage_token_hash TO manage_token;
