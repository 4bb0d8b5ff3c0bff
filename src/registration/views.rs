//! What the registration pages show.

use serde::Serialize;
use serde_json::{json, Value};

use super::attendees::{counts, Counts};
use super::model::{Question, Registration, Status};
use super::queries::{self, ListFilter};
use super::questions;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::{display, Event};

/// A question with the current answer, for a form.
#[derive(Debug, Serialize)]
pub struct QuestionField {
    /// The question.
    pub question: Question,
    /// Its choices.
    pub choices: Vec<Choice>,
    /// Text answer.
    pub value: String,
    /// Ticked (checkbox).
    pub checked: bool,
    /// The error message for this question, if any.
    pub error: Option<String>,
}

/// A choice and whether it is chosen.
#[derive(Debug, Serialize)]
pub struct Choice {
    /// The choice.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// Fields for the questions, filled with answers (question id → values).
pub fn question_fields(
    questions: &[Question],
    answers: &std::collections::BTreeMap<String, Vec<String>>,
    errors: &crate::error::FieldErrors,
) -> Vec<QuestionField> {
    questions
        .iter()
        .map(|q| {
            let given = answers.get(&q.id).cloned().unwrap_or_default();
            QuestionField {
                choices: q
                    .choices()
                    .into_iter()
                    .map(|c| Choice {
                        selected: given.contains(&c),
                        label: c,
                    })
                    .collect(),
                value: given.first().cloned().unwrap_or_default(),
                checked: !given.is_empty() && given.iter().any(|v| !v.is_empty()),
                error: errors.get(&format!("q_{}", q.id)).cloned(),
                question: q.clone(),
            }
        })
        .collect()
}

/// The attendee's private page (`token` is theirs, from the URL; `secret` draws their ticket's
/// check-in code).
pub fn manage_page(
    conn: &mut AnyConnection,
    base_url: &str,
    secret: &[u8],
    event: &Event,
    r: &Registration,
    token: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<Value> {
    let tz = event.tz();
    let qs = questions::of_event(conn, &event.id)?;
    let stored = queries::answers_of(conn, &r.id)?;
    let answers = stored
        .iter()
        .map(|(k, v)| (k.clone(), v.lines().map(str::to_string).collect::<Vec<_>>()))
        .collect();
    let status = r.status;
    let desk = crate::urls::absolute(
        base_url,
        &crate::urls::admin::desk_ticket(&event.slug, &r.desk_credential().token(secret)),
    );
    Ok(json!({
        "slug": event.slug,
        "event_name": event.name,
        "dates": display::date_range(event.starts_at, event.ends_at, tz),
        "r": { "name": r.name, "email": r.email, "company": r.company, "status": r.status },
        "pending": status == Status::Pending,
        "confirmed": status == Status::Confirmed,
        "waiting": status == Status::Waiting,
        "offered": status == Status::Offered,
        "ended": status.is_over(),
        "expires": r.expires_at.map(|t| display::datetime(t, tz)),
        "expired_hold": r.expires_at.is_some_and(|t| t <= now),
        "position": queries::waiting_position(conn, r)?,
        "checked_in": r.checked_in_at.map(|t| display::datetime(t, tz)),
        "qr_svg": (status == Status::Confirmed).then(|| crate::qr::qr_svg(&desk)),
        "fields": question_fields(&qs, &answers, &crate::error::FieldErrors::new()),
        "token": token,
        // Every mail Ghent sent them for this event (links shown as •••).
        "mails": crate::mail::queries::sent_to(conn, &event.id, &r.email)?
            .into_iter()
            .map(|m| json!({ "when": display::datetime(m.created_at, tz), "subject": m.subject, "status": m.status }))
            .collect::<Vec<_>>(),
    }))
}

/// A row of the organizers' attendee list.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The registration.
    pub r: Registration,
    /// Registered (event time).
    pub registered: String,
    /// Checked in (event time).
    pub checked_in: Option<String>,
    /// Can be checked in.
    pub confirmed: bool,
    /// Can be cancelled.
    pub active: bool,
}

/// One page of the attendee list, the event's counts, and the page's paging.
pub fn list_page(
    conn: &mut AnyConnection,
    event: &Event,
    filter: ListFilter,
    search: Option<&str>,
    (requested, per_page): (i64, i64),
) -> AppResult<(Counts, Vec<Row>, crate::paging::Paging)> {
    let tz = event.tz();
    let (rows, paging) = queries::page(conn, &event.id, filter, search, requested, per_page)?;
    let rows = rows
        .into_iter()
        .map(|r| Row {
            registered: display::short_datetime(r.created_at, tz),
            checked_in: r.checked_in_at.map(|t| display::short_datetime(t, tz)),
            confirmed: r.status == Status::Confirmed,
            active: !r.status.is_over(),
            r,
        })
        .collect();
    Ok((counts(conn, &event.id)?, rows, paging))
}
