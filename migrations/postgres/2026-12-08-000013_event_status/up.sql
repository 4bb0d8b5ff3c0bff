-- Whether an event is public: a draft is seen by its team only (new events and clones start
-- so), a published event by everyone, an archived one by everyone but read-only (organizers
-- change nothing; public forms, suggestions, feedback and notes are closed). Events that
-- existed before are published.
ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'published', 'archived'));
