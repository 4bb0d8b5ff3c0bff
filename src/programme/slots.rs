//! Slots: times in a room (or across all rooms) holding a talk or a title ("Lunch"); placing,
//! moving and unscheduling talks. A talk is in at most one slot.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{next_number, Slot, SlotFields, SlotKind};
use super::queries::{belongs, slot_of, talk_of, Owned};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::slots;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::display;
use crate::forms::Fields;
use crate::values;

/// The slot form (times in the event's timezone).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SlotForm {
    /// Local start.
    pub starts_at: String,
    /// Local end.
    pub ends_at: String,
    /// Room id, or empty for every room.
    pub room_id: String,
    /// One of [`super::model::SlotKind`]'s stored names.
    pub kind: String,
    /// Talk id, or empty.
    pub talk_id: String,
    /// Title when there is no talk.
    pub title: String,
}

impl SlotForm {
    /// The form filled from a slot.
    pub fn from_slot(s: &Slot, tz: Tz) -> SlotForm {
        SlotForm {
            starts_at: values::to_local_input(s.starts_at, tz),
            ends_at: values::to_local_input(s.ends_at, tz),
            room_id: s.room_id.clone().unwrap_or_default(),
            kind: s.kind.to_string(),
            talk_id: s.talk_id.clone().unwrap_or_default(),
            title: s.title.clone(),
        }
    }
}

/// Parses the slot form; times are local to `tz` (the event's) and stored in UTC.
pub fn parse(form: &SlotForm, tz: Tz) -> Result<SlotFields, FieldErrors> {
    let mut f = Fields::new();
    let starts = f.take(
        "starts_at",
        values::parse_local_datetime(&form.starts_at, tz),
    );
    let ends = f.take("ends_at", values::parse_local_datetime(&form.ends_at, tz));
    if let (Some(s), Some(e)) = (starts, ends) {
        f.check(e > s, "ends_at", "A slot must end after it starts.");
    }
    let kind = match form.kind.as_str() {
        "" => Some(SlotKind::Talk),
        k => f.take(
            "kind",
            SlotKind::parse(k).ok_or_else(|| "Choose a kind of slot.".to_string()),
        ),
    };
    let talk_id = Some(form.talk_id.trim().to_string()).filter(|t| !t.is_empty());
    let title = f.take(
        "title",
        values::parse_optional_line(&form.title, "the title", 200),
    );
    // A talk, ignite or open-space slot may be created empty (the talk comes later); a break,
    // registration or social slot needs its title.
    let takes_talks = matches!(
        kind,
        Some(SlotKind::Talk | SlotKind::Ignite | SlotKind::OpenSpace)
    );
    f.check(
        talk_id.is_some() || takes_talks || title.as_deref().is_none_or(|t| !t.is_empty()),
        "title",
        "Give the slot a title (e.g. Lunch), or place a talk in it.",
    );
    f.finish(|| {
        Some(SlotFields {
            room_id: Some(form.room_id.trim().to_string()).filter(|r| !r.is_empty()),
            starts_at: starts?,
            ends_at: ends?,
            kind: kind?,
            talk_id,
            title: title?,
        })
    })
}

/// Parses the slot form in the event's timezone and checks that the room and talk are the
/// event's: every message at once, as the form shows them.
pub fn parse_checked(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &SlotForm,
) -> AppResult<SlotFields> {
    let mut f = Fields::new();
    if let Some(r) = Some(form.room_id.trim()).filter(|r| !r.is_empty()) {
        let known = belongs(conn, &cx.event.id, Owned::Room, r)?;
        f.check(known, "room_id", "Choose one of this event's rooms.");
    }
    if let Some(t) = Some(form.talk_id.trim()).filter(|t| !t.is_empty()) {
        let known = belongs(conn, &cx.event.id, Owned::Talk, t)?;
        f.check(known, "talk_id", "Choose one of this event's talks.");
    }
    f.and(parse(form, cx.event.tz())).map_err(AppError::Invalid)
}

/// Takes a talk out of every slot (but `except`): a talk is in at most one slot.
fn free_talk(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    talk_id: &str,
    except: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(
        slots::table
            .filter(slots::talk_id.eq(talk_id))
            .filter(slots::id.ne(except.unwrap_or(""))),
    )
    .set((slots::talk_id.eq(None::<String>), slots::updated_at.eq(now)))
    .execute(conn)
}

/// Creates (`id` None) or updates a slot (placing the chosen talk, which leaves any other slot).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &SlotFields,
) -> AppResult<Slot> {
    conn.transaction(|conn| {
        if let Some(t) = &input.talk_id {
            free_talk(conn, cx.now, t, id)?;
        }
        let mut what = "new".to_string();
        let slot_id = match id {
            Some(id) => {
                let b = slot_of(conn, &cx.event.id, id)?;
                diesel::update(slots::table.find(id))
                    .set((input, slots::updated_at.eq(cx.now)))
                    .execute(conn)?;
                what = audit::changes(&[
                    ("room", b.room_id != input.room_id),
                    ("start", b.starts_at != input.starts_at),
                    ("end", b.ends_at != input.ends_at),
                    ("kind", b.kind != input.kind),
                    ("talk", b.talk_id != input.talk_id),
                    ("title", b.title != input.title),
                ]);
                id.to_string()
            }
            None => {
                let slot = Slot {
                    id: new_id(),
                    number: next_number(conn)?,
                    event_id: cx.event.id.clone(),
                    room_id: input.room_id.clone(),
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    kind: input.kind,
                    talk_id: input.talk_id.clone(),
                    title: input.title.clone(),
                    created_at: cx.now,
                    updated_at: cx.now,
                };
                diesel::insert_into(slots::table)
                    .values(&slot)
                    .execute(conn)?;
                slot.id
            }
        };
        let slot = slot_of(conn, &cx.event.id, &slot_id)?;
        let when = display::short_datetime(slot.starts_at, cx.event.tz());
        audit::note(
            conn,
            cx,
            "slot.save",
            ("slot", &slot.id),
            &format!("Saved slot at {when}: {what}"),
        )?;
        Ok(slot)
    })
}

/// Places a talk in a slot (moving it out of any other slot). The drag-and-drop editor and the
/// "place" form both call this.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn place(
    conn: &mut AnyConnection,
    cx: &EventContext,
    slot_id: &str,
    talk_id: &str,
) -> AppResult<()> {
    conn.transaction(|conn| {
        let slot = slot_of(conn, &cx.event.id, slot_id)?;
        let (talk, _) = talk_of(conn, &cx.event.id, talk_id)?;
        free_talk(conn, cx.now, talk_id, None)?;
        diesel::update(slots::table.find(&slot.id))
            .set((
                slots::talk_id.eq(Some(talk_id)),
                slots::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let when = display::short_datetime(slot.starts_at, cx.event.tz());
        audit::note(
            conn,
            cx,
            "slot.place",
            ("talk", talk_id),
            &format!("Placed “{}” at {when}", talk.title),
        )?;
        Ok(())
    })
}

/// Moves a slot (with its talk, if any) to another start and room, keeping its length: what
/// dragging a slot onto a free cell of the editor's grid does. `starts` is RFC 3339 (the grid
/// cell's time); `room_id` empty spans every room.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn move_to(
    conn: &mut AnyConnection,
    cx: &EventContext,
    slot_id: &str,
    starts: &str,
    room_id: &str,
) -> AppResult<()> {
    let starts_at = chrono::DateTime::parse_from_rfc3339(starts.trim())
        .map_err(|_| AppError::BadRequest("The new time could not be read.".into()))?
        .naive_utc();
    let room = Some(room_id.trim().to_string()).filter(|r| !r.is_empty());
    conn.transaction(|conn| {
        let slot = slot_of(conn, &cx.event.id, slot_id)?;
        if let Some(r) = &room {
            if !belongs(conn, &cx.event.id, Owned::Room, r)? {
                return Err(AppError::BadRequest(
                    "That room is not this event's.".into(),
                ));
            }
        }
        let ends_at = starts_at + (slot.ends_at - slot.starts_at);
        diesel::update(slots::table.find(&slot.id))
            .set((
                slots::starts_at.eq(starts_at),
                slots::ends_at.eq(ends_at),
                slots::room_id.eq(&room),
                slots::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let (from, to) = (
            display::short_datetime(slot.starts_at, cx.event.tz()),
            display::short_datetime(starts_at, cx.event.tz()),
        );
        audit::note(
            conn,
            cx,
            "slot.move",
            ("slot", &slot.id),
            &format!("Moved the slot at {from} to {to}"),
        )?;
        Ok(())
    })
}

/// Takes the talk out of a slot (the slot stays, empty).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn unschedule(conn: &mut AnyConnection, cx: &EventContext, slot_id: &str) -> AppResult<()> {
    conn.transaction(|conn| {
        let slot = slot_of(conn, &cx.event.id, slot_id)?;
        diesel::update(slots::table.find(&slot.id))
            .set((
                slots::talk_id.eq(None::<String>),
                slots::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        audit::note(
            conn,
            cx,
            "slot.unschedule",
            ("slot", slot_id),
            "Took the talk out of a slot",
        )?;
        Ok(())
    })
}

/// Deletes a slot.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, slot_id: &str) -> AppResult<()> {
    conn.transaction(|conn| {
        slot_of(conn, &cx.event.id, slot_id)?;
        diesel::delete(slots::table.find(slot_id)).execute(conn)?;
        audit::note(conn, cx, "slot.delete", ("slot", slot_id), "Deleted a slot")?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_times_are_local_and_a_slot_needs_a_talk_or_a_title() {
        let form = SlotForm {
            starts_at: "2009-10-30T12:00".into(),
            ends_at: "2009-10-30T13:00".into(),
            kind: "break".into(),
            title: "Lunch".into(),
            ..SlotForm::default()
        };
        let slot = parse(&form, chrono_tz::Europe::Brussels).unwrap();
        assert_eq!(slot.starts_at.to_string(), "2009-10-30 11:00:00");
        assert_eq!(slot.kind, SlotKind::Break);
        assert_eq!(slot.room_id, None);
        let bad = SlotForm {
            ends_at: "2009-10-30T11:00".into(),
            title: String::new(),
            kind: "party".into(),
            ..form
        };
        let errors = parse(&bad, chrono_tz::Europe::Brussels).unwrap_err();
        for field in ["ends_at", "title", "kind"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}
