//! What the compose page and a bulk mail's progress page show.

use diesel::prelude::*;
use serde::Serialize;

use super::bulk::{self, Audience};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::{display, Event};
use crate::mail::queries::{self, StatusCounts};

/// An audience with its size, for the compose form.
#[derive(Debug, Serialize)]
pub struct AudienceRow {
    /// Stored name.
    pub value: &'static str,
    /// How the choice reads in the form.
    pub label: &'static str,
    /// Recipients now (those who unsubscribed from the event's mail left out).
    pub count: usize,
    /// Unsubscribed people of the audience, not mailed.
    pub unsubscribed: usize,
}

/// A past bulk mail with its progress.
#[derive(Debug, Serialize)]
pub struct BulkRow {
    /// For the progress page link.
    pub id: String,
    /// The template as written (placeholders unfilled).
    pub subject: String,
    /// Audience label.
    pub audience: String,
    /// Created (event time).
    pub created: String,
    /// Progress.
    pub counts: StatusCounts,
    /// How many messages it expanded to.
    pub recipients: i32,
}

/// Audiences with sizes, and the event's bulk mails.
pub fn bulk_overview(
    conn: &mut AnyConnection,
    event: &Event,
    base_url: &str,
) -> AppResult<(Vec<AudienceRow>, Vec<BulkRow>)> {
    let mut audiences = Vec::new();
    for a in Audience::ALL.iter().copied() {
        let all = bulk::recipients(conn, event, a, base_url)?;
        let mut unsubscribed = 0;
        for r in &all {
            if crate::mail::unsubscribe::is_unsubscribed(conn, &event.id, &r.email)? {
                unsubscribed += 1;
            }
        }
        audiences.push(AudienceRow {
            value: a.as_str(),
            label: a.label(),
            count: all.len() - unsubscribed,
            unsubscribed,
        });
    }
    let mut sent = Vec::new();
    for b in bulk::list(conn, &event.id)? {
        sent.push(bulk_row(conn, event, b)?);
    }
    Ok((audiences, sent))
}

/// One bulk mail with its progress.
pub fn bulk_row(
    conn: &mut AnyConnection,
    event: &Event,
    b: bulk::BulkMail,
) -> QueryResult<BulkRow> {
    Ok(BulkRow {
        counts: queries::counts(conn, Some(&event.id), Some(&b.id))?,
        audience: b.audience.label().to_string(),
        created: display::short_datetime(b.created_at, event.tz()),
        id: b.id,
        subject: b.subject,
        recipients: b.recipients,
    })
}
