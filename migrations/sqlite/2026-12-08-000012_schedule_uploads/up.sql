-- A schedule.xml an organizer uploaded in the admin, kept between its preview (a dry run)
-- and "Apply", so the file is not sent twice. Deleted when applied, and when the same event
-- gets a newer upload.
CREATE TABLE schedule_uploads (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    xml TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX schedule_uploads_event ON schedule_uploads (event_id);
