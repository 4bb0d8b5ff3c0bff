//! What links one event to the next, and an event's life after it ends: the successor its
//! home points to, whether attendees may leave feedback, and what the home shows of it
//! (sponsors, the latest buzz, presentations, the way to hear when the next one opens).

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::display;
use super::model::Event;
use super::queries;
use crate::context::EventContext;
use crate::db::schema::events;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldErrors};

/// The event's successor, if it names one that exists.
pub fn successor(conn: &mut AnyConnection, event: &Event) -> QueryResult<Option<Event>> {
    match &event.successor_id {
        Some(id) => events::table
            .find(id)
            .select(Event::as_select())
            .first(conn)
            .optional(),
        None => Ok(None),
    }
}

/// Whether visitors may ask to hear when `e` opens: something of it is still to open.
pub fn announces(e: &Event, now: chrono::NaiveDateTime) -> bool {
    let later = |t: Option<chrono::NaiveDateTime>| t.is_none_or(|t| now < t);
    !e.is_past(now)
        && (later(e.registration_opens_at) || later(e.cfp_opens_at))
        && !(e.registration_open(now) && e.cfp_open(now))
}

/// What the event home shows beside the event's own facts.
pub fn home_extras(
    conn: &mut AnyConnection,
    event: &Event,
    now: chrono::NaiveDateTime,
) -> AppResult<Value> {
    let next = successor(conn, event)?.map(|n| {
        let tz = n.tz();
        json!({
            "slug": n.slug, "name": n.name,
            "dates": display::date_range(n.starts_at, n.ends_at, tz),
            "registration_open": n.registration_open(now), "cfp_open": n.cfp_open(now),
            "announces": announces(&n, now),
        })
    });
    let buzz = crate::buzz::views::published(conn, &event.id, Some(3))?;
    let sponsors = crate::sponsors::views::by_level(conn, &event.id, false)?;
    Ok(json!({
        "successor": next,
        "announces": announces(event, now),
        "buzz": buzz.iter().map(|b| crate::buzz::views::item_json(b, event)).collect::<Vec<_>>(),
        "sponsors": sponsors,
        "has_presentations": queries::has_release(conn, &event.id)?,
    }))
}

/// The "after the event" settings form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AfterForm {
    /// Another event's id, or empty.
    pub successor_id: String,
    /// Checkbox.
    pub feedback_enabled: Option<String>,
}

/// Saves the successor and the feedback switch.
pub fn save(conn: &mut AnyConnection, cx: &EventContext, form: &AfterForm) -> AppResult<()> {
    let successor = match form.successor_id.trim() {
        "" => None,
        id if id == cx.event.id => {
            return Err(AppError::Invalid(FieldErrors::from([(
                "successor_id".into(),
                "An event cannot follow itself.".into(),
            )])))
        }
        id => {
            let n: i64 = events::table
                .filter(events::id.eq(id))
                .count()
                .get_result(conn)?;
            if n == 0 {
                return Err(AppError::Invalid(FieldErrors::from([(
                    "successor_id".into(),
                    "Choose an event from the list.".into(),
                )])));
            }
            Some(id.to_string())
        }
    };
    diesel::update(events::table.find(&cx.event.id))
        .set((
            events::successor_id.eq(&successor),
            events::feedback_enabled.eq(form.feedback_enabled.is_some()),
            events::updated_at.eq(cx.now),
        ))
        .execute(conn)?;
    crate::audit::note(
        conn,
        cx,
        "event.after",
        ("event", &cx.event.id),
        "successor or feedback changed",
    )?;
    crate::openspace::settings::bump_board(conn, cx)?;
    Ok(())
}

/// The admin page's data: the settings, the events that may follow, and counts.
pub fn admin_page(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<Value> {
    let others: Vec<(String, String)> = events::table
        .filter(events::id.ne(&cx.event.id))
        .order(events::starts_at)
        .select((events::id, events::name))
        .load(conn)?;
    let (confirmed, waiting) = crate::outreach::notices::counts(conn, &cx.event.id)?;
    let feedback: i64 = crate::db::schema::talk_feedback::table
        .filter(crate::db::schema::talk_feedback::event_id.eq(&cx.event.id))
        .count()
        .get_result(conn)?;
    Ok(json!({
        "form": { "successor_id": cx.event.successor_id.clone().unwrap_or_default(), "feedback_enabled": cx.event.feedback_enabled },
        "events": others.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect::<Vec<_>>(),
        "subscribers": { "confirmed": confirmed, "waiting": waiting },
        "feedback_count": feedback,
    }))
}
