//! What the organizers' mail pages show, prepared for templates.

use chrono_tz::Tz;
use serde::Serialize;

use super::model::{MailKind, OutboxMail, Status};
use super::queries::{self, LogFilter, StatusCounts};
use super::templates;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::{display, Event};

/// A mail in the log.
#[derive(Debug, Serialize)]
pub struct LogRow {
    /// Outbox row id, for the message's page.
    pub id: String,
    /// Queued at (event time).
    pub created: String,
    /// Which template it came from.
    pub kind: MailKind,
    /// Recipient.
    pub to: String,
    /// As sent (credentials redacted).
    pub subject: String,
    /// Where it is in delivery.
    pub status: Status,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// Can be retried (dead or failed).
    pub retryable: bool,
    /// Carries a link that acts for the recipient (shown as `•••`).
    pub private_link: bool,
}

fn row(m: OutboxMail, tz: Tz) -> LogRow {
    let retryable = m.status.retryable();
    let private_link = m.carries_credential();
    let m = m.redacted();
    LogRow {
        private_link,
        id: m.id,
        created: display::short_datetime(m.created_at, tz),
        kind: m.kind,
        to: if m.recipient_name.is_empty() {
            m.recipient_email
        } else {
            format!("{} <{}>", m.recipient_name, m.recipient_email)
        },
        subject: m.subject,
        status: m.status,
        attempts: m.attempts,
        last_error: m.last_error,
        retryable,
    }
}

/// The mail log of an event.
#[derive(Debug, Serialize)]
pub struct LogPage {
    /// Rows, newest first.
    pub rows: Vec<LogRow>,
    /// Counts by status (whole event, unfiltered).
    pub counts: StatusCounts,
    /// Status filter options.
    pub statuses: &'static [Status],
    /// Kind filter options.
    pub kinds: Vec<MailKind>,
    /// The active status filter.
    pub status: String,
    /// The active kind filter.
    pub kind: String,
    /// Which page, how many in all, the links before and after (filters kept).
    pub pager: crate::paging::PagerView,
}

/// Builds the mail log page.
pub fn log_page(
    conn: &mut AnyConnection,
    event: &Event,
    filter: LogFilter,
    page: i64,
) -> AppResult<LogPage> {
    let (rows, paging) = queries::log(conn, Some(&event.id), &filter, page, 50)?;
    let (status, kind) = (
        filter.status.map(|s| s.as_str()).unwrap_or_default(),
        filter.kind.map(|k| k.as_str()).unwrap_or_default(),
    );
    let path = crate::urls::admin::mail_log(&event.slug);
    let pager =
        paging.view(|p| crate::paging::link(&path, &[("status", status), ("kind", kind)], p));
    Ok(LogPage {
        pager,
        rows: rows.into_iter().map(|m| row(m, event.tz())).collect(),
        counts: queries::counts(conn, Some(&event.id), None)?,
        statuses: Status::ALL,
        kinds: queries::kinds(conn, Some(&event.id))?,
        status: filter
            .status
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        kind: filter
            .kind
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
    })
}

/// An attachment of a message.
#[derive(Debug, Serialize)]
pub struct AttachmentView {
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Size as stored.
    pub bytes: usize,
    /// Drawn when the mail is sent (a QR code of a private link), so its size is not known here.
    pub drawn_when_sent: bool,
}

/// One message as sent.
#[derive(Debug, Serialize)]
pub struct MessagePage {
    /// The row.
    pub mail: OutboxMail,
    /// Queued (event time).
    pub created: String,
    /// Delivered (event time).
    pub sent: Option<String>,
    /// Next attempt (event time), while failed.
    pub next_attempt: Option<String>,
    /// Files sent with it (names and sizes; QR codes described, not drawn).
    pub attachments: Vec<AttachmentView>,
    /// Can be retried.
    pub retryable: bool,
    /// Carries links that act for the recipient; they are shown as `•••`.
    pub private_link: bool,
}

/// Loads one message of an event (`NotFound` if it belongs to another), redacted: the links that
/// act for its recipient show as `•••`, for every role.
pub fn message_page(conn: &mut AnyConnection, event: &Event, id: &str) -> AppResult<MessagePage> {
    let mail = queries::of_event(conn, &event.id, id)?;
    let private_link = mail.carries_credential();
    let mail = mail.redacted();
    let tz = event.tz();
    let attachments = queries::attachments(conn, id)?
        .into_iter()
        .map(|a| AttachmentView {
            drawn_when_sent: !a.render.is_empty(),
            bytes: a.content.len(),
            name: a.filename,
            content_type: a.content_type,
        })
        .collect();
    Ok(MessagePage {
        created: display::short_datetime(mail.created_at, tz),
        sent: mail.sent_at.map(|t| display::short_datetime(t, tz)),
        next_attempt: (mail.status == Status::Failed)
            .then(|| display::short_datetime(mail.next_attempt_at, tz)),
        retryable: mail.status.retryable(),
        private_link,
        attachments,
        mail,
    })
}

/// One mail kind on the templates page.
#[derive(Debug, Serialize)]
pub struct KindRow {
    /// The kind (also the template folder name).
    pub name: MailKind,
    /// When Ghent sends it, in a sentence.
    pub description: &'static str,
    /// The event has its own version.
    pub overridden: bool,
}

/// The kinds an event may override.
pub fn template_kinds(conn: &mut AnyConnection, event: &Event) -> AppResult<Vec<KindRow>> {
    let overridden = templates::overridden_kinds(conn, &event.id)?;
    Ok(templates::overridable()
        .map(|k| KindRow {
            name: k,
            description: k.description(),
            overridden: overridden.contains(&k),
        })
        .collect())
}
