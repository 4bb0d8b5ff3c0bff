//! Writes through the API to an event and its programme's parts: rooms, tracks and slots are
//! created (`POST`); they, speakers and the event itself are changed (`PATCH`, with `If-Match`)
//! with the same forms, rules and audit as the admin pages: a change is the admin form filled
//! from the row, with the fields the request names put over it.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::etag;
use super::read::Programme;
use super::repr::EventOut;
use super::tokens::Caller;
use crate::context::EventContext;
use crate::db::{write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors, OrNotFound};
use crate::events::form::EventForm;
use crate::programme::people::{self, PersonForm};
use crate::programme::queries::{person, room_of, slot_of};
use crate::programme::rooms::{self, RoomForm};
use crate::programme::slots::{self, SlotForm};
use crate::programme::tracks::{self as track_rules, TrackForm};
use crate::programme::Track;

/// A part of the programme the API writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The event itself (changed only; events are created in the admin or with the CLI).
    Event,
    /// A room.
    Room,
    /// A track.
    Track,
    /// A speaker (changed only; speakers join the programme with their talks).
    Speaker,
    /// A slot.
    Slot,
}

impl Part {
    /// The fields a request may set.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Part::Event => &[
                "name",
                "description",
                "capacity",
                "starts_at",
                "ends_at",
                "contact_email",
                "code_of_conduct_url",
            ],
            Part::Room => &["name", "capacity"],
            Part::Track => &["name", "colour"],
            Part::Speaker => &["name", "bio", "photo_url", "website_url", "social"],
            Part::Slot => &[
                "starts_at",
                "ends_at",
                "room_id",
                "kind",
                "talk_id",
                "title",
            ],
        }
    }
}

/// The part with `id` as the API sends it to the event's team (the working copy), as JSON:
/// what `GET` answers and what `If-Match` is compared with.
pub fn read(
    conn: &mut AnyConnection,
    cx: &EventContext,
    caller: Option<&Caller>,
    part: Part,
    id: &str,
) -> AppResult<Value> {
    if part == Part::Event {
        let e = crate::events::queries::by_id(conn, &cx.event.id)?;
        return Ok(json(EventOut::of(&e, &cx.mailer.base_url)));
    }
    let p = Programme::load(conn, caller, &cx.event, &cx.mailer.base_url)?;
    let found = match part {
        Part::Event => None,
        Part::Room => p.room(id).map(json),
        Part::Track => p.track(id).map(json),
        Part::Speaker => p.speaker(id).map(json),
        Part::Slot => p.slot(id).map(json),
    };
    found.or_not_found()
}

fn json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// Creates (`id` None) or changes a part; a change is refused (412) unless `if_match`, when
/// given, is the part's current ETag.
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    caller: &Caller,
    part: Part,
    id: Option<&str>,
    patch: &Map<String, Value>,
    if_match: Option<&str>,
) -> AppResult<Value> {
    write_transaction(conn, |conn| {
        if let (Some(id), Some(expected)) = (id, if_match) {
            let current = read(conn, cx, Some(caller), part, id)?;
            if !etag::matches(expected, &etag::of(&current)) {
                return Err(AppError::Stale(
                    "It changed since you read it: read it again and reapply your change.".into(),
                ));
            }
        }
        let tz = cx.event.tz();
        let saved = match part {
            Part::Event => {
                let venue = match &cx.event.venue_id {
                    Some(v) => crate::events::queries::venue(conn, v)?,
                    None => None,
                };
                let form = EventForm::from_event(&cx.event, venue.as_ref());
                let form = overlay(&form, &local_times(patch, tz)?, part)?;
                let input = crate::events::form::parse(&form).map_err(AppError::Invalid)?;
                crate::events::lifecycle::update(conn, cx, input)?.id
            }
            Part::Room => {
                let form = match id {
                    Some(id) => {
                        let r = room_of(conn, &cx.event.id, id)?;
                        RoomForm {
                            name: r.name,
                            capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
                            position: r.position.to_string(),
                            description: r.description,
                        }
                    }
                    None => RoomForm::default(),
                };
                let input =
                    rooms::parse(&overlay(&form, patch, part)?).map_err(AppError::Invalid)?;
                rooms::save(conn, cx, id, &input)?.id
            }
            Part::Track => {
                let form = match id {
                    Some(id) => {
                        let t = crate::programme::queries::tracks_of(conn, &cx.event.id)?
                            .into_iter()
                            .find(|t: &Track| t.id == id)
                            .or_not_found()?;
                        TrackForm {
                            name: t.name,
                            colour: t.colour,
                        }
                    }
                    None => TrackForm::default(),
                };
                let input =
                    track_rules::parse(&overlay(&form, patch, part)?).map_err(AppError::Invalid)?;
                track_rules::save(conn, cx, id, &input)?.id
            }
            Part::Speaker => {
                let id = id.ok_or(AppError::NotFound)?;
                // Only a speaker of this event's programme.
                read(conn, cx, Some(caller), part, id)?;
                let form = PersonForm::from_person(&person(conn, id)?);
                let input =
                    people::parse(&overlay(&form, patch, part)?).map_err(AppError::Invalid)?;
                people::save(conn, cx, Some(id), &input)?.id
            }
            Part::Slot => {
                let form = match id {
                    Some(id) => SlotForm::from_slot(&slot_of(conn, &cx.event.id, id)?, tz),
                    None => SlotForm::default(),
                };
                let form = overlay(&form, &local_times(patch, tz)?, part)?;
                let input = slots::parse_checked(conn, cx, &form)?;
                slots::save(conn, cx, id, &input)?.id
            }
        };
        read(conn, cx, Some(caller), part, &saved)
    })
}

/// The request with its RFC 3339 `starts_at` and `ends_at` as the forms take them: local to the
/// event's timezone.
fn local_times(patch: &Map<String, Value>, tz: chrono_tz::Tz) -> AppResult<Map<String, Value>> {
    let mut patch = patch.clone();
    for key in ["starts_at", "ends_at"] {
        if let Some(Value::String(t)) = patch.get(key) {
            let local = DateTime::parse_from_rfc3339(t)
                .map(|t| crate::values::to_local_input(t.with_timezone(&Utc).naive_utc(), tz))
                .map_err(|_| {
                    AppError::field(key, "Give a time in RFC 3339, e.g. 2010-06-25T16:00:00Z.")
                })?;
            patch.insert(key.into(), Value::String(local));
        }
    }
    Ok(patch)
}

/// `form` with the request's fields put over it (strings, numbers, or null for empty); a
/// field the part does not take is named in the error.
fn overlay<F: Serialize + DeserializeOwned>(
    form: &F,
    patch: &Map<String, Value>,
    part: Part,
) -> AppResult<F> {
    let mut value = serde_json::to_value(form).map_err(|e| AppError::Internal(e.into()))?;
    let mut errors = FieldErrors::new();
    if let Some(fields) = value.as_object_mut() {
        for (key, v) in patch {
            if !part.fields().contains(&key.as_str()) {
                errors.insert(
                    key.clone(),
                    format!(
                        "{key} cannot be set here; these can: {}",
                        part.fields().join(", ")
                    ),
                );
                continue;
            }
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                _ => {
                    errors.insert(key.clone(), format!("{key} must be a string or a number"));
                    continue;
                }
            };
            fields.insert(key.clone(), Value::String(text));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    serde_json::from_value(value).map_err(|e| AppError::Internal(e.into()))
}
