//! Rooms: the grid's columns, with seats and order.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Room, RoomFields};
use super::queries::{room_of, rooms_of};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::rooms;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values;

/// The room form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    /// As typed; unique in the event.
    pub name: String,
    /// Seats.
    pub capacity: String,
    /// Column order.
    pub position: String,
    /// Free text.
    pub description: String,
}

/// A parsed room form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomInput {
    /// What is stored.
    pub fields: RoomFields,
    /// Column order (`None`: after the others).
    pub position: Option<i32>,
}

/// Parses the room form.
pub fn parse(form: &RoomForm) -> Result<RoomInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 80));
    let capacity = f.take(
        "capacity",
        values::parse_optional_int(&form.capacity, "the capacity", 0, 100_000),
    );
    let position = f.take(
        "position",
        values::parse_optional_int(&form.position, "the order", -1000, 1000),
    );
    let description = f.take(
        "description",
        values::parse_text(&form.description, "the description", 2000),
    );
    f.finish(|| {
        Some(RoomInput {
            fields: RoomFields {
                name: name?,
                description: description?,
                capacity: capacity?,
            },
            position: position?,
        })
    })
}

/// A second room of the same name.
const NAME_TAKEN: &str = "Another room of this event has this name.";

/// Creates (`id` None) or updates a room.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &RoomInput,
) -> AppResult<Room> {
    let action = if id.is_some() {
        "room.update"
    } else {
        "room.create"
    };
    conn.transaction(|conn| {
        let position = match input.position {
            Some(p) => p,
            None => rooms_of(conn, &cx.event.id)?.len() as i32,
        };
        let id = match id {
            Some(id) => {
                room_of(conn, &cx.event.id, id)?;
                diesel::update(rooms::table.find(id))
                    .set((
                        &input.fields,
                        rooms::position.eq(position),
                        rooms::updated_at.eq(cx.now),
                    ))
                    .execute(conn)
                    .map_err(AppError::taken("name", NAME_TAKEN))?;
                id.to_string()
            }
            None => {
                let f = &input.fields;
                let room = Room {
                    id: new_id(),
                    event_id: cx.event.id.clone(),
                    name: f.name.clone(),
                    description: f.description.clone(),
                    capacity: f.capacity,
                    position,
                    updated_at: cx.now,
                };
                diesel::insert_into(rooms::table)
                    .values(&room)
                    .execute(conn)
                    .map_err(AppError::taken("name", NAME_TAKEN))?;
                room.id
            }
        };
        let room = room_of(conn, &cx.event.id, &id)?;
        audit::note(
            conn,
            cx,
            action,
            ("room", &room.id),
            &format!("Saved room {}", room.name),
        )?;
        Ok(room)
    })
}

/// Deletes a room (its slots go with it).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    conn.transaction(|conn| {
        let room = room_of(conn, &cx.event.id, id)?;
        diesel::delete(rooms::table.find(id)).execute(conn)?;
        audit::note(
            conn,
            cx,
            "room.delete",
            ("room", id),
            &format!("Deleted room {} and its slots", room.name),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_needs_a_name_and_numbers_that_are_numbers() {
        let form = RoomForm {
            name: "Main room".into(),
            capacity: "250".into(),
            ..RoomForm::default()
        };
        let input = parse(&form).unwrap();
        assert_eq!(input.fields.capacity, Some(250));
        assert_eq!(input.position, None);
        let bad = RoomForm {
            capacity: "lots".into(),
            position: "first".into(),
            ..RoomForm::default()
        };
        let errors = parse(&bad).unwrap_err();
        assert!(
            errors.contains_key("name")
                && errors.contains_key("capacity")
                && errors.contains_key("position")
        );
    }
}
