DROP TABLE auth_tokens;
DROP TABLE audit_log;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE event_roles;
DROP TABLE organizers;
DROP TABLE events;
DROP TABLE venues;
