//! Event rules: the organizers' form parsed into a typed input, create, edit, clone.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Event, EventRow, Venue};
use super::queries;
use crate::accounts::service::grant_role;
use crate::accounts::{Actor, Role};
use crate::audit::{self, Change};
use crate::db::schema::{events, questions, rooms, submission_types, tracks, venues};
use crate::db::{is_unique_violation, new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::values::{self, EmailAddress, Slug};

/// The event form as typed (all text), kept to show the form again with the input on errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventForm {
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// IANA timezone.
    pub timezone: String,
    /// Local start.
    pub starts_at: String,
    /// Local end.
    pub ends_at: String,
    /// Venue name.
    pub venue_name: String,
    /// Venue address.
    pub venue_address: String,
    /// Venue link.
    pub venue_url: String,
    /// Seats (empty: unlimited).
    pub capacity: String,
    /// Markdown description.
    pub description: String,
    /// Local time registration opens.
    pub registration_opens_at: String,
    /// Local time registration closes.
    pub registration_closes_at: String,
    /// Local time the CfP opens.
    pub cfp_opens_at: String,
    /// Local time the CfP closes.
    pub cfp_closes_at: String,
    /// CfP description (Markdown).
    pub cfp_description: String,
    /// Organizers' contact email.
    pub contact_email: String,
    /// Code of conduct link.
    pub code_of_conduct_url: String,
    /// Lowest review score.
    pub review_score_min: String,
    /// Highest review score.
    pub review_score_max: String,
    /// Checkbox: "on" when ticked.
    pub anonymous_review: Option<String>,
    /// Reminder interval (days).
    pub confirm_reminder_days: String,
    /// Pending expiry (hours).
    pub pending_expiry_hours: String,
    /// Offer expiry (hours).
    pub offer_expiry_hours: String,
    /// Retention (days after the event).
    pub retention_days: String,
}

impl EventForm {
    /// A blank form with sensible defaults for a new event.
    pub fn blank() -> EventForm {
        EventForm {
            timezone: "Europe/Brussels".into(),
            review_score_min: "0".into(),
            review_score_max: "5".into(),
            confirm_reminder_days: "3".into(),
            pending_expiry_hours: "48".into(),
            offer_expiry_hours: "48".into(),
            retention_days: "90".into(),
            ..EventForm::default()
        }
    }

    /// The form filled from an existing event (times in its timezone).
    pub fn from_event(event: &Event, venue: Option<&Venue>) -> EventForm {
        let tz = event.tz();
        let local =
            |t: Option<NaiveDateTime>| t.map(|t| values::to_local_input(t, tz)).unwrap_or_default();
        EventForm {
            name: event.name.clone(),
            slug: event.slug.clone(),
            timezone: event.timezone.clone(),
            starts_at: values::to_local_input(event.starts_at, tz),
            ends_at: values::to_local_input(event.ends_at, tz),
            venue_name: venue.map(|v| v.name.clone()).unwrap_or_default(),
            venue_address: venue.map(|v| v.address.clone()).unwrap_or_default(),
            venue_url: venue.map(|v| v.url.clone()).unwrap_or_default(),
            capacity: event.capacity.map(|c| c.to_string()).unwrap_or_default(),
            description: event.description.clone(),
            registration_opens_at: local(event.registration_opens_at),
            registration_closes_at: local(event.registration_closes_at),
            cfp_opens_at: local(event.cfp_opens_at),
            cfp_closes_at: local(event.cfp_closes_at),
            cfp_description: event.cfp_description.clone(),
            contact_email: event.contact_email.clone(),
            code_of_conduct_url: event.code_of_conduct_url.clone(),
            review_score_min: event.review_score_min.to_string(),
            review_score_max: event.review_score_max.to_string(),
            anonymous_review: event.anonymous_review.then(|| "on".to_string()),
            confirm_reminder_days: event.confirm_reminder_days.to_string(),
            pending_expiry_hours: event.pending_expiry_hours.to_string(),
            offer_expiry_hours: event.offer_expiry_hours.to_string(),
            retention_days: event.retention_days.to_string(),
        }
    }
}

/// The venue part of a parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueInput {
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Link.
    pub url: String,
}

/// A parsed, valid event form.
#[derive(Debug, Clone)]
pub struct EventInput {
    /// Everything stored on the event row except the venue id.
    pub row: EventRow,
    /// The venue, if a name was given.
    pub venue: Option<VenueInput>,
}

/// Collects per-field errors while parsing.
struct Collector {
    errors: FieldErrors,
}

impl Collector {
    fn take<T>(&mut self, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.errors.entry(field.to_string()).or_insert(m);
                None
            }
        }
    }

    fn fail(&mut self, field: &str, message: &str) {
        self.errors
            .entry(field.to_string())
            .or_insert_with(|| message.to_string());
    }
}

fn optional_time(c: &mut Collector, field: &str, input: &str, tz: Tz) -> Option<NaiveDateTime> {
    if input.trim().is_empty() {
        return None;
    }
    c.take(field, values::parse_local_datetime(input, tz))
}

/// Parses the event form; on error returns a message per field.
pub fn parse_form(form: &EventForm) -> Result<EventInput, FieldErrors> {
    let mut c = Collector {
        errors: FieldErrors::new(),
    };
    let name = c.take("name", values::parse_line(&form.name, "a name", 120));
    let slug = c.take("slug", Slug::parse(&form.slug));
    let tz = c.take("timezone", values::parse_timezone(&form.timezone));
    let tz_or_utc = tz.unwrap_or(Tz::UTC);
    let starts = c.take(
        "starts_at",
        values::parse_local_datetime(&form.starts_at, tz_or_utc),
    );
    let ends = c.take(
        "ends_at",
        values::parse_local_datetime(&form.ends_at, tz_or_utc),
    );
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            c.fail("ends_at", "The event must end after it starts.");
        }
    }
    let venue_name = c.take(
        "venue_name",
        values::parse_optional_line(&form.venue_name, "the venue name", 200),
    );
    let venue_address = c.take(
        "venue_address",
        values::parse_text(&form.venue_address, "the address", 500),
    );
    let venue_url = c.take("venue_url", values::parse_optional_url(&form.venue_url));
    let capacity = c.take(
        "capacity",
        values::parse_optional_int(&form.capacity, "capacity", 0, 1_000_000),
    );
    let description = c.take(
        "description",
        values::parse_text(&form.description, "the description", 20_000),
    );
    let reg_opens = optional_time(
        &mut c,
        "registration_opens_at",
        &form.registration_opens_at,
        tz_or_utc,
    );
    let reg_closes = optional_time(
        &mut c,
        "registration_closes_at",
        &form.registration_closes_at,
        tz_or_utc,
    );
    check_window(
        &mut c,
        "registration",
        &form.registration_opens_at,
        &form.registration_closes_at,
        reg_opens,
        reg_closes,
    );
    let cfp_opens = optional_time(&mut c, "cfp_opens_at", &form.cfp_opens_at, tz_or_utc);
    let cfp_closes = optional_time(&mut c, "cfp_closes_at", &form.cfp_closes_at, tz_or_utc);
    check_window(
        &mut c,
        "cfp",
        &form.cfp_opens_at,
        &form.cfp_closes_at,
        cfp_opens,
        cfp_closes,
    );
    let cfp_description = c.take(
        "cfp_description",
        values::parse_text(&form.cfp_description, "the call for papers text", 20_000),
    );
    let contact_email = if form.contact_email.trim().is_empty() {
        Some(String::new())
    } else {
        c.take(
            "contact_email",
            EmailAddress::parse(&form.contact_email).map(EmailAddress::into_inner),
        )
    };
    let coc = c.take(
        "code_of_conduct_url",
        values::parse_optional_url(&form.code_of_conduct_url),
    );
    let int_or = |c: &mut Collector,
                  field: &str,
                  input: &str,
                  what: &str,
                  min: i32,
                  max: i32,
                  default: i32| {
        if input.trim().is_empty() {
            Some(default)
        } else {
            c.take(field, values::parse_int(input, what, min, max))
        }
    };
    let score_min = int_or(
        &mut c,
        "review_score_min",
        &form.review_score_min,
        "the lowest score",
        -10,
        100,
        0,
    );
    let score_max = int_or(
        &mut c,
        "review_score_max",
        &form.review_score_max,
        "the highest score",
        -10,
        100,
        5,
    );
    if let (Some(lo), Some(hi)) = (score_min, score_max) {
        if hi <= lo {
            c.fail(
                "review_score_max",
                "The highest score must be above the lowest.",
            );
        }
    }
    let reminder = int_or(
        &mut c,
        "confirm_reminder_days",
        &form.confirm_reminder_days,
        "the reminder interval",
        1,
        60,
        3,
    );
    let pending = int_or(
        &mut c,
        "pending_expiry_hours",
        &form.pending_expiry_hours,
        "the confirmation time",
        1,
        24 * 30,
        48,
    );
    let offer = int_or(
        &mut c,
        "offer_expiry_hours",
        &form.offer_expiry_hours,
        "the offer time",
        1,
        24 * 30,
        48,
    );
    let retention = int_or(
        &mut c,
        "retention_days",
        &form.retention_days,
        "the retention period",
        0,
        3650,
        90,
    );

    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    // Every `take` above succeeded, so each option holds a value; the `else` is unreachable
    // but avoids `unwrap` on a request path.
    let (
        Some(name),
        Some(slug),
        Some(tz),
        Some(starts),
        Some(ends),
        Some(venue_name),
        Some(venue_address),
        Some(venue_url),
        Some(capacity),
        Some(description),
        Some(cfp_description),
        Some(contact_email),
        Some(coc),
        Some(score_min),
        Some(score_max),
        Some(reminder),
        Some(pending),
        Some(offer),
        Some(retention),
    ) = (
        name,
        slug,
        tz,
        starts,
        ends,
        venue_name,
        venue_address,
        venue_url,
        capacity,
        description,
        cfp_description,
        contact_email,
        coc,
        score_min,
        score_max,
        reminder,
        pending,
        offer,
        retention,
    )
    else {
        return Err(FieldErrors::from([(
            "name".to_string(),
            "Please check the form.".to_string(),
        )]));
    };
    if venue_name.is_empty() && (!venue_address.is_empty() || !venue_url.is_empty()) {
        return Err(FieldErrors::from([(
            "venue_name".to_string(),
            "Please name the venue, or leave its address empty too.".to_string(),
        )]));
    }
    let venue = (!venue_name.is_empty()).then_some(VenueInput {
        name: venue_name,
        address: venue_address,
        url: venue_url,
    });
    Ok(EventInput {
        row: EventRow {
            slug: slug.into_inner(),
            name,
            timezone: tz.name().to_string(),
            starts_at: starts,
            ends_at: ends,
            venue_id: None,
            description,
            capacity,
            registration_opens_at: reg_opens,
            registration_closes_at: reg_closes,
            cfp_opens_at: cfp_opens,
            cfp_closes_at: cfp_closes,
            cfp_description,
            review_score_min: score_min,
            review_score_max: score_max,
            anonymous_review: form
                .anonymous_review
                .as_deref()
                .is_some_and(|v| !v.is_empty()),
            confirm_reminder_days: reminder,
            pending_expiry_hours: pending,
            offer_expiry_hours: offer,
            retention_days: retention,
            contact_email,
            code_of_conduct_url: coc,
        },
        venue,
    })
}

fn check_window(
    c: &mut Collector,
    prefix: &str,
    opens_text: &str,
    closes_text: &str,
    opens: Option<NaiveDateTime>,
    closes: Option<NaiveDateTime>,
) {
    let (o_empty, c_empty) = (opens_text.trim().is_empty(), closes_text.trim().is_empty());
    if o_empty != c_empty {
        let field = if o_empty {
            format!("{prefix}_opens_at")
        } else {
            format!("{prefix}_closes_at")
        };
        c.fail(&field, "Give both ends of the window, or leave both empty.");
    }
    if let (Some(o), Some(cl)) = (opens, closes) {
        if cl <= o {
            c.fail(
                &format!("{prefix}_closes_at"),
                "This must be after the opening time.",
            );
        }
    }
}

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

fn slug_taken() -> AppError {
    AppError::field("slug", "Another event already uses this slug.")
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
        let inserted = diesel::insert_into(events::table)
            .values((
                events::id.eq(&id),
                row.clone(),
                events::is_sample.eq(is_sample),
                events::created_at.eq(now),
                events::updated_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(slug_taken()),
            other => other?,
        };
        if let Some(owner) = &actor.id {
            grant_role(conn, now, &id, owner, Role::Owner)?;
        }
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&id),
                action: "event.create",
                entity_type: "event",
                entity_id: Some(&id),
            },
            &format!("Created event {} ({})", row.name, row.slug),
        )?;
        queries::by_id(conn, &id).map_err(AppError::from)
    })
}

/// Saves an edited event and writes what changed to the audit log.
/// Raising the capacity offers the new seats to the waiting list, in order.
pub fn update(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &crate::mail::Mailer,
    actor: &Actor,
    before: &Event,
    input: EventInput,
) -> AppResult<Event> {
    // Locked like every registration change, so a capacity change and a registration
    // never decide on seats at the same time.
    crate::registration::service::with_event_locked(conn, &before.id, |conn| {
        let mut row = input.row;
        row.venue_id = venue_id_for(conn, now, &input.venue)?;
        let changed = changed_fields(before, &row);
        let updated = diesel::update(events::table.find(&before.id))
            .set((row.clone(), events::updated_at.eq(now)))
            .execute(conn);
        match updated {
            Err(e) if is_unique_violation(&e) => return Err(slug_taken()),
            other => other?,
        };
        let summary = if changed.is_empty() {
            "Saved event without changes".to_string()
        } else {
            format!("Changed {}", changed.join(", "))
        };
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&before.id),
                action: "event.update",
                entity_type: "event",
                entity_id: Some(&before.id),
            },
            &summary,
        )?;
        let after = queries::by_id(conn, &before.id)?;
        if after.capacity != before.capacity {
            crate::registration::service::fill_seats(conn, now, mailer, &after)?;
        }
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

/// Clones an event: settings, venue, rooms, tracks, submission types and questions. Every date
/// moves by the same amount as the first day. Talks, proposals and registrations stay behind.
pub fn clone_event(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    source: &Event,
    form: &CloneForm,
) -> AppResult<Event> {
    let mut errors = FieldErrors::new();
    let name = values::parse_line(&form.name, "a name", 120)
        .map_err(|m| errors.insert("name".into(), m))
        .ok();
    let slug = Slug::parse(&form.slug)
        .map_err(|m| errors.insert("slug".into(), m))
        .ok();
    let tz = source.tz();
    let starts_on = NaiveDate::parse_from_str(form.starts_on.trim(), "%Y-%m-%d")
        .map_err(|_| {
            errors.insert(
                "starts_on".into(),
                "Enter the new first day like 2010-10-15.".into(),
            )
        })
        .ok();
    let (Some(name), Some(slug), Some(starts_on)) = (name, slug, starts_on) else {
        return Err(AppError::Invalid(errors));
    };
    // Shift by whole days in local time, so 09:00 stays 09:00 across DST changes.
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
    conn.transaction(|conn| {
        let id = new_id();
        let row = EventRow {
            slug: slug.into_inner(),
            name: name.clone(),
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
        };
        let inserted = diesel::insert_into(events::table)
            .values((
                events::id.eq(&id),
                row,
                events::is_sample.eq(false),
                events::created_at.eq(now),
                events::updated_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => return Err(slug_taken()),
            other => other?,
        };
        copy_children(conn, &source.id, &id)?;
        if let Some(owner) = &actor.id {
            grant_role(conn, now, &id, owner, Role::Owner)?;
        }
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&id),
                action: "event.clone",
                entity_type: "event",
                entity_id: Some(&id),
            },
            &format!("Cloned {} from {}", name, source.slug),
        )?;
        queries::by_id(conn, &id).map_err(AppError::from)
    })
}

fn copy_children(conn: &mut AnyConnection, from: &str, to: &str) -> QueryResult<()> {
    let room_rows: Vec<(String, String, Option<i32>, i32)> = rooms::table
        .filter(rooms::event_id.eq(from))
        .select((
            rooms::name,
            rooms::description,
            rooms::capacity,
            rooms::position,
        ))
        .load(conn)?;
    for (name, description, capacity, position) in room_rows {
        diesel::insert_into(rooms::table)
            .values((
                rooms::id.eq(new_id()),
                rooms::event_id.eq(to),
                rooms::name.eq(name),
                rooms::description.eq(description),
                rooms::capacity.eq(capacity),
                rooms::position.eq(position),
            ))
            .execute(conn)?;
    }
    let track_rows: Vec<(String, String, i32)> = tracks::table
        .filter(tracks::event_id.eq(from))
        .select((tracks::name, tracks::colour, tracks::position))
        .load(conn)?;
    for (name, colour, position) in track_rows {
        diesel::insert_into(tracks::table)
            .values((
                tracks::id.eq(new_id()),
                tracks::event_id.eq(to),
                tracks::name.eq(name),
                tracks::colour.eq(colour),
                tracks::position.eq(position),
            ))
            .execute(conn)?;
    }
    let type_rows: Vec<(String, String, i32, i32)> = submission_types::table
        .filter(submission_types::event_id.eq(from))
        .select((
            submission_types::name,
            submission_types::kind,
            submission_types::duration_minutes,
            submission_types::position,
        ))
        .load(conn)?;
    for (name, kind, duration, position) in type_rows {
        diesel::insert_into(submission_types::table)
            .values((
                submission_types::id.eq(new_id()),
                submission_types::event_id.eq(to),
                submission_types::name.eq(name),
                submission_types::kind.eq(kind),
                submission_types::duration_minutes.eq(duration),
                submission_types::position.eq(position),
            ))
            .execute(conn)?;
    }
    let question_rows: Vec<(String, String, String, bool, String, i32)> = questions::table
        .filter(questions::event_id.eq(from))
        .select((
            questions::label,
            questions::help_text,
            questions::kind,
            questions::required,
            questions::options,
            questions::position,
        ))
        .load(conn)?;
    for (label, help, kind, required, options, position) in question_rows {
        diesel::insert_into(questions::table)
            .values((
                questions::id.eq(new_id()),
                questions::event_id.eq(to),
                questions::label.eq(label),
                questions::help_text.eq(help),
                questions::kind.eq(kind),
                questions::required.eq(required),
                questions::options.eq(options),
                questions::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ghent_form() -> EventForm {
        EventForm {
            name: "devopsdays Ghent 2009".into(),
            slug: "ghent-2009".into(),
            timezone: "Europe/Brussels".into(),
            starts_at: "2009-10-30T09:00".into(),
            ends_at: "2009-10-31T18:00".into(),
            venue_name: "Hogeschool Gent".into(),
            ..EventForm::blank()
        }
    }

    #[test]
    fn a_valid_form_parses_into_utc_times() {
        let input = parse_form(&ghent_form()).unwrap();
        assert_eq!(input.row.starts_at.to_string(), "2009-10-30 08:00:00");
        assert_eq!(input.row.review_score_max, 5);
        assert!(input.venue.is_some());
    }

    #[test]
    fn errors_are_reported_per_field() {
        let form = EventForm {
            slug: "admin".into(),
            ends_at: "2009-10-29T09:00".into(),
            capacity: "lots".into(),
            registration_opens_at: "2009-09-01T00:00".into(),
            ..ghent_form()
        };
        let errors = parse_form(&form).unwrap_err();
        assert!(errors.contains_key("slug"));
        assert!(errors.contains_key("ends_at"));
        assert!(errors.contains_key("capacity"));
        assert!(errors.contains_key("registration_closes_at"));
        assert!(!errors.contains_key("name"));
    }
}
