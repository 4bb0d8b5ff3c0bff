ALTER TABLE registrations DROP COLUMN kind;
