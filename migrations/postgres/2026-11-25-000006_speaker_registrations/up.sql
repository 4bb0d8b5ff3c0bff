-- Speakers at the door: a registration is an attendee's (counted against the event's capacity)
-- or a speaker's (given by the event, outside the capacity).
ALTER TABLE registrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'attendee' CHECK (kind IN ('attendee', 'speaker'));
