//! Reading the outbox: the mail log with filters, counts by status, one message.

use diesel::prelude::*;
use serde::Serialize;

use super::model::{AttachmentRow, MailKind, OutboxMail, Status};
use crate::db::schema::{mail_attachments, mail_outbox};
use crate::db::AnyConnection;

/// Filters of the mail log.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this kind.
    pub kind: Option<MailKind>,
    /// Only mail to this address.
    pub recipient: Option<String>,
}

/// One page of the mail of an event (or of the whole site with `None`), filtered, newest
/// first, and its paging: every message is reachable, page by page.
pub fn log(
    conn: &mut AnyConnection,
    event_id: Option<&str>,
    filter: &LogFilter,
    requested: i64,
    per_page: i64,
) -> QueryResult<(Vec<OutboxMail>, crate::paging::Paging)> {
    let total = filtered(event_id, filter).count().get_result(conn)?;
    let paging = crate::paging::Paging::new(requested, per_page, total);
    let rows = filtered(event_id, filter)
        .select(OutboxMail::as_select())
        .order((mail_outbox::created_at.desc(), mail_outbox::id))
        .offset(paging.offset())
        .limit(paging.per_page)
        .load(conn)?;
    Ok((rows, paging))
}

/// The outbox with the log's filters.
fn filtered<'a>(
    event_id: Option<&'a str>,
    filter: &'a LogFilter,
) -> mail_outbox::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut q = mail_outbox::table.into_boxed();
    if let Some(e) = event_id {
        q = q.filter(mail_outbox::event_id.eq(e));
    }
    if let Some(s) = filter.status {
        q = q.filter(mail_outbox::status.eq(s));
    }
    if let Some(k) = filter.kind {
        q = q.filter(mail_outbox::kind.eq(k));
    }
    if let Some(r) = &filter.recipient {
        q = q.filter(mail_outbox::recipient_email.eq(r));
    }
    q
}

/// Count of mail per status.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StatusCounts {
    /// Waiting.
    pub queued: i64,
    /// Being sent.
    pub sending: i64,
    /// Delivered.
    pub sent: i64,
    /// Failed, will retry.
    pub failed: i64,
    /// Gave up.
    pub dead: i64,
    /// Logged only.
    pub logged: i64,
    /// Withdrawn before delivery (the recipient erased their data).
    pub withdrawn: i64,
}

impl StatusCounts {
    /// Nothing left to do (all delivered, logged or dead).
    pub fn done(&self) -> bool {
        self.queued + self.sending + self.failed == 0
    }
}

/// Counts by status for an event, a bulk mail, or everything.
pub fn counts(
    conn: &mut AnyConnection,
    event_id: Option<&str>,
    bulk_id: Option<&str>,
) -> QueryResult<StatusCounts> {
    let mut q = mail_outbox::table
        .group_by(mail_outbox::status)
        .select((mail_outbox::status, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(e) = event_id {
        q = q.filter(mail_outbox::event_id.eq(e));
    }
    if let Some(b) = bulk_id {
        q = q.filter(mail_outbox::bulk_id.eq(b));
    }
    let rows: Vec<(Status, i64)> = q.load(conn)?;
    let mut c = StatusCounts::default();
    for (status, n) in rows {
        match status {
            Status::Queued => c.queued = n,
            Status::Sending => c.sending = n,
            Status::Sent => c.sent = n,
            Status::Failed => c.failed = n,
            Status::Dead => c.dead = n,
            Status::Logged => c.logged = n,
            Status::Withdrawn => c.withdrawn = n,
        }
    }
    Ok(c)
}

/// One mail.
pub fn get(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<OutboxMail>> {
    mail_outbox::table
        .find(id)
        .select(OutboxMail::as_select())
        .first(conn)
        .optional()
}

/// One mail of an event: `NotFound` when it does not exist or belongs to another event.
pub fn of_event(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> crate::error::AppResult<OutboxMail> {
    get(conn, id)?
        .filter(|m| m.event_id.as_deref() == Some(event_id))
        .ok_or(crate::error::AppError::NotFound)
}

/// Every mail of an event to one address, newest first, with the links that act for their
/// recipient shown as `•••` (a page listing them is no way to sign in again).
pub fn sent_to(
    conn: &mut AnyConnection,
    event_id: &str,
    email: &str,
) -> QueryResult<Vec<OutboxMail>> {
    mail_outbox::table
        .filter(mail_outbox::event_id.eq(event_id))
        .filter(mail_outbox::recipient_email.eq(email))
        .order(mail_outbox::created_at.desc())
        .select(OutboxMail::as_select())
        .load(conn)
        .map(|mails| mails.into_iter().map(OutboxMail::redacted).collect())
}

/// Blanks these messages (their person's data was erased): address, name, subject and bodies
/// become placeholders, credentials go; those not delivered yet are withdrawn, so nothing is
/// sent and nothing personal is kept. Returns how many were blanked.
pub fn redact(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<usize> {
    let blank = (
        mail_outbox::recipient_email.eq("erased@invalid"),
        mail_outbox::recipient_name.eq(""),
        mail_outbox::subject.eq("[erased]"),
        mail_outbox::text_body.eq("[erased]"),
        mail_outbox::html_body.eq("[erased]"),
        mail_outbox::credentials.eq(""),
    );
    let delivered = [Status::Sent, Status::Logged];
    let these = || mail_outbox::table.filter(mail_outbox::id.eq_any(ids.to_vec()));
    let withdrawn = diesel::update(these().filter(mail_outbox::status.ne_all(delivered)))
        .set((
            blank,
            mail_outbox::status.eq(Status::Withdrawn),
            mail_outbox::last_error.eq(Some("personal data erased")),
        ))
        .execute(conn)?;
    let kept = diesel::update(these().filter(mail_outbox::status.eq_any(delivered)))
        .set(blank)
        .execute(conn)?;
    Ok(withdrawn + kept)
}

/// Every message to an address, of every event, newest first (bodies withheld).
pub fn sent_anywhere_to(conn: &mut AnyConnection, email: &str) -> QueryResult<Vec<OutboxMail>> {
    mail_outbox::table
        .filter(mail_outbox::recipient_email.eq(email))
        .order(mail_outbox::created_at.desc())
        .select(OutboxMail::as_select())
        .load(conn)
        .map(|mails| mails.into_iter().map(OutboxMail::redacted).collect())
}

/// Its attachments (name, type, size).
pub fn attachments(conn: &mut AnyConnection, id: &str) -> QueryResult<Vec<AttachmentRow>> {
    mail_attachments::table
        .filter(mail_attachments::mail_id.eq(id))
        .order(mail_attachments::position)
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// The kinds present in an event's mail (for the filter).
pub fn kinds(conn: &mut AnyConnection, event_id: Option<&str>) -> QueryResult<Vec<MailKind>> {
    let mut q = mail_outbox::table
        .select(mail_outbox::kind)
        .distinct()
        .order(mail_outbox::kind)
        .into_boxed();
    if let Some(e) = event_id {
        q = q.filter(mail_outbox::event_id.eq(e));
    }
    q.load(conn)
}
