-- Open spaces (issue 12). See the SQLite migration for the reasons.
DROP TABLE openspace_votes;
DROP TABLE openspace_topics;

-- Per event: who may take part (anyone with the marketplace code, or registered attendees
-- through their private link), how many dots each has, when the marketplace is open (by its
-- dates, or opened and closed by hand on the day), how long notes stay editable after the
-- event, the organizers' text on how open space works, and the board's version (bumped by every
-- change of placement: the public programme's cache key and ETag include it).
CREATE TABLE openspaces (
    event_id TEXT PRIMARY KEY NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    access TEXT NOT NULL CHECK (access IN ('code', 'registered')),
    code TEXT NOT NULL,
    dots INTEGER NOT NULL,
    market TEXT NOT NULL CHECK (market IN ('scheduled', 'open', 'closed')),
    opens_at TIMESTAMP,
    closes_at TIMESTAMP,
    notes_days INTEGER NOT NULL,
    about TEXT NOT NULL,
    board_version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One browser (a signed long-lived cookie holding the id) or one registration. `dots_used`
-- is what keeps the dots honest under concurrency: a vote takes a dot with one conditional
-- UPDATE (`dots_used < dots`), in the transaction that inserts it. `registration_id` has no
-- foreign key: an erased registration's participant is blanked by a job, not cascaded away
-- (their votes stay counted, anonymous).
CREATE TABLE openspace_participants (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id TEXT,
    name TEXT NOT NULL,
    dots_used INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, registration_id)
);

-- A topic: `number` is its stable integer id in the exports (shared with talks and slots),
-- `id` its guid. A slot holds one topic (UNIQUE slot_id); `draft_slot_id` is where a suggested
-- board would put it until the organizers accept or discard the draft.
CREATE TABLE openspace_topics (
    id TEXT PRIMARY KEY NOT NULL,
    number BIGINT NOT NULL UNIQUE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    convener_name TEXT NOT NULL,
    participant_id TEXT REFERENCES openspace_participants (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('shown', 'hidden', 'merged')),
    merged_into TEXT REFERENCES openspace_topics (id) ON DELETE SET NULL,
    slot_id TEXT UNIQUE REFERENCES slots (id) ON DELETE SET NULL,
    draft_slot_id TEXT REFERENCES slots (id) ON DELETE SET NULL,
    sample BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX openspace_topics_event_idx ON openspace_topics (event_id);

CREATE TABLE openspace_votes (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES openspace_topics (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL REFERENCES openspace_participants (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (topic_id, participant_id)
);
CREATE INDEX openspace_votes_event_idx ON openspace_votes (event_id);

-- Open-space slots that take no topic (the marketplace: "opening of the open space").
CREATE TABLE openspace_closed_slots (
    slot_id TEXT PRIMARY KEY NOT NULL REFERENCES slots (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE
);

-- Notes of a session (an open-space topic or a talk), one row per revision. Saving names the
-- revision it started from; a save over a newer one is refused (UNIQUE makes two racing saves
-- of one revision impossible), so no edit is lost. The editor's name is personal data.
CREATE TABLE session_notes (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('topic', 'talk')),
    subject_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    body TEXT NOT NULL,
    editor_name TEXT NOT NULL,
    participant_id TEXT REFERENCES openspace_participants (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subject_kind, subject_id, revision)
);
CREATE INDEX session_notes_event_idx ON session_notes (event_id);

ALTER TABLE event_roles DROP CONSTRAINT event_roles_role_check;
ALTER TABLE event_roles ADD CONSTRAINT event_roles_role_check
    CHECK (role IN ('owner', 'organizer', 'reviewer', 'check_in', 'facilitator'));
