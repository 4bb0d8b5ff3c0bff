DROP TABLE speaker_availability;
