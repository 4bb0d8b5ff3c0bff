//! Reading registrations: by link, by id, seat counts, the waiting list's order, answers.

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::model::{Kind, Registration, Status};
use crate::db::schema::{answers, registrations};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::tokens;

diesel::define_sql_function! {
    /// SQL `lower()`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Seats of the capacity held (pending, offered, confirmed attendees; speakers are outside it).
pub fn seats_held(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::kind.eq(Kind::Attendee))
        .filter(registrations::status.eq_any(Status::HOLDING))
        .count()
        .get_result(conn)
}

/// A registration by its private link's token.
pub fn by_token(conn: &mut AnyConnection, event_id: &str, token: &str) -> AppResult<Registration> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::manage_token_hash.eq(tokens::hash_token(token)))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// A registration by its check-in code (the ticket's QR code).
pub fn by_desk_token(
    conn: &mut AnyConnection,
    event_id: &str,
    token: &str,
) -> AppResult<Registration> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::desk_token_hash.eq(tokens::hash_token(token)))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// A registration of an event by id (`NotFound` for another event's).
pub fn by_id(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Registration> {
    registrations::table
        .find(id)
        .filter(registrations::event_id.eq(event_id))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// A registration by id, whatever its event.
pub fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<Registration> {
    registrations::table
        .find(id)
        .select(Registration::as_select())
        .first(conn)
}

/// The registration of `email` on an event, if any.
pub fn by_email(
    conn: &mut AnyConnection,
    event_id: &str,
    email: &str,
) -> QueryResult<Option<Registration>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::email.eq(email))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// Position on the waiting list (1 = next), counting those waiting or holding an offer.
pub fn waiting_position(conn: &mut AnyConnection, r: &Registration) -> QueryResult<i64> {
    registrations::table
        .filter(registrations::event_id.eq(&r.event_id))
        .filter(registrations::status.eq(Status::Waiting))
        .filter(registrations::seq.le(r.seq))
        .count()
        .get_result(conn)
}

/// The first `n` people waiting, in arrival order.
pub fn next_waiting(
    conn: &mut AnyConnection,
    event_id: &str,
    n: i64,
) -> QueryResult<Vec<Registration>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(Status::Waiting))
        .order(registrations::seq)
        .limit(n)
        .select(Registration::as_select())
        .load(conn)
}

/// The next arrival number of an event (call with the event locked).
pub fn next_seq(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    Ok(registrations::table
        .filter(registrations::event_id.eq(event_id))
        .select(diesel::dsl::max(registrations::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1)
}

/// Answers of a registration: question id → value.
pub fn answers_of(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> QueryResult<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = answers::table
        .filter(answers::registration_id.eq(registration_id))
        .select((answers::question_id, answers::value))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// What the attendee list is filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// Everyone.
    All,
    /// One status.
    Status(Status),
    /// Checked in.
    CheckedIn,
    /// Speakers' registrations.
    Speakers,
}

impl ListFilter {
    /// Parses the filter of the list's query (`""`, a status, `checked_in` or `speaker`).
    pub fn parse(s: &str) -> ListFilter {
        match s {
            "checked_in" => ListFilter::CheckedIn,
            "speaker" => ListFilter::Speakers,
            other => Status::parse(other).map_or(ListFilter::All, ListFilter::Status),
        }
    }

    /// Every filter's name, for the form.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        names.extend(["checked_in", "speaker"]);
        names
    }
}

/// The event's registrations with the list's filter and a search over name and email.
fn matching<'a>(
    event_id: &'a str,
    filter: ListFilter,
    search: Option<&str>,
) -> registrations::BoxedQuery<'a, crate::db::MultiBackend> {
    let mut q = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .into_boxed();
    match filter {
        ListFilter::CheckedIn => q = q.filter(registrations::checked_in_at.is_not_null()),
        ListFilter::Speakers => q = q.filter(registrations::kind.eq(Kind::Speaker)),
        ListFilter::Status(s) => q = q.filter(registrations::status.eq(s)),
        ListFilter::All => {}
    }
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        // lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
        let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
        q = q.filter(
            lower(registrations::name)
                .like(pattern.clone())
                .or(lower(registrations::email).like(pattern)),
        );
    }
    q
}

/// The attendee list, filtered, with a search over name and email, in arrival order.
pub fn list(
    conn: &mut AnyConnection,
    event_id: &str,
    filter: ListFilter,
    search: Option<&str>,
) -> QueryResult<Vec<Registration>> {
    matching(event_id, filter, search)
        .order(registrations::seq)
        .select(Registration::as_select())
        .load(conn)
}

/// One page of [`list`], and its paging (the total is of the filtered list).
pub fn page(
    conn: &mut AnyConnection,
    event_id: &str,
    filter: ListFilter,
    search: Option<&str>,
    requested: i64,
    per_page: i64,
) -> QueryResult<(Vec<Registration>, crate::paging::Paging)> {
    let total = matching(event_id, filter, search)
        .count()
        .get_result(conn)?;
    let paging = crate::paging::Paging::new(requested, per_page, total);
    let rows = matching(event_id, filter, search)
        .order(registrations::seq)
        .select(Registration::as_select())
        .offset(paging.offset())
        .limit(paging.per_page)
        .load(conn)?;
    Ok((rows, paging))
}
