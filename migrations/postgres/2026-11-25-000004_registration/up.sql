-- Attendee registration: the organizers' questions, registrations, answers.

CREATE TABLE questions (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    help_text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'single', 'multiple', 'checkbox')),
    required BOOLEAN NOT NULL,
    options TEXT NOT NULL,
    position INTEGER NOT NULL
);

-- `seq` is the arrival order (waiting-list order). A seat is held by pending, offered and
-- confirmed registrations. Tokens: `manage_token` is the attendee's private link, `desk_token`
-- the check-in QR code; they differ so that a photographed badge does not open the private page.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    company TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'waiting', 'offered', 'cancelled', 'expired')),
    manage_token TEXT NOT NULL UNIQUE,
    desk_token TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    confirmed_at TIMESTAMP,
    checked_in_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    terms_accepted_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, email),
    UNIQUE (event_id, seq)
);
CREATE INDEX registrations_status_idx ON registrations (event_id, status, seq);

CREATE TABLE answers (
    id TEXT PRIMARY KEY NOT NULL,
    registration_id TEXT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    UNIQUE (registration_id, question_id)
);
