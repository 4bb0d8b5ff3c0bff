DROP TABLE answers;
DROP TABLE registrations;
DROP TABLE questions;
