DELETE FROM event_roles WHERE role = 'facilitator';
CREATE TABLE event_roles_old (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'organizer', 'reviewer', 'check_in')),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, organizer_id)
);
INSERT INTO event_roles_old (id, event_id, organizer_id, role, created_at)
    SELECT id, event_id, organizer_id, role, created_at FROM event_roles;
DROP TABLE event_roles;
ALTER TABLE event_roles_old RENAME TO event_roles;
CREATE INDEX event_roles_organizer_idx ON event_roles (organizer_id);

DROP TABLE session_notes;
DROP TABLE openspace_closed_slots;
DROP TABLE openspace_votes;
DROP TABLE openspace_topics;
DROP TABLE openspace_participants;
DROP TABLE openspaces;

CREATE TABLE openspace_topics (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    proposer_name TEXT NOT NULL,
    slot_id TEXT REFERENCES slots (id) ON DELETE SET NULL,
    notes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE openspace_votes (
    id TEXT PRIMARY KEY NOT NULL,
    topic_id TEXT NOT NULL REFERENCES openspace_topics (id) ON DELETE CASCADE,
    voter_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (topic_id, voter_key)
);
