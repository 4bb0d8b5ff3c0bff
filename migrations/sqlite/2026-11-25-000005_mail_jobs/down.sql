DROP TABLE jobs;
DROP TABLE mail_unsubscribes;
DROP TABLE mail_templates;
DROP TABLE mail_attachments;
DROP TABLE mail_outbox;
DROP TABLE bulk_mails;
