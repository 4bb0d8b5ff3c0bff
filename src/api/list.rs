//! Lists: cursor pagination in a stable order (by id, which never changes), a `next` link, and
//! the filters every list takes (`updated_since`, plus the resource's own).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};

/// The most a page holds, and what it holds unless asked.
pub const MAX_LIMIT: i64 = 200;
/// Items per page unless `limit` says.
pub const DEFAULT_LIMIT: i64 = 50;

/// Query parameters of every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The `next` cursor of the page before (opaque).
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Only items changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only items in this state (registrations, proposals, topics).
    pub state: Option<String>,
    /// Only items of this track (talks, proposals): its UUID.
    pub track: Option<String>,
    /// Only items on this day of the event, in its timezone (slots, talks): `YYYY-MM-DD`.
    pub day: Option<chrono::NaiveDate>,
}

/// A checked list query.
#[derive(Debug, Clone)]
pub struct Window {
    /// Items after this id.
    pub after: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Changed at or after.
    pub updated_since: Option<NaiveDateTime>,
}

impl ListQuery {
    /// The window it asks for; a bad cursor or limit is a 400 that says so.
    pub fn window(&self) -> AppResult<Window> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::field(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match &self.cursor {
            None => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                AppError::field("cursor", "this cursor is not one Ghent gave out")
            })?),
        };
        Ok(Window {
            after,
            limit,
            updated_since: self.updated_since.map(|t| t.naive_utc()),
        })
    }
}

/// A cursor for "after this id".
pub fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("id:").map(str::to_string)
}

/// One page of a list: its items and, when there are more, the cursor of the next page (the
/// web layer turns it into the `next` link).
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    /// The items, by id.
    pub data: Vec<T>,
    /// The next page's cursor.
    pub next_cursor: Option<String>,
}

/// Something listed by id, with a last change.
pub trait Listed {
    /// Its id (the order).
    fn id(&self) -> &str;
    /// Its last change.
    fn updated(&self) -> NaiveDateTime;
}

/// Pages an in-memory list (the programme's resources, which are small): sorted by id, those
/// after the cursor and changed since, `limit` of them.
pub fn page_of<T: Listed>(mut items: Vec<T>, w: &Window) -> Page<T> {
    items.sort_by(|a, b| a.id().cmp(b.id()));
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|i| w.after.as_deref().is_none_or(|a| i.id() > a))
        .filter(|i| w.updated_since.is_none_or(|t| i.updated() >= t))
        .collect();
    page_from(&mut rest, w.limit)
}

/// The page of `rows`, which holds up to `limit + 1` rows in order (the extra one says there
/// is a next page).
pub fn page_from<T: Listed>(rows: &mut Vec<T>, limit: i64) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| encode_cursor(r.id())))
        .flatten();
    Page {
        data: std::mem::take(rows),
        next_cursor,
    }
}

/// The links of a page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Links {
    /// The next page's address, absent on the last page.
    pub next: Option<String>,
}
