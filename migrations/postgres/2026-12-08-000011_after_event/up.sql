-- After the event (issue 13). See the SQLite migration for the reasons.
-- "Do not record", chosen on the proposal (by the speaker) and on the talk (speaker or
-- organizers); a confirmed proposal passes it on to its talk.
ALTER TABLE proposals ADD COLUMN do_not_record BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE talks ADD COLUMN do_not_record BOOLEAN NOT NULL DEFAULT FALSE;

-- The event that follows this one (no foreign key, as on SQLite).
ALTER TABLE events ADD COLUMN successor_id TEXT;
-- Whether attendees may leave feedback on talks once they have started.
ALTER TABLE events ADD COLUMN feedback_enabled BOOLEAN NOT NULL DEFAULT TRUE;

-- What was written and said about an event. `status`: suggested by a visitor (waiting for
-- moderation), published, or rejected. A buzz item may be linked to one talk or open-space
-- topic (its related material). `url` is empty for a mention without a link.
CREATE TABLE buzz_items (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('blog', 'report', 'thread', 'video', 'photos', 'social', 'link')),
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    url TEXT NOT NULL,
    published_on TIMESTAMP NOT NULL,
    quote TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('suggested', 'published', 'rejected')),
    talk_id TEXT REFERENCES talks (id) ON DELETE SET NULL,
    topic_id TEXT REFERENCES openspace_topics (id) ON DELETE SET NULL,
    sample BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX buzz_items_event_idx ON buzz_items (event_id, status, published_on);

-- Uploaded images, stored in the database so every instance serves them; the id is the
-- SHA-256 of the bytes (hex), which is also in the URL, so the URL changes with the content and
-- can be cached for a year.
CREATE TABLE images (
    id TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Sponsor levels, per event, in the organizers' order.
CREATE TABLE sponsor_levels (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (event_id, name)
);

CREATE TABLE sponsors (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    level_id TEXT NOT NULL REFERENCES sponsor_levels (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    blurb TEXT NOT NULL,
    logo_id TEXT REFERENCES images (id),
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sponsors_event_idx ON sponsors (event_id);

-- Anonymous feedback on a talk: one per browser per talk (`browser` is an HMAC of the
-- browser's random cookie id and the talk, so the table cannot link feedback across talks).
CREATE TABLE talk_feedback (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    talk_id TEXT NOT NULL REFERENCES talks (id) ON DELETE CASCADE,
    browser TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (talk_id, browser)
);

-- "Tell me when it opens": an address that wants to hear when an event opens its registration
-- or call for papers. Double opt-in (`confirmed_at`); the link in the mails is derived from the
-- secret key (its hash is kept, never the token); each notice goes once (`*_sent_at`).
CREATE TABLE notice_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    confirmed_at TIMESTAMP,
    registration_sent_at TIMESTAMP,
    cfp_sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, email)
);

-- The material library's index (FTS5 on SQLite): the tsvector weighs the title above the body.
CREATE TABLE material_index (
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    track TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
    ) STORED,
    PRIMARY KEY (kind, ref_id)
);
CREATE INDEX material_index_document_idx ON material_index USING GIN (document);
CREATE INDEX material_index_event_idx ON material_index (event_id);
