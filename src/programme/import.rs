//! Importing a frab `schedule.xml` into an event (`ghent import-schedule`): rooms, tracks,
//! people, talks and slots, keeping the file's guids and integer ids where they are free, so
//! that apps that stored favourites keep them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;
use quick_xml::events::{BytesStart, Event as XmlEvent};
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
    let mut p = Parser::default();
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?
        {
            XmlEvent::Start(e) => p.start(&e),
            XmlEvent::Empty(e) if e.name().as_ref() == b"track" && p.item.is_none() => p.track(&e),
            XmlEvent::Text(t) => p.text.push_str(&t.decode().map_err(|e| e.to_string())?),
            XmlEvent::GeneralRef(r) => p.text.push_str(entity(r.as_ref())),
            XmlEvent::CData(t) => p.text.push_str(&String::from_utf8_lossy(&t)),
            XmlEvent::End(e) => p.end(e.name().as_ref()),
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    Ok(p.parsed)
}

/// The text an XML predefined entity stands for; unknown entities are dropped.
fn entity(name: &[u8]) -> &'static str {
    match name {
        b"amp" => "&",
        b"lt" => "<",
        b"gt" => ">",
        b"quot" => "\"",
        b"apos" => "'",
        _ => "",
    }
}

/// The state of a walk through a frab file: the room and `<event>` being read, and the
/// text gathered since the last tag.
#[derive(Default)]
struct Parser {
    parsed: Parsed,
    item: Option<Item>,
    room: Option<(String, Option<String>)>,
    person_guid: Option<String>,
    link: Option<(String, String)>,
    text: String,
}

impl Parser {
    /// An opening tag: rooms and tracks outside an event are declarations; `<event>`
    /// starts an item; `<person>` and `<link>` keep their attributes until they close.
    fn start(&mut self, e: &BytesStart) {
        match e.name().as_ref() {
            b"room" if self.item.is_none() => {
                let r = (attr(e, b"name").unwrap_or_default(), attr(e, b"guid"));
                if !self.parsed.rooms.iter().any(|x| x.0 == r.0) {
                    self.parsed.rooms.push(r.clone());
                }
                self.room = Some(r);
            }
            b"event" => {
                self.item = Some(Item {
                    guid: attr(e, b"guid").unwrap_or_default(),
                    id: attr(e, b"id").and_then(|v| v.parse().ok()),
                    room: self.room.as_ref().map(|r| r.0.clone()).unwrap_or_default(),
                    ..Item::default()
                })
            }
            b"person" => self.person_guid = attr(e, b"guid"),
            b"link" => {
                self.link = Some((
                    attr(e, b"href").unwrap_or_default(),
                    attr(e, b"type").unwrap_or_default(),
                ))
            }
            b"track" if self.item.is_none() => self.track(e),
            _ => {}
        }
        self.text.clear();
    }

    /// A track declared at the top level (frab's `<tracks>` list).
    fn track(&mut self, e: &BytesStart) {
        self.parsed.tracks.push((
            attr(e, b"name").unwrap_or_default(),
            attr(e, b"color").unwrap_or_default(),
        ));
    }

    /// A closing tag: inside an event the gathered text becomes that field.
    fn end(&mut self, name: &[u8]) {
        let value = std::mem::take(&mut self.text).trim().to_string();
        let Some(it) = self.item.as_mut() else {
            if name == b"room" {
                self.room = None;
            }
            return;
        };
        match name {
            b"title" => it.title = value,
            b"type" => it.kind = value,
            b"date" => it.date = value,
            b"duration" => it.duration = value,
            b"abstract" => it.r#abstract = value,
            b"description" => it.description = value,
            b"track" => it.track = value,
            b"language" => it.language = value,
            b"room" => it.room = value,
            b"person" => it.persons.push((self.person_guid.take(), value)),
            b"link" => it.links.extend(self.link.take()),
            b"event" => self.parsed.items.extend(self.item.take()),
            _ => {}
        }
    }
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

/// What an import has made so far, and the rooms and tracks it resolved by name.
struct Import<'a> {
    event: &'a Event,
    now: NaiveDateTime,
    summary: ImportSummary,
    room_ids: HashMap<String, Option<String>>,
    track_ids: HashMap<String, String>,
}

/// Imports a frab schedule into `event` (rooms and tracks are matched by name, people by guid
/// then name; talks and slots are added). Everything happens in one transaction.
#[tracing::instrument(skip_all, fields(event = %event.slug, bytes = xml.len()))]
pub fn import_frab_xml(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    xml: &str,
) -> AppResult<ImportSummary> {
    let parsed = parse(xml).map_err(AppError::BadRequest)?;
    conn.transaction(|conn| {
        let mut import = Import {
            event,
            now,
            summary: ImportSummary::default(),
            room_ids: HashMap::new(),
            track_ids: HashMap::new(),
        };
        import.rooms(conn, &parsed)?;
        import.tracks(conn, &parsed)?;
        for item in &parsed.items {
            import.item(conn, item)?;
        }
        let summary = import.summary;
        audit::record(
            conn,
            now,
            actor,
            Change::on(&event.id, "schedule.import", ("event", &event.id)),
            &format!(
                "Imported a frab schedule: {} talks, {} slots, {} rooms, {} people",
                summary.talks, summary.slots, summary.rooms, summary.people
            ),
        )?;
        Ok(summary)
    })
}

impl Import<'_> {
    /// The file's rooms: an existing room of the same name, or a new one keeping the file's guid
    /// when it is free. "All rooms" without a guid means the slot spans every room.
    fn rooms(&mut self, conn: &mut AnyConnection, parsed: &Parsed) -> AppResult<()> {
        for (position, (name, guid)) in parsed.rooms.iter().enumerate() {
            if guid.is_none() && name == "All rooms" {
                self.room_ids.insert(name.clone(), None);
                continue;
            }
            let existing: Option<String> = rooms::table
                .filter(rooms::event_id.eq(&self.event.id))
                .filter(rooms::name.eq(name))
                .select(rooms::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => id,
                None => {
                    let taken = match guid.as_deref() {
                        Some(g) => diesel::select(diesel::dsl::exists(rooms::table.find(g)))
                            .get_result::<bool>(conn)?,
                        None => true,
                    };
                    let room = Room {
                        id: guid_or_new(guid.as_deref().unwrap_or(""), taken),
                        event_id: self.event.id.clone(),
                        name: name.clone(),
                        description: String::new(),
                        capacity: None,
                        position: position as i32,
                    };
                    diesel::insert_into(rooms::table)
                        .values(&room)
                        .execute(conn)?;
                    self.summary.rooms += 1;
                    room.id
                }
            };
            self.room_ids.insert(name.clone(), Some(id));
        }
        Ok(())
    }

    /// The file's tracks (declared, and named by its items): an existing track of the same name,
    /// or a new one with the file's colour.
    fn tracks(&mut self, conn: &mut AnyConnection, parsed: &Parsed) -> AppResult<()> {
        let declared = parsed.tracks.iter().map(|(n, c)| (n.clone(), c.clone()));
        let named = parsed
            .items
            .iter()
            .filter(|i| !i.track.is_empty())
            .map(|i| (i.track.clone(), String::new()));
        for (position, (name, colour)) in declared.chain(named).enumerate() {
            if self.track_ids.contains_key(&name) || name.is_empty() {
                continue;
            }
            let existing: Option<String> = tracks::table
                .filter(tracks::event_id.eq(&self.event.id))
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
                        event_id: self.event.id.clone(),
                        name: name.clone(),
                        colour,
                        position: position as i32,
                    };
                    diesel::insert_into(tracks::table)
                        .values(&t)
                        .execute(conn)?;
                    self.summary.tracks += 1;
                    t.id
                }
            };
            self.track_ids.insert(name, id);
        }
        Ok(())
    }

    /// One item of the file: a slot without a talk (a break, a social…), or a talk in a slot.
    fn item(&mut self, conn: &mut AnyConnection, item: &Item) -> AppResult<()> {
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
        let room_id = self.room_ids.get(&item.room).cloned().flatten();
        // Slots without a talk: a kind of slot other than talk/ignite, or frab's "other".
        let untalked = match item.kind.as_str() {
            "other" => Some(SlotKind::Talk),
            k => SlotKind::parse(k).filter(|k| !matches!(k, SlotKind::Talk | SlotKind::Ignite)),
        };
        let (talk_id, kind) = match untalked {
            Some(kind) => (None, kind),
            None => {
                let talk = self.talk(conn, item, length)?;
                let kind = if talk.kind == TalkKind::Ignite {
                    SlotKind::Ignite
                } else {
                    SlotKind::Talk
                };
                (Some(talk.id), kind)
            }
        };
        let id = match talk_id {
            // A talk keeps the file's guid; its slot gets a new one.
            Some(_) => new_id(),
            None => guid_or_new(&item.guid, guid_taken(conn, &item.guid)?),
        };
        let number = match talk_id {
            Some(_) => next_number(conn)?,
            None => free_talk_or_slot_number(conn, item.id)?,
        };
        let slot = Slot {
            id,
            number,
            event_id: self.event.id.clone(),
            room_id,
            starts_at: starts,
            ends_at: starts + length,
            kind,
            title: if talk_id.is_some() {
                String::new()
            } else {
                item.title.clone()
            },
            talk_id,
            created_at: self.now,
            updated_at: self.now,
        };
        diesel::insert_into(slots::table)
            .values(&slot)
            .execute(conn)?;
        self.summary.slots += 1;
        Ok(())
    }

    /// The talk of an item, with its people.
    fn talk(&mut self, conn: &mut AnyConnection, item: &Item, length: Duration) -> AppResult<Talk> {
        let taken = guid_taken(conn, &item.guid)?;
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
            event_id: self.event.id.clone(),
            title: item.title.clone(),
            abstract_: item.r#abstract.clone(),
            description: item.description.clone(),
            kind: TalkKind::parse(&item.kind.to_lowercase()).unwrap_or(TalkKind::Talk),
            duration_minutes: length.num_minutes() as i32,
            track_id: self.track_ids.get(&item.track).cloned(),
            language: if item.language.is_empty() {
                "en".into()
            } else {
                item.language.clone()
            },
            level: Level::Unspecified,
            slides_url: link("slides"),
            video_url: link("media"),
            state: TalkState::Confirmed,
            created_at: self.now,
            updated_at: self.now,
        };
        diesel::insert_into(talks::table)
            .values(&talk)
            .execute(conn)?;
        self.summary.talks += 1;
        for (position, (guid, name)) in item.persons.iter().enumerate() {
            let person_id = self.person(conn, guid.as_deref(), name)?;
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
        Ok(talk)
    }

    /// A person of the file: found by guid, then by name, else made (keeping a UUID guid).
    fn person(
        &mut self,
        conn: &mut AnyConnection,
        guid: Option<&str>,
        name: &str,
    ) -> AppResult<String> {
        if let Some(g) = guid {
            if let Some(id) = people::table
                .find(g)
                .select(people::id)
                .first::<String>(conn)
                .optional()?
            {
                return Ok(id);
            }
        }
        if let Some(id) = people::table
            .filter(people::name.eq(name))
            .select(people::id)
            .first::<String>(conn)
            .optional()?
        {
            return Ok(id);
        }
        let p = Person {
            id: guid
                .filter(|g| uuid::Uuid::parse_str(g).is_ok())
                .map(str::to_string)
                .unwrap_or_else(new_id),
            name: name.to_string(),
            email: None,
            bio: String::new(),
            photo_url: String::new(),
            website_url: String::new(),
            social: String::new(),
            created_at: self.now,
            updated_at: self.now,
        };
        diesel::insert_into(people::table)
            .values(&p)
            .execute(conn)?;
        self.summary.people += 1;
        Ok(p.id)
    }
}

/// Whether a talk or a slot already has this guid.
fn guid_taken(conn: &mut AnyConnection, guid: &str) -> QueryResult<bool> {
    Ok(
        diesel::select(diesel::dsl::exists(talks::table.find(guid))).get_result::<bool>(conn)?
            || diesel::select(diesel::dsl::exists(slots::table.find(guid)))
                .get_result::<bool>(conn)?,
    )
}
