//! When a speaker can be there: one window per day of the event (local times), given by the
//! speaker on their CfP pages or by the organizers on the speaker's page. Nothing given means
//! nothing said (no conflict); once any window is given, the speaker is away outside them, and
//! a talk of theirs placed there is a conflict that names them.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::speaker_availability as sa;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, Event};

/// The form: a `from` and a `to` time (`HH:MM`, local) per day of the event, in order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AvailabilityForm {
    /// From, per day (empty: not there that day).
    pub from: Vec<String>,
    /// To, per day.
    pub to: Vec<String>,
}

/// One day of the form.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    /// Row number.
    pub index: usize,
    /// "Friday 30 October 2009".
    pub label: String,
    /// As typed or stored.
    pub from: String,
    /// As typed or stored.
    pub to: String,
    /// What is wrong with this day.
    pub error: Option<String>,
}

/// A window, UTC.
pub type Window = (NaiveDateTime, NaiveDateTime);

/// The event's days, in its timezone.
fn days(event: &Event) -> Vec<NaiveDate> {
    let tz = event.tz();
    let first = display::local(event.starts_at, tz).date_naive();
    let last = display::local(event.ends_at, tz).date_naive();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .take(31)
        .collect()
}

/// The form's rows: one per day, with what was typed (or is stored) and its errors.
pub fn rows(event: &Event, form: &AvailabilityForm, errors: &FieldErrors) -> Vec<DayRow> {
    days(event)
        .into_iter()
        .enumerate()
        .map(|(i, day)| DayRow {
            index: i,
            label: day.format("%A %-d %B %Y").to_string(),
            from: form.from.get(i).cloned().unwrap_or_default(),
            to: form.to.get(i).cloned().unwrap_or_default(),
            error: errors.get(&format!("day_{i}")).cloned(),
        })
        .collect()
}

/// The form filled from a speaker's stored windows.
pub fn form_of(
    conn: &mut AnyConnection,
    event: &Event,
    person_id: &str,
) -> AppResult<AvailabilityForm> {
    let tz = event.tz();
    let windows = of_person(conn, &event.id, person_id)?;
    let mut form = AvailabilityForm::default();
    for day in days(event) {
        let w = windows
            .iter()
            .find(|(s, _)| display::local(*s, tz).date_naive() == day);
        let time = |t: NaiveDateTime| display::local(t, tz).format("%H:%M").to_string();
        form.from.push(w.map(|w| time(w.0)).unwrap_or_default());
        form.to.push(w.map(|w| time(w.1)).unwrap_or_default());
    }
    Ok(form)
}

/// Checks the form: per day nothing, or a start before an end. Errors are per day.
pub fn parse(event: &Event, form: &AvailabilityForm) -> Result<Vec<Window>, FieldErrors> {
    let tz = event.tz();
    let mut errors = FieldErrors::new();
    let mut out = Vec::new();
    for (i, day) in days(event).into_iter().enumerate() {
        let from = form.from.get(i).map(|s| s.trim()).unwrap_or_default();
        let to = form.to.get(i).map(|s| s.trim()).unwrap_or_default();
        if from.is_empty() && to.is_empty() {
            continue;
        }
        let at = |t: &str| crate::values::parse_local_datetime(&format!("{day} {t}"), tz);
        match (at(from), at(to)) {
            (Ok(s), Ok(e)) if e > s => out.push((s, e)),
            (Ok(_), Ok(_)) => {
                errors.insert(
                    format!("day_{i}"),
                    "The end must be after the start.".into(),
                );
            }
            _ => {
                errors.insert(
                    format!("day_{i}"),
                    "Give both times like 09:00 and 17:30, or leave both empty.".into(),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Replaces a speaker's windows for the event (no windows: nothing said).
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    person_id: &str,
    windows: &[Window],
) -> AppResult<()> {
    conn.transaction(|conn| {
        diesel::delete(
            sa::table
                .filter(sa::event_id.eq(cx.event_id()))
                .filter(sa::person_id.eq(person_id)),
        )
        .execute(conn)?;
        for (s, e) in windows {
            diesel::insert_into(sa::table)
                .values((
                    sa::id.eq(new_id()),
                    sa::event_id.eq(cx.event_id()),
                    sa::person_id.eq(person_id),
                    sa::starts_at.eq(s),
                    sa::ends_at.eq(e),
                ))
                .execute(conn)?;
        }
        audit::record(
            conn,
            cx.now,
            &cx.actor,
            Change::on(cx.event_id(), "speaker.availability", ("person", person_id)),
            &format!("Availability set: {} windows", windows.len()),
        )?;
        Ok::<_, AppError>(())
    })
}

fn of_person(
    conn: &mut AnyConnection,
    event_id: &str,
    person_id: &str,
) -> QueryResult<Vec<Window>> {
    sa::table
        .filter(sa::event_id.eq(event_id))
        .filter(sa::person_id.eq(person_id))
        .order(sa::starts_at)
        .select((sa::starts_at, sa::ends_at))
        .load(conn)
}

/// Every speaker's windows for the event, by person id (only those who gave any).
pub fn of_event(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<HashMap<String, Vec<Window>>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = sa::table
        .filter(sa::event_id.eq(event_id))
        .order(sa::starts_at)
        .select((sa::person_id, sa::starts_at, sa::ends_at))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Window>> = HashMap::new();
    for (person, s, e) in rows {
        out.entry(person).or_default().push((s, e));
    }
    Ok(out)
}
