//! The personal data of the open space: participants' names, conveners who came through a
//! registration, and the names editors typed on notes. Exported with the attendee's data,
//! erased with their registration, purged with the event's personal data. Conveners' names on
//! topics placed in the programme stay when an event is purged, like speakers' names: they are
//! the public record of who convened; an attendee who erases their registration takes their
//! name off their topics too.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::model::{NoteRevision, Participant, Topic};
use crate::db::schema::{openspace_participants, openspace_topics, session_notes};
use crate::db::AnyConnection;

/// What the open space keeps about a registration's participant, for their data export.
pub fn export_of(
    conn: &mut AnyConnection,
    event_id: &str,
    registration_id: &str,
) -> QueryResult<Value> {
    let Some(p) = openspace_participants::table
        .filter(openspace_participants::event_id.eq(event_id))
        .filter(openspace_participants::registration_id.eq(registration_id))
        .select(Participant::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(Value::Null);
    };
    let topics: Vec<Topic> = openspace_topics::table
        .filter(openspace_topics::participant_id.eq(&p.id))
        .select(Topic::as_select())
        .load(conn)?;
    let notes: Vec<NoteRevision> = session_notes::table
        .filter(session_notes::participant_id.eq(&p.id))
        .order(session_notes::created_at)
        .select(NoteRevision::as_select())
        .load(conn)?;
    let votes = super::market::voted_by(conn, &p.id)?;
    Ok(json!({
        "participant": { "name": p.name, "dots_used": p.dots_used, "joined_at": p.created_at },
        "topics_proposed": topics.iter().map(|t| json!({ "title": t.title, "description": t.description, "convener_name": t.convener_name, "proposed_at": t.created_at })).collect::<Vec<_>>(),
        "dots_on_topics": votes,
        "notes_revisions": notes.iter().map(|n| json!({ "on": n.subject_kind, "subject_id": n.subject_id, "revision": n.revision, "editor_name": n.editor_name, "saved_at": n.created_at })).collect::<Vec<_>>(),
    }))
}

/// Erases a registration's participant: their name, their name on their topics and notes.
/// Their votes stay, anonymous (counts do not change after the marketplace).
pub fn erase_registration(
    conn: &mut AnyConnection,
    event_id: &str,
    registration_id: &str,
) -> QueryResult<()> {
    let ids: Vec<String> = openspace_participants::table
        .filter(openspace_participants::event_id.eq(event_id))
        .filter(openspace_participants::registration_id.eq(registration_id))
        .select(openspace_participants::id)
        .load(conn)?;
    diesel::update(openspace_topics::table.filter(openspace_topics::participant_id.eq_any(&ids)))
        .set(openspace_topics::convener_name.eq("(name erased)"))
        .execute(conn)?;
    diesel::update(session_notes::table.filter(session_notes::participant_id.eq_any(&ids)))
        .set(session_notes::editor_name.eq(""))
        .execute(conn)?;
    diesel::update(openspace_participants::table.filter(openspace_participants::id.eq_any(&ids)))
        .set((
            openspace_participants::name.eq(""),
            openspace_participants::registration_id.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Purges an event's open-space personal data: participants' and editors' names.
pub fn purge_event(conn: &mut AnyConnection, event_id: &str) -> QueryResult<()> {
    diesel::update(session_notes::table.filter(session_notes::event_id.eq(event_id)))
        .set(session_notes::editor_name.eq(""))
        .execute(conn)?;
    diesel::update(
        openspace_participants::table.filter(openspace_participants::event_id.eq(event_id)),
    )
    .set((
        openspace_participants::name.eq(""),
        openspace_participants::registration_id.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}
