-- Programme: rooms, tracks, people (global), talks with their people, slots, schedule releases.

CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    capacity INTEGER,
    position INTEGER NOT NULL,
    UNIQUE (event_id, name)
);

CREATE TABLE tracks (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    colour TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (event_id, name)
);

-- People are global: a speaker's profile carries over from one event to the next.
-- The email is private (never on public pages or exports) and optional (imported schedules).
CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    bio TEXT NOT NULL,
    photo_url TEXT NOT NULL,
    website_url TEXT NOT NULL,
    social TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- `id` is the talk's guid for schedule apps; `number` its stable integer id. Both are kept for ever.
CREATE TABLE talks (
    id TEXT PRIMARY KEY NOT NULL,
    number BIGINT NOT NULL UNIQUE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('talk', 'keynote', 'ignite', 'panel', 'workshop')),
    duration_minutes INTEGER NOT NULL,
    track_id TEXT REFERENCES tracks (id) ON DELETE SET NULL,
    language TEXT NOT NULL,
    level TEXT NOT NULL,
    slides_url TEXT NOT NULL,
    video_url TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('confirmed', 'cancelled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX talks_event_idx ON talks (event_id);

CREATE TABLE talk_people (
    id TEXT PRIMARY KEY NOT NULL,
    talk_id TEXT NOT NULL REFERENCES talks (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('speaker', 'moderator')),
    position INTEGER NOT NULL,
    UNIQUE (talk_id, person_id)
);
CREATE INDEX talk_people_person_idx ON talk_people (person_id);

-- A slot is a place in time (and a room, or every room when room_id is NULL: breaks, socials).
CREATE TABLE slots (
    id TEXT PRIMARY KEY NOT NULL,
    number BIGINT NOT NULL UNIQUE,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    room_id TEXT REFERENCES rooms (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('talk', 'ignite', 'open_space', 'break', 'registration', 'social')),
    talk_id TEXT UNIQUE REFERENCES talks (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX slots_event_idx ON slots (event_id, starts_at);

-- A released version of the schedule: the frozen public snapshot and its changelog (JSON).
CREATE TABLE schedule_releases (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    released_at TIMESTAMP NOT NULL,
    released_by TEXT REFERENCES organizers (id) ON DELETE SET NULL,
    note TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    changes TEXT NOT NULL,
    UNIQUE (event_id, version)
);

-- Open spaces: topics proposed by attendees, votes of interest, placement into open-space slots.
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
