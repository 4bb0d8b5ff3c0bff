//! Matching a parsed frab file against an event and writing the difference: rooms and tracks
//! by name, people by guid then name, talks and slots by guid then title (see the parent
//! module for the rule), each change named in the summary.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;

use super::parse::{duration_of, Item, Parsed};
use super::ImportSummary;
use crate::db::schema::{people, rooms, slots, talk_people, talks, tracks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::{display, Event};
use crate::programme::model::{
    next_number, Level, Person, Room, Slot, SlotKind, Talk, TalkKind, TalkPerson, TalkRole,
    TalkState, Track,
};

/// What an import has made so far, and the rooms, tracks and rows it resolved.
pub(super) struct Import<'a> {
    event: &'a Event,
    now: NaiveDateTime,
    pub(super) summary: ImportSummary,
    room_ids: HashMap<String, Option<String>>,
    track_ids: HashMap<String, String>,
    /// Talks and slots of the event an item of the file has matched already (two items of
    /// the same title match two rows, not one twice).
    matched: HashSet<String>,
}

/// Where and when an item of the file happens.
struct Placement {
    room_id: Option<String>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    kind: SlotKind,
}

impl<'a> Import<'a> {
    /// A fresh import into `event`.
    pub(super) fn new(event: &'a Event, now: NaiveDateTime) -> Self {
        Import {
            event,
            now,
            summary: ImportSummary::default(),
            room_ids: HashMap::new(),
            track_ids: HashMap::new(),
            matched: HashSet::new(),
        }
    }

    /// The file's rooms: an existing room of the same name, or a new one keeping the file's guid
    /// when it is free. "All rooms" without a guid means the slot spans every room.
    pub(super) fn rooms(&mut self, conn: &mut AnyConnection, parsed: &Parsed) -> AppResult<()> {
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
                        updated_at: self.now,
                    };
                    diesel::insert_into(rooms::table)
                        .values(&room)
                        .execute(conn)?;
                    self.summary.rooms += 1;
                    self.summary.changes.push(format!("New room “{name}”"));
                    room.id
                }
            };
            self.room_ids.insert(name.clone(), Some(id));
        }
        Ok(())
    }

    /// The file's tracks (declared, and named by its items): an existing track of the same name,
    /// or a new one with the file's colour.
    pub(super) fn tracks(&mut self, conn: &mut AnyConnection, parsed: &Parsed) -> AppResult<()> {
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
                        updated_at: self.now,
                    };
                    diesel::insert_into(tracks::table)
                        .values(&t)
                        .execute(conn)?;
                    self.summary.tracks += 1;
                    self.summary.changes.push(format!("New track “{name}”"));
                    t.id
                }
            };
            self.track_ids.insert(name, id);
        }
        Ok(())
    }

    /// One item of the file: a slot without a talk (a break, a social…), or a talk in a slot.
    pub(super) fn item(&mut self, conn: &mut AnyConnection, item: &Item) -> AppResult<()> {
        let starts_at = DateTime::parse_from_rfc3339(&item.date)
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
        // Slots without a talk: a kind of slot other than talk/ignite, or frab's "other".
        let untalked = match item.kind.as_str() {
            "other" => Some(SlotKind::Talk),
            k => SlotKind::parse(k).filter(|k| !matches!(k, SlotKind::Talk | SlotKind::Ignite)),
        };
        let mut at = Placement {
            room_id: self.room_ids.get(&item.room).cloned().flatten(),
            starts_at,
            ends_at: starts_at + length,
            kind: untalked.unwrap_or(SlotKind::Talk),
        };
        let before = self.summary.changes.len();
        match untalked {
            Some(_) => self.bare_slot(conn, item, &at)?,
            None => {
                let talk = self.talk(conn, item, length)?;
                if talk.kind == TalkKind::Ignite {
                    at.kind = SlotKind::Ignite;
                }
                self.talk_slot(conn, &talk, &at)?;
            }
        }
        if self.summary.changes.len() == before {
            self.summary.unchanged += 1;
        }
        Ok(())
    }

    /// The talk of an item: the event's matching talk brought in line with the file, or a new
    /// one; then its people.
    fn talk(&mut self, conn: &mut AnyConnection, item: &Item, length: Duration) -> AppResult<Talk> {
        let link = |t: &str| {
            item.links
                .iter()
                .find(|(_, k)| k == t)
                .map(|(h, _)| h.clone())
                .unwrap_or_default()
        };
        let wanted = Talk {
            id: String::new(),
            number: 0,
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
        let (existing, keep) = self.existing_talk(conn, item)?;
        let talk = match existing {
            Some(old) => self.update_talk(conn, old, wanted)?,
            None => {
                let talk = Talk {
                    id: if keep { item.guid.clone() } else { new_id() },
                    number: free_talk_or_slot_number(conn, item.id)?,
                    ..wanted
                };
                diesel::insert_into(talks::table)
                    .values(&talk)
                    .execute(conn)?;
                self.summary.talks += 1;
                self.summary
                    .changes
                    .push(format!("New talk “{}”", talk.title));
                talk
            }
        };
        self.matched.insert(talk.id.clone());
        self.speakers(conn, &talk, item)?;
        Ok(talk)
    }

    /// The event's talk an item stands for: the one with the file's guid, else (when that guid
    /// cannot be kept) one of the same title not matched yet; and whether a new talk may keep
    /// the file's guid.
    fn existing_talk(
        &mut self,
        conn: &mut AnyConnection,
        item: &Item,
    ) -> AppResult<(Option<Talk>, bool)> {
        let mine = talks::table
            .filter(talks::event_id.eq(&self.event.id))
            .select(Talk::as_select());
        if let Some(t) = mine
            .filter(talks::id.eq(&item.guid))
            .first(conn)
            .optional()?
        {
            return Ok((Some(t), false));
        }
        if keepable(conn, &item.guid)? {
            return Ok((None, true));
        }
        let same_title: Vec<Talk> = mine
            .filter(talks::title.eq(&item.title))
            .order(talks::number)
            .load(conn)?;
        let found = same_title
            .into_iter()
            .find(|t| !self.matched.contains(&t.id));
        Ok((found, false))
    }

    /// Writes the fields of `wanted` that differ from `old` (an empty link in the file keeps the
    /// talk's own; level and state stay the organizers').
    fn update_talk(
        &mut self,
        conn: &mut AnyConnection,
        old: Talk,
        wanted: Talk,
    ) -> AppResult<Talk> {
        let new = Talk {
            slides_url: non_empty_or(wanted.slides_url, &old.slides_url),
            video_url: non_empty_or(wanted.video_url, &old.video_url),
            level: old.level,
            state: old.state,
            id: old.id.clone(),
            number: old.number,
            created_at: old.created_at,
            ..wanted
        };
        let changed: Vec<&str> = [
            ("title", old.title != new.title),
            ("abstract", old.abstract_ != new.abstract_),
            ("description", old.description != new.description),
            ("kind", old.kind != new.kind),
            ("duration", old.duration_minutes != new.duration_minutes),
            ("track", old.track_id != new.track_id),
            ("language", old.language != new.language),
            ("slides", old.slides_url != new.slides_url),
            ("video", old.video_url != new.video_url),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if changed.is_empty() {
            return Ok(old);
        }
        diesel::update(talks::table.find(&old.id))
            .set((
                talks::title.eq(&new.title),
                talks::abstract_.eq(&new.abstract_),
                talks::description.eq(&new.description),
                talks::kind.eq(new.kind),
                talks::duration_minutes.eq(new.duration_minutes),
                talks::track_id.eq(&new.track_id),
                talks::language.eq(&new.language),
                talks::slides_url.eq(&new.slides_url),
                talks::video_url.eq(&new.video_url),
                talks::updated_at.eq(self.now),
            ))
            .execute(conn)?;
        self.summary.talks_updated += 1;
        self.summary.changes.push(format!(
            "Talk “{}”: {} changed",
            new.title,
            changed.join(", ")
        ));
        Ok(new)
    }

    /// Makes the talk's speakers the file's persons, in the file's order.
    fn speakers(&mut self, conn: &mut AnyConnection, talk: &Talk, item: &Item) -> AppResult<()> {
        let mut wanted = Vec::new();
        for (guid, name) in &item.persons {
            wanted.push(self.person(conn, guid.as_deref(), name)?);
        }
        let current: Vec<String> = talk_people::table
            .filter(talk_people::talk_id.eq(&talk.id))
            .order(talk_people::position)
            .select(talk_people::person_id)
            .load(conn)?;
        if current == wanted {
            return Ok(());
        }
        diesel::delete(talk_people::table.filter(talk_people::talk_id.eq(&talk.id)))
            .execute(conn)?;
        for (position, person_id) in wanted.into_iter().enumerate() {
            diesel::insert_into(talk_people::table)
                .values(TalkPerson {
                    id: new_id(),
                    talk_id: talk.id.clone(),
                    person_id,
                    role: TalkRole::Speaker,
                    position: position as i32,
                })
                .execute(conn)?;
        }
        if !current.is_empty() {
            self.summary
                .changes
                .push(format!("Talk “{}”: speakers changed", talk.title));
        }
        Ok(())
    }

    /// The slot of a talk: moved to the file's time and room, or made.
    fn talk_slot(
        &mut self,
        conn: &mut AnyConnection,
        talk: &Talk,
        at: &Placement,
    ) -> AppResult<()> {
        let existing: Option<Slot> = slots::table
            .filter(slots::talk_id.eq(&talk.id))
            .order(slots::starts_at)
            .select(Slot::as_select())
            .first(conn)
            .optional()?;
        match existing {
            Some(slot) => self.move_slot(conn, slot, at, &talk.title),
            None => {
                let number = next_number(conn)?;
                self.insert_slot(conn, new_id(), number, at, Some(&talk.id), &talk.title)
            }
        }
    }

    /// A slot without a talk (a break, a social): the event's one with the file's guid, else
    /// (when that guid cannot be kept) one of the same title and start, else a new one.
    fn bare_slot(
        &mut self,
        conn: &mut AnyConnection,
        item: &Item,
        at: &Placement,
    ) -> AppResult<()> {
        let mine = slots::table
            .filter(slots::event_id.eq(&self.event.id))
            .filter(slots::talk_id.is_null())
            .select(Slot::as_select());
        let keep = keepable(conn, &item.guid)?;
        let mut existing = mine
            .filter(slots::id.eq(&item.guid))
            .first(conn)
            .optional()?;
        if existing.is_none() && !keep {
            let same: Vec<Slot> = mine
                .filter(slots::title.eq(&item.title))
                .filter(slots::starts_at.eq(at.starts_at))
                .load(conn)?;
            existing = same.into_iter().find(|s| !self.matched.contains(&s.id));
        }
        match existing {
            Some(slot) => {
                self.matched.insert(slot.id.clone());
                self.move_slot(conn, slot, at, &item.title)
            }
            None => {
                let id = if keep { item.guid.clone() } else { new_id() };
                let number = free_talk_or_slot_number(conn, item.id)?;
                self.matched.insert(id.clone());
                self.insert_slot(conn, id, number, at, None, &item.title)
            }
        }
    }

    /// Brings a slot to the file's room, times and kind (and title, for a slot without a talk).
    fn move_slot(
        &mut self,
        conn: &mut AnyConnection,
        slot: Slot,
        at: &Placement,
        title: &str,
    ) -> AppResult<()> {
        let title_now = if slot.talk_id.is_some() {
            slot.title.clone()
        } else {
            title.to_string()
        };
        let changed: Vec<&str> = [
            ("room", slot.room_id != at.room_id),
            ("start", slot.starts_at != at.starts_at),
            ("end", slot.ends_at != at.ends_at),
            ("kind", slot.kind != at.kind),
            ("title", slot.title != title_now),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect();
        if changed.is_empty() {
            return Ok(());
        }
        diesel::update(slots::table.find(&slot.id))
            .set((
                slots::room_id.eq(&at.room_id),
                slots::starts_at.eq(at.starts_at),
                slots::ends_at.eq(at.ends_at),
                slots::kind.eq(at.kind),
                slots::title.eq(&title_now),
                slots::updated_at.eq(self.now),
            ))
            .execute(conn)?;
        self.summary.slots_updated += 1;
        self.summary.changes.push(format!(
            "Slot of “{title}”: {} changed (now {})",
            changed.join(", "),
            display::short_datetime(at.starts_at, self.event.tz())
        ));
        Ok(())
    }

    /// Adds a slot (with the talk, or titled).
    fn insert_slot(
        &mut self,
        conn: &mut AnyConnection,
        id: String,
        number: i64,
        at: &Placement,
        talk_id: Option<&str>,
        title: &str,
    ) -> AppResult<()> {
        let slot = Slot {
            id,
            number,
            event_id: self.event.id.clone(),
            room_id: at.room_id.clone(),
            starts_at: at.starts_at,
            ends_at: at.ends_at,
            kind: at.kind,
            title: if talk_id.is_some() {
                String::new()
            } else {
                title.to_string()
            },
            talk_id: talk_id.map(str::to_string),
            created_at: self.now,
            updated_at: self.now,
        };
        diesel::insert_into(slots::table)
            .values(&slot)
            .execute(conn)?;
        self.summary.slots += 1;
        self.summary.changes.push(format!(
            "New slot for “{title}” at {}",
            display::short_datetime(at.starts_at, self.event.tz())
        ));
        Ok(())
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
        let mut p = Person::bare(name, None, self.now);
        if let Some(g) = guid.filter(|g| uuid::Uuid::parse_str(g).is_ok()) {
            p.id = g.to_string();
        }
        diesel::insert_into(people::table)
            .values(&p)
            .execute(conn)?;
        self.summary.people += 1;
        self.summary.changes.push(format!("New speaker {name}"));
        Ok(p.id)
    }
}

fn non_empty_or(value: String, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value
    }
}

/// The file's integer id when no talk or slot has it, else the next free number.
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

/// Whether a new talk or slot can take the file's guid: a UUID no talk or slot has yet.
fn keepable(conn: &mut AnyConnection, guid: &str) -> QueryResult<bool> {
    if uuid::Uuid::parse_str(guid).is_err() {
        return Ok(false);
    }
    let talk: bool =
        diesel::select(diesel::dsl::exists(talks::table.find(guid))).get_result(conn)?;
    let slot: bool =
        diesel::select(diesel::dsl::exists(slots::table.find(guid))).get_result(conn)?;
    Ok(!talk && !slot)
}
