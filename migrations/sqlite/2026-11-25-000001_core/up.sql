-- Core: venues, events, organizer accounts, roles, sessions, audit log, single-use tokens.
-- Ids are random UUIDs stored as text; times are UTC timestamps written by the application clock.

CREATE TABLE venues (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    venue_id TEXT REFERENCES venues (id),
    description TEXT NOT NULL,
    capacity INTEGER,
    registration_opens_at TIMESTAMP,
    registration_closes_at TIMESTAMP,
    cfp_opens_at TIMESTAMP,
    cfp_closes_at TIMESTAMP,
    cfp_description TEXT NOT NULL,
    review_score_min INTEGER NOT NULL,
    review_score_max INTEGER NOT NULL,
    anonymous_review BOOLEAN NOT NULL,
    confirm_reminder_days INTEGER NOT NULL,
    pending_expiry_hours INTEGER NOT NULL,
    offer_expiry_hours INTEGER NOT NULL,
    retention_days INTEGER NOT NULL,
    contact_email TEXT NOT NULL,
    code_of_conduct_url TEXT NOT NULL,
    is_sample BOOLEAN NOT NULL,
    purged_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX events_starts_at_idx ON events (starts_at);

CREATE TABLE organizers (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_site_admin BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);

CREATE TABLE event_roles (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'organizer', 'reviewer')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, organizer_id)
);
CREATE INDEX event_roles_organizer_idx ON event_roles (organizer_id);

-- A login session. The cookie carries a random token; only its SHA-256 is stored, so a
-- leaked database does not leak live sessions. Logout deletes the row.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_organizer_idx ON sessions (organizer_id);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, attempted_at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES organizers (id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    event_id TEXT REFERENCES events (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    summary TEXT NOT NULL
);
CREATE INDEX audit_log_event_idx ON audit_log (event_id, occurred_at);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);

-- Single-use tokens mailed to people (password reset, speaker sign-in). Only the hash is kept.
CREATE TABLE auth_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    subject_id TEXT NOT NULL,
    event_id TEXT REFERENCES events (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
