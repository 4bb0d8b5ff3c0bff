-- Call for papers: submission types, proposals and their speakers, reviews.

CREATE TABLE submission_types (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('talk', 'keynote', 'ignite', 'panel', 'workshop')),
    duration_minutes INTEGER NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE proposals (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    submitter_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    submission_type_id TEXT NOT NULL REFERENCES submission_types (id),
    track_id TEXT REFERENCES tracks (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    description TEXT NOT NULL,
    notes TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'withdrawn', 'accepted', 'rejected', 'confirmed', 'declined')),
    talk_id TEXT REFERENCES talks (id) ON DELETE SET NULL,
    confirm_token TEXT UNIQUE,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    confirmed_at TIMESTAMP,
    reminders_sent INTEGER NOT NULL
);
CREATE INDEX proposals_event_idx ON proposals (event_id, state);

CREATE TABLE proposal_speakers (
    id TEXT PRIMARY KEY NOT NULL,
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    UNIQUE (proposal_id, person_id)
);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    reviewer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    score INTEGER NOT NULL,
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (proposal_id, reviewer_id)
);
