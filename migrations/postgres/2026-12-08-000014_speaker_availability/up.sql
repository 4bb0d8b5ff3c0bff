-- When a speaker can be there, per event (given by the speaker in the call for papers, or by
-- the organizers): windows in UTC. A speaker without windows has said nothing (no conflict);
-- one with windows is away outside them, and a talk placed there shows as a conflict.
CREATE TABLE speaker_availability (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX speaker_availability_person ON speaker_availability (event_id, person_id);
