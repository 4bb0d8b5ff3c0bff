DROP TABLE reviews;
DROP TABLE proposal_speakers;
DROP TABLE proposals;
DROP TABLE submission_types;
