//! Participants: one browser or one registration, and the signed cookie that names a browser's
//! participant. The cookie holds the participant's id and an HMAC of it under the secret key, so
//! it cannot be forged or pointed at someone else's dots; the database keeps nothing a cookie
//! could be rebuilt from.

use diesel::prelude::*;

use super::model::{Access, Participant};
use super::settings;
use crate::context::EventContext;
use crate::db::schema::openspace_participants;
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::registration::model::Status;
use crate::tokens::{self, LinkKind};
use crate::values::parse_line;

/// The cookie's value for a participant: `<id>.<signature>`.
pub fn cookie_value(secret: &[u8], participant_id: &str) -> String {
    let sig = tokens::derive(secret, LinkKind::OpenSpaceParticipant, participant_id, 0);
    format!("{participant_id}.{sig}")
}

/// The participant id a cookie names, if its signature is genuine.
pub fn verify(secret: &[u8], value: &str) -> Option<String> {
    let (id, sig) = value.rsplit_once('.')?;
    let expected = tokens::derive(secret, LinkKind::OpenSpaceParticipant, id, 0);
    tokens::constant_time_eq(sig.as_bytes(), expected.as_bytes()).then(|| id.to_string())
}

/// The event's participant with this id.
pub fn find(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> QueryResult<Option<Participant>> {
    openspace_participants::table
        .find(id)
        .filter(openspace_participants::event_id.eq(event_id))
        .select(Participant::as_select())
        .first(conn)
        .optional()
}

/// Whether this participant may take part under the event's current rules (a browser that
/// joined with the code may not once the organizers switch to registered attendees only).
pub fn may_take_part(access: Access, p: &Participant) -> bool {
    match access {
        Access::Code => true,
        Access::Registered => p.registration_id.is_some(),
    }
}

fn insert(
    conn: &mut AnyConnection,
    cx: &EventContext,
    registration_id: Option<&str>,
    name: &str,
) -> QueryResult<Participant> {
    let p = Participant {
        id: new_id(),
        event_id: cx.event.id.clone(),
        registration_id: registration_id.map(str::to_string),
        name: name.to_string(),
        dots_used: 0,
        created_at: cx.now,
    };
    diesel::insert_into(openspace_participants::table)
        .values(&p)
        .execute(conn)?;
    Ok(p)
}

/// Joins with the marketplace code: a new participant for this browser.
pub fn join_with_code(
    conn: &mut AnyConnection,
    cx: &EventContext,
    code: &str,
    name: &str,
) -> AppResult<Participant> {
    write_transaction(conn, |conn| {
        let s = settings::ensure(conn, cx)?;
        if s.access == Access::Registered {
            return Err(AppError::Refused("This event's open space is for registered attendees: use the link in your registration mail.".into()));
        }
        let mut errors = FieldErrors::new();
        let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if !tokens::constant_time_eq(typed.to_uppercase().as_bytes(), s.code.as_bytes()) {
            errors.insert(
                "code".into(),
                "That is not the marketplace code. It is shown at the venue and on the board."
                    .into(),
            );
        }
        let name = match parse_line(name, "your name", 80) {
            Ok(n) => n,
            Err(m) => {
                errors.insert("name".into(), m);
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(insert(conn, cx, None, &name)?)
    })
}

/// Joins through an attendee's private link: the registration's one participant (made on first
/// use, the same one from every browser the attendee opens the link in).
pub fn join_registered(
    conn: &mut AnyConnection,
    cx: &EventContext,
    token: &str,
) -> AppResult<Participant> {
    write_transaction(conn, |conn| {
        let r = crate::registration::queries::by_token(conn, &cx.event.id, token)?;
        if r.status != Status::Confirmed {
            return Err(AppError::Refused(
                "Only confirmed registrations take part in the open space.".into(),
            ));
        }
        let existing = openspace_participants::table
            .filter(openspace_participants::event_id.eq(&cx.event.id))
            .filter(openspace_participants::registration_id.eq(&r.id))
            .select(Participant::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(p) => Ok(p),
            None => Ok(insert(conn, cx, Some(&r.id), &r.name)?),
        }
    })
}

/// How many participants an event has, by how they joined: (browsers, registrations).
pub fn counts(conn: &mut AnyConnection, event_id: &str) -> QueryResult<(i64, i64)> {
    let all: i64 = openspace_participants::table
        .filter(openspace_participants::event_id.eq(event_id))
        .count()
        .get_result(conn)?;
    let registered: i64 = openspace_participants::table
        .filter(openspace_participants::event_id.eq(event_id))
        .filter(openspace_participants::registration_id.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((all - registered, registered))
}
