//! Creating, editing and cloning events. Changing an event's capacity offers new seats to the
//! waiting list; cloning copies the settings, rooms, tracks, types and questions with every date
//! moved by the same number of days.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::form::{EventInput, VenueInput};
use super::model::{Event, EventRow, EventStatus, Venue};
use super::queries;
use crate::accounts::service::grant_role;
use crate::accounts::{Actor, Role};
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::{events, questions, rooms, submission_types, tracks, venues};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{self, Slug};

/// Finds a venue with exactly these details, or stores a new one.
fn venue_id_for(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    venue: &Option<VenueInput>,
) -> QueryResult<Option<String>> {
    let Some(v) = venue else { return Ok(None) };
    let existing = venues::table
        .filter(venues::name.eq(&v.name))
        .filter(venues::address.eq(&v.address))
        .filter(venues::url.eq(&v.url))
        .select(venues::id)
        .first::<String>(conn)
        .optional()?;
    if let Some(id) = existing {
        return Ok(Some(id));
    }
    let id = new_id();
    diesel::insert_into(venues::table)
        .values(Venue {
            id: id.clone(),
            name: v.name.clone(),
            address: v.address.clone(),
            url: v.url.clone(),
            created_at: now,
        })
        .execute(conn)?;
    Ok(Some(id))
}

/// Runs `f` with the event locked against other registration changes (and capacity changes): a row lock on
/// PostgreSQL (`SELECT … FOR UPDATE`), the database's write lock on SQLite (taken at once).
pub fn with_event_locked<T>(
    conn: &mut AnyConnection,
    event_id: &str,
    f: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<T> {
    crate::db::write_transaction(conn, |conn| {
        if let AnyConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Text, _>(event_id)
                .execute(pg)?;
        }
        f(conn)
    })
}

/// Published when an event's capacity went up: the registration domain offers the new seats to
/// the waiting list, in order (its [`crate::queue::registry::Job`] impl runs it).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CapacityRaised {
    /// The event.
    pub event_id: String,
}

impl crate::queue::Task for CapacityRaised {
    const KIND: &'static str = "event.capacity_raised";
    const PRIORITY: i32 = 5;
}

/// A second event with the same slug.
const SLUG_TAKEN: &str = "Another event already uses this slug.";

/// Inserts a new event row (a taken slug is a form error) and makes `actor`, if a person,
/// its owner.
fn insert_owned(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    id: &str,
    row: EventRow,
    is_sample: bool,
) -> AppResult<()> {
    diesel::insert_into(events::table)
        .values((
            events::id.eq(id),
            row,
            events::is_sample.eq(is_sample),
            // Sample (demo) events are published; every other event starts as a draft.
            events::status.eq(if is_sample {
                EventStatus::Published
            } else {
                EventStatus::Draft
            }),
            events::created_at.eq(now),
            events::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(AppError::taken("slug", SLUG_TAKEN))?;
    if let Some(owner) = &actor.id {
        grant_role(conn, now, id, owner, Role::Owner)?;
    }
    Ok(())
}

/// Creates an event; the creator (if a person) becomes its owner.
pub fn create(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    input: EventInput,
    is_sample: bool,
) -> AppResult<Event> {
    conn.transaction(|conn| {
        let id = new_id();
        let mut row = input.row;
        row.venue_id = venue_id_for(conn, now, &input.venue)?;
        insert_owned(conn, now, actor, &id, row.clone(), is_sample)?;
        audit::record(
            conn,
            now,
            actor,
            Change::on(&id, "event.create", ("event", &id)),
            &format!("Created event {} ({})", row.name, row.slug),
        )?;
        queries::by_id(conn, &id).map_err(AppError::from)
    })
}

/// Saves an edited event and writes what changed to the audit log.
/// Raising the capacity offers the new seats to the waiting list, in order.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn update(conn: &mut AnyConnection, cx: &EventContext, input: EventInput) -> AppResult<Event> {
    let (now, actor, before) = (cx.now, &cx.actor, &cx.event);
    // Locked like every registration change, so a capacity change and a registration
    // never decide on seats at the same time.
    with_event_locked(conn, &before.id, |conn| {
        let mut row = input.row;
        row.venue_id = venue_id_for(conn, now, &input.venue)?;
        let changed = changed_fields(before, &row);
        let updated = diesel::update(events::table.find(&before.id))
            .set((row.clone(), events::updated_at.eq(now)))
            .execute(conn);
        updated.map_err(AppError::taken("slug", SLUG_TAKEN))?;
        let summary = if changed.is_empty() {
            "Saved event without changes".to_string()
        } else {
            format!("Changed {}", changed.join(", "))
        };
        audit::record(
            conn,
            now,
            actor,
            Change::on(&before.id, "event.update", ("event", &before.id)),
            &summary,
        )?;
        let after = queries::by_id(conn, &before.id)?;
        if after.capacity != before.capacity {
            // Queued in this transaction: the seats are offered as soon as it commits.
            let raised = CapacityRaised {
                event_id: after.id.clone(),
            };
            crate::queue::push(conn, now, &raised, now)?;
        }
        // Whoever asked to hear when a window opens is told when it does (at its new time).
        crate::outreach::notices::schedule(conn, &after, now)?;
        Ok(after)
    })
}

fn changed_fields(before: &Event, after: &EventRow) -> Vec<String> {
    let mut changed = Vec::new();
    let mut check = |name: &str, differs: bool| {
        if differs {
            changed.push(name.to_string());
        }
    };
    check(
        &format!("name ({:?} → {:?})", before.name, after.name),
        before.name != after.name,
    );
    check(
        &format!("slug ({} → {})", before.slug, after.slug),
        before.slug != after.slug,
    );
    check("timezone", before.timezone != after.timezone);
    check(
        "dates",
        before.starts_at != after.starts_at || before.ends_at != after.ends_at,
    );
    check("venue", before.venue_id != after.venue_id);
    check("description", before.description != after.description);
    check("capacity", before.capacity != after.capacity);
    check(
        "registration window",
        before.registration_opens_at != after.registration_opens_at
            || before.registration_closes_at != after.registration_closes_at,
    );
    check(
        "call for papers",
        before.cfp_opens_at != after.cfp_opens_at
            || before.cfp_closes_at != after.cfp_closes_at
            || before.cfp_description != after.cfp_description,
    );
    check("contact email", before.contact_email != after.contact_email);
    check(
        "code of conduct",
        before.code_of_conduct_url != after.code_of_conduct_url,
    );
    check(
        "review and registration settings",
        before.review_score_min != after.review_score_min
            || before.review_score_max != after.review_score_max
            || before.anonymous_review != after.anonymous_review
            || before.confirm_reminder_days != after.confirm_reminder_days
            || before.pending_expiry_hours != after.pending_expiry_hours
            || before.offer_expiry_hours != after.offer_expiry_hours
            || before.retention_days != after.retention_days,
    );
    changed
}

/// The clone form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CloneForm {
    /// New name.
    pub name: String,
    /// New slug.
    pub slug: String,
    /// New first day (YYYY-MM-DD); all dates shift with it.
    pub starts_on: String,
}

/// A parsed clone form.
#[derive(Debug, Clone)]
pub struct CloneInput {
    /// The new event's name.
    pub name: String,
    /// Its slug.
    pub slug: Slug,
    /// Its first day.
    pub starts_on: NaiveDate,
}

/// Parses the clone form.
pub fn parse_clone(form: &CloneForm) -> Result<CloneInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 120));
    let slug = f.take("slug", Slug::parse(&form.slug));
    let starts_on = f.take(
        "starts_on",
        NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
            .map_err(|_| "Enter the new first day like 2010-10-15.".to_string()),
    );
    f.finish(|| {
        Some(CloneInput {
            name: name?,
            slug: slug?,
            starts_on: starts_on?,
        })
    })
}

/// Clones the context's event: settings, venue, rooms, tracks, submission types and questions.
/// Every date moves by the same amount as the first day. Talks, proposals and registrations
/// stay behind. The organizer who clones owns the new event.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn clone_event(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &CloneInput,
) -> AppResult<Event> {
    let (now, actor, source) = (cx.now, &cx.actor, &cx.event);
    let CloneInput {
        name,
        slug,
        starts_on,
    } = input.clone();
    conn.transaction(|conn| {
        let id = new_id();
        let row = shifted(source, starts_on, slug.into_inner(), name.clone());
        insert_owned(conn, now, actor, &id, row, false)?;
        copy_children(conn, &source.id, &id)?;
        crate::sponsors::manage::clone_to(conn, &source.id, &id, now)?;
        audit::record(
            conn,
            now,
            actor,
            Change::on(&id, "event.clone", ("event", &id)),
            &format!("Cloned {} from {}", name, source.slug),
        )?;
        queries::by_id(conn, &id).map_err(AppError::from)
    })
}

/// The settings of `source` for a new event with its own slug and name, every date moved by
/// the days between the two first days, in local time (so 09:00 stays 09:00 across DST).
fn shifted(source: &Event, starts_on: NaiveDate, slug: String, name: String) -> EventRow {
    let tz = source.tz();
    let old_local = tz.from_utc_datetime(&source.starts_at);
    let day_shift = starts_on
        .signed_duration_since(old_local.date_naive())
        .num_days();
    let shift = |t: NaiveDateTime| -> NaiveDateTime {
        let local = tz.from_utc_datetime(&t).naive_local() + Duration::days(day_shift);
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(x) | chrono::LocalResult::Ambiguous(x, _) => x.naive_utc(),
            chrono::LocalResult::None => t + Duration::days(day_shift),
        }
    };
    EventRow {
        slug,
        name,
        timezone: source.timezone.clone(),
        starts_at: shift(source.starts_at),
        ends_at: shift(source.ends_at),
        venue_id: source.venue_id.clone(),
        description: source.description.clone(),
        capacity: source.capacity,
        registration_opens_at: source.registration_opens_at.map(shift),
        registration_closes_at: source.registration_closes_at.map(shift),
        cfp_opens_at: source.cfp_opens_at.map(shift),
        cfp_closes_at: source.cfp_closes_at.map(shift),
        cfp_description: source.cfp_description.clone(),
        review_score_min: source.review_score_min,
        review_score_max: source.review_score_max,
        anonymous_review: source.anonymous_review,
        confirm_reminder_days: source.confirm_reminder_days,
        pending_expiry_hours: source.pending_expiry_hours,
        offer_expiry_hours: source.offer_expiry_hours,
        retention_days: source.retention_days,
        contact_email: source.contact_email.clone(),
        code_of_conduct_url: source.code_of_conduct_url.clone(),
    }
}

/// Copies an event's rooms, tracks, submission types and questions to another event, each row
/// with a new id (one row at a time: the multi-backend connection has no batch insert on SQLite).
fn copy_children(conn: &mut AnyConnection, from: &str, to: &str) -> QueryResult<()> {
    use crate::cfp::SubmissionType;
    use crate::programme::{Room, Track};
    use crate::registration::model::Question;
    macro_rules! copy {
        ($table:ident, $row:ident) => {{
            let rows: Vec<$row> = $table::table
                .filter($table::event_id.eq(from))
                .select($row::as_select())
                .load(conn)?;
            for row in rows {
                let copy = $row {
                    id: new_id(),
                    event_id: to.into(),
                    ..row
                };
                diesel::insert_into($table::table)
                    .values(&copy)
                    .execute(conn)?;
            }
        }};
    }
    copy!(rooms, Room);
    copy!(tracks, Track);
    copy!(submission_types, SubmissionType);
    copy!(questions, Question);
    Ok(())
}
