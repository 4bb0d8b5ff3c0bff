//! Importing a frab `schedule.xml` into an event (`ghent import-schedule`): rooms, tracks,
//! people, talks and slots, keeping the file's guids and integer ids where they are free, so
//! that apps that stored favourites keep them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;
use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::model::{
    next_number, Level, Person, Room, Slot, SlotKind, Talk, TalkKind, TalkPerson, TalkRole,
    TalkState, Track,
};
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::{people, rooms, slots, talks, tracks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::Event;

/// One `<event>` of the file.
#[derive(Debug, Default, Clone)]
struct Item {
    guid: String,
    id: Option<i64>,
    room: String,
    title: String,
    kind: String,
    date: String,
    duration: String,
    r#abstract: String,
    description: String,
    track: String,
    language: String,
    persons: Vec<(Option<String>, String)>,
    links: Vec<(String, String)>,
}

/// What the file holds.
#[derive(Debug, Default)]
struct Parsed {
    tracks: Vec<(String, String)>,
    rooms: Vec<(String, Option<String>)>,
    items: Vec<Item>,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.to_string()))
}

fn parse(xml: &str) -> Result<Parsed, String> {
    let mut reader = Reader::from_str(xml);
    let mut parsed = Parsed::default();
    let mut stack: Vec<String> = Vec::new();
    let mut item: Option<Item> = None;
    let mut room: Option<(String, Option<String>)> = None;
    let mut person_guid: Option<String> = None;
    let mut link: Option<(String, String)> = None;
    let mut text = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?
        {
            XmlEvent::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                match name.as_str() {
                    "room" if item.is_none() => {
                        let r = (attr(&e, b"name").unwrap_or_default(), attr(&e, b"guid"));
                        if !parsed.rooms.iter().any(|x| x.0 == r.0) {
                            parsed.rooms.push(r.clone());
                        }
                        room = Some(r);
                    }
                    "event" => {
                        item = Some(Item {
                            guid: attr(&e, b"guid").unwrap_or_default(),
                            id: attr(&e, b"id").and_then(|v| v.parse().ok()),
                            room: room.as_ref().map(|r| r.0.clone()).unwrap_or_default(),
                            ..Item::default()
                        })
                    }
                    "person" => person_guid = attr(&e, b"guid"),
                    "link" => {
                        link = Some((
                            attr(&e, b"href").unwrap_or_default(),
                            attr(&e, b"type").unwrap_or_default(),
                        ))
                    }
                    "track" if item.is_none() => parsed.tracks.push((
                        attr(&e, b"name").unwrap_or_default(),
                        attr(&e, b"color").unwrap_or_default(),
                    )),
                    _ => {}
                }
                stack.push(name);
                text.clear();
            }
            XmlEvent::Empty(e) if e.name().as_ref() == b"track" && item.is_none() => {
                parsed.tracks.push((
                    attr(&e, b"name").unwrap_or_default(),
                    attr(&e, b"color").unwrap_or_default(),
                ));
            }
            XmlEvent::Text(t) => text.push_str(&t.decode().map_err(|e| e.to_string())?),
            XmlEvent::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r.as_ref()).to_string();
                text.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            XmlEvent::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            XmlEvent::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                stack.pop();
                let value = text.trim().to_string();
                if let Some(it) = item.as_mut() {
                    match name.as_str() {
                        "title" => it.title = value,
                        "type" => it.kind = value,
                        "date" => it.date = value,
                        "duration" => it.duration = value,
                        "abstract" => it.r#abstract = value,
                        "description" => it.description = value,
                        "track" => it.track = value,
                        "language" => it.language = value,
                        "room" => it.room = value,
                        "person" => it.persons.push((person_guid.take(), value)),
                        "link" => {
                            if let Some((href, kind)) = link.take() {
                                it.links.push((href, kind));
                            }
                        }
                        "event" => {
                            if let Some(done) = item.take() {
                                parsed.items.push(done);
                            }
                        }
                        _ => {}
                    }
                } else if name == "room" {
                    room = None;
                }
                text.clear();
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(parsed)
}

fn duration_of(s: &str) -> Option<Duration> {
    let mut parts = s.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m) = (parts.next()??, parts.next()??);
    Some(Duration::minutes(h * 60 + m))
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rooms created.
    pub rooms: usize,
    /// Tracks created.
    pub tracks: usize,
    /// People created.
    pub people: usize,
    /// Talks created.
    pub talks: usize,
    /// Slots created.
    pub slots: usize,
}

fn free_talk_or_slot_number(conn: &mut AnyConnection, wanted: Option<i64>) -> QueryResult<i64> {
    if let Some(n) = wanted.filter(|n| *n > 0) {
        let taken_t: bool = diesel::select(diesel::dsl::exists(
            talks::table.filter(talks::number.eq(n)),
        ))
        .get_result(conn)?;
        let taken_s: bool = diesel::select(diesel::dsl::exists(
            slots::table.filter(slots::number.eq(n)),
        ))
        .get_result(conn)?;
        if !taken_t && !taken_s {
            return Ok(n);
        }
    }
    next_number(conn)
}

fn guid_or_new(wanted: &str, taken: bool) -> String {
    if uuid::Uuid::parse_str(wanted).is_ok() && !taken {
        wanted.to_string()
    } else {
        new_id()
    }
}

/// Imports a frab XML schedule into `event` (in one transaction). Untalked entries (`break`,
/// `social`, `open_space`, `registration`, `other`) become slots with a title; the rest become
/// talks placed in slots.
pub fn import_frab_xml(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    xml: &str,
) -> AppResult<ImportSummary> {
    let parsed = parse(xml).map_err(AppError::BadRequest)?;
    conn.transaction(|conn| {
        let mut summary = ImportSummary::default();
        let mut room_ids: HashMap<String, Option<String>> = HashMap::new();
        for (position, (name, guid)) in parsed.rooms.iter().enumerate() {
            if guid.is_none() && name == "All rooms" {
                room_ids.insert(name.clone(), None);
                continue;
            }
            let existing: Option<String> = rooms::table
                .filter(rooms::event_id.eq(&event.id))
                .filter(rooms::name.eq(name))
                .select(rooms::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let taken = guid
                        .as_deref()
                        .map(|g| {
                            diesel::select(diesel::dsl::exists(rooms::table.find(g)))
                                .get_result::<bool>(conn)
                        })
                        .transpose()?
                        .unwrap_or(true);
                    let room = Room {
                        id: guid_or_new(guid.as_deref().unwrap_or(""), taken),
                        event_id: event.id.clone(),
                        name: name.clone(),
                        description: String::new(),
                        capacity: None,
                        position: position as i32,
                    };
                    diesel::insert_into(rooms::table)
                        .values(&room)
                        .execute(conn)?;
                    summary.rooms += 1;
                    room.id
                }
            };
            room_ids.insert(name.clone(), Some(id));
        }
        let mut track_ids: HashMap<String, String> = HashMap::new();
        let track_names = parsed
            .tracks
            .iter()
            .map(|(n, c)| (n.clone(), c.clone()))
            .chain(
                parsed
                    .items
                    .iter()
                    .filter(|i| !i.track.is_empty())
                    .map(|i| (i.track.clone(), String::new())),
            );
        for (position, (name, colour)) in track_names.enumerate() {
            if track_ids.contains_key(&name) || name.is_empty() {
                continue;
            }
            let existing: Option<String> = tracks::table
                .filter(tracks::event_id.eq(&event.id))
                .filter(tracks::name.eq(&name))
                .select(tracks::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let colour = if colour.len() == 7 && colour.starts_with('#') {
                        colour.to_lowercase()
                    } else {
                        "#1f6feb".into()
                    };
                    let t = Track {
                        id: new_id(),
                        event_id: event.id.clone(),
                        name: name.clone(),
                        colour,
                        position: position as i32,
                    };
                    diesel::insert_into(tracks::table)
                        .values(&t)
                        .execute(conn)?;
                    summary.tracks += 1;
                    t.id
                }
            };
            track_ids.insert(name, id);
        }
        for item in &parsed.items {
            let starts = DateTime::parse_from_rfc3339(&item.date)
                .map_err(|e| {
                    AppError::BadRequest(format!("“{}”: date {:?}: {e}", item.title, item.date))
                })?
                .naive_utc();
            let length = duration_of(&item.duration).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "“{}”: duration {:?} is not HH:MM",
                    item.title, item.duration
                ))
            })?;
            let room_id = room_ids.get(&item.room).cloned().flatten();
            // Slots without a talk: a kind of slot other than talk/ignite, or frab's "other".
            let untalked_kind = match item.kind.as_str() {
                "other" => Some(SlotKind::Talk),
                k => SlotKind::parse(k).filter(|k| !matches!(k, SlotKind::Talk | SlotKind::Ignite)),
            };
            let untalked = untalked_kind.is_some();
            let guid_taken = |conn: &mut AnyConnection, g: &str| -> QueryResult<bool> {
                Ok(diesel::select(diesel::dsl::exists(talks::table.find(g)))
                    .get_result::<bool>(conn)?
                    || diesel::select(diesel::dsl::exists(slots::table.find(g)))
                        .get_result::<bool>(conn)?)
            };
            if untalked {
                let taken = guid_taken(conn, &item.guid)?;
                let slot = Slot {
                    id: guid_or_new(&item.guid, taken),
                    number: free_talk_or_slot_number(conn, item.id)?,
                    event_id: event.id.clone(),
                    room_id,
                    starts_at: starts,
                    ends_at: starts + length,
                    kind: untalked_kind.unwrap_or(SlotKind::Talk),
                    talk_id: None,
                    title: item.title.clone(),
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(slots::table)
                    .values(&slot)
                    .execute(conn)?;
                summary.slots += 1;
                continue;
            }
            let taken = guid_taken(conn, &item.guid)?;
            let kind = TalkKind::parse(&item.kind.to_lowercase()).unwrap_or(TalkKind::Talk);
            let link = |t: &str| {
                item.links
                    .iter()
                    .find(|(_, k)| k == t)
                    .map(|(h, _)| h.clone())
                    .unwrap_or_default()
            };
            let talk = Talk {
                id: guid_or_new(&item.guid, taken),
                number: free_talk_or_slot_number(conn, item.id)?,
                event_id: event.id.clone(),
                title: item.title.clone(),
                abstract_: item.r#abstract.clone(),
                description: item.description.clone(),
                kind,
                duration_minutes: length.num_minutes() as i32,
                track_id: track_ids.get(&item.track).cloned(),
                language: if item.language.is_empty() {
                    "en".into()
                } else {
                    item.language.clone()
                },
                level: Level::Unspecified,
                slides_url: link("slides"),
                video_url: link("media"),
                state: TalkState::Confirmed,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(talks::table)
                .values(&talk)
                .execute(conn)?;
            summary.talks += 1;
            for (position, (guid, name)) in item.persons.iter().enumerate() {
                let by_guid = match guid {
                    Some(g) => people::table
                        .find(g)
                        .select(people::id)
                        .first::<String>(conn)
                        .optional()?,
                    None => None,
                };
                let by_name = match by_guid {
                    Some(id) => Some(id),
                    None => people::table
                        .filter(people::name.eq(name))
                        .select(people::id)
                        .first::<String>(conn)
                        .optional()?,
                };
                let person_id = match by_name {
                    Some(id) => id,
                    None => {
                        let p = Person {
                            id: guid
                                .as_deref()
                                .filter(|g| uuid::Uuid::parse_str(g).is_ok())
                                .map(str::to_string)
                                .unwrap_or_else(new_id),
                            name: name.clone(),
                            email: None,
                            bio: String::new(),
                            photo_url: String::new(),
                            website_url: String::new(),
                            social: String::new(),
                            created_at: now,
                            updated_at: now,
                        };
                        diesel::insert_into(people::table)
                            .values(&p)
                            .execute(conn)?;
                        summary.people += 1;
                        p.id
                    }
                };
                diesel::insert_into(crate::db::schema::talk_people::table)
                    .values(TalkPerson {
                        id: new_id(),
                        talk_id: talk.id.clone(),
                        person_id,
                        role: TalkRole::Speaker,
                        position: position as i32,
                    })
                    .execute(conn)?;
            }
            let slot = Slot {
                id: new_id(),
                number: next_number(conn)?,
                event_id: event.id.clone(),
                room_id,
                starts_at: starts,
                ends_at: starts + length,
                kind: if kind == TalkKind::Ignite {
                    SlotKind::Ignite
                } else {
                    SlotKind::Talk
                },
                talk_id: Some(talk.id.clone()),
                title: String::new(),
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(slots::table)
                .values(&slot)
                .execute(conn)?;
            summary.slots += 1;
        }
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&event.id),
                action: "schedule.import",
                entity_type: "event",
                entity_id: Some(&event.id),
            },
            &format!(
                "Imported a frab schedule: {} talks, {} slots, {} rooms, {} people",
                summary.talks, summary.slots, summary.rooms, summary.people
            ),
        )?;
        Ok(summary)
    })
}
