//! Outbox rows and their statuses.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{mail_attachments, mail_outbox, mail_templates};

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for the worker.
    Queued,
    /// Claimed by a worker (with a lease).
    Sending,
    /// Accepted by the SMTP server (or written to a file).
    Sent,
    /// The last attempt failed; another is scheduled.
    Failed,
    /// Every attempt failed; an organizer may retry it.
    Dead,
    /// Written to the log only: nothing left the server.
    Logged,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Dead => "dead",
            Status::Logged => "logged",
        }
    }

    /// Every status, for filters.
    pub const ALL: [Status; 6] = [
        Status::Queued,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Dead,
        Status::Logged,
    ];

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// An outbox row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    /// Random UUID.
    pub id: String,
    /// The event it belongs to.
    pub event_id: Option<String>,
    /// Template kind, e.g. `registration_confirm`.
    pub kind: String,
    /// Recipient address.
    pub recipient_email: String,
    /// Recipient name (may be empty).
    pub recipient_name: String,
    /// Rendered subject (one line).
    pub subject: String,
    /// Rendered text part.
    pub text_body: String,
    /// Rendered HTML part.
    pub html_body: String,
    /// `<…@…>`, fixed when queued so a repeated delivery carries the same id.
    pub message_id: String,
    /// Reply-To address.
    pub reply_to: Option<String>,
    /// List-Unsubscribe URL (bulk mail only).
    pub list_unsubscribe: Option<String>,
    /// Kind of thing the mail is about (e.g. `registration`).
    pub entity_type: Option<String>,
    /// Its id.
    pub entity_id: Option<String>,
    /// The bulk mail it is part of.
    pub bulk_id: Option<String>,
    /// See [`Status`].
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When the worker may (next) try.
    pub next_attempt_at: NaiveDateTime,
    /// Lease end while `sending`.
    pub locked_until: Option<NaiveDateTime>,
    /// Which worker holds the lease.
    pub locked_by: Option<String>,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: NaiveDateTime,
    /// Accepted by the server at.
    pub sent_at: Option<NaiveDateTime>,
}

/// An attachment row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_attachments)]
pub struct AttachmentRow {
    /// Random UUID.
    pub id: String,
    /// The mail.
    pub mail_id: String,
    /// File name shown to the recipient.
    pub filename: String,
    /// MIME type, e.g. `text/calendar`.
    pub content_type: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Order.
    pub position: i32,
}

/// An attachment to queue with a mail.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub content: Vec<u8>,
}

/// A per-event template override.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_templates)]
pub struct TemplateOverride {
    /// Random UUID.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// Mail kind.
    pub kind: String,
    /// Subject template.
    pub subject: String,
    /// Text body template.
    pub text_body: String,
    /// HTML body template.
    pub html_body: String,
    /// Saved at.
    pub updated_at: NaiveDateTime,
    /// Saved by.
    pub updated_by: Option<String>,
}
