DROP TABLE schedule_uploads;
