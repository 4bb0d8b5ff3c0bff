DELETE FROM event_roles WHERE role = 'facilitator';
ALTER TABLE event_roles DROP CONSTRAINT event_roles_role_check;
ALTER TABLE event_roles ADD CONSTRAINT event_roles_role_check
    CHECK (role IN ('owner', 'organizer', 'reviewer', 'check_in'));

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
