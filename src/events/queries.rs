//! Event queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Event, EventStatus, Venue};
use crate::db::schema::{event_roles, events, schedule_releases, venues};
use crate::db::AnyConnection;

/// The event with this slug.
pub fn by_slug(conn: &mut AnyConnection, slug: &str) -> QueryResult<Option<Event>> {
    events::table
        .filter(events::slug.eq(slug))
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// The event with this id.
pub fn by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Event> {
    events::table
        .find(id)
        .select(Event::as_select())
        .first(conn)
}

/// Public events (drafts are left out) not yet over (soonest first) and past events (latest
/// first).
pub fn upcoming_and_past(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
) -> QueryResult<(Vec<Event>, Vec<Event>)> {
    let upcoming = events::table
        .filter(events::status.ne(EventStatus::Draft))
        .filter(events::ends_at.ge(now))
        .order(events::starts_at.asc())
        .select(Event::as_select())
        .load(conn)?;
    let past = events::table
        .filter(events::status.ne(EventStatus::Draft))
        .filter(events::ends_at.lt(now))
        .order(events::starts_at.desc())
        .select(Event::as_select())
        .load(conn)?;
    Ok((upcoming, past))
}

/// Every event, newest first (site administrators' list).
pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<Event>> {
    events::table
        .order(events::starts_at.desc())
        .select(Event::as_select())
        .load(conn)
}

/// The events an organizer has a role on, newest first.
pub fn for_organizer(conn: &mut AnyConnection, organizer_id: &str) -> QueryResult<Vec<Event>> {
    events::table
        .inner_join(event_roles::table)
        .filter(event_roles::organizer_id.eq(organizer_id))
        .order(events::starts_at.desc())
        .select(Event::as_select())
        .load(conn)
}

/// The venue with this id.
pub fn venue(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Venue>> {
    venues::table
        .find(id)
        .select(Venue::as_select())
        .first(conn)
        .optional()
}

/// Whether a schedule has been released for the event (the programme link shows then).
pub fn has_release(conn: &mut AnyConnection, event_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        schedule_releases::table.filter(schedule_releases::event_id.eq(event_id)),
    ))
    .get_result(conn)
}
