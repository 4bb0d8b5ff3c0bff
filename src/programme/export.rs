//! Exports of a release: the frab/C3VOC `schedule.xml` and `schedule.json` that conference
//! apps read, an iCal feed (and one `.ics` per talk), and a small `programme.json` for
//! embedding. Ids are the talks' guids and stable integer ids; links are absolute.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use icalendar::{Calendar, Component, EventLike};
use quick_xml::events::{BytesDecl, BytesText, Event as XmlEvent};
use quick_xml::Writer;
use serde_json::{json, Value};

use super::model::SlotKind;
use super::snapshot::{SnapSlot, SnapTalk, SnapTopic, Snapshot};
use crate::events::display;
use crate::urls;

/// What the exports need besides the snapshot.
#[derive(Debug, Clone)]
pub struct ExportContext<'a> {
    /// Public base URL, no trailing slash.
    pub base_url: &'a str,
    /// Release version.
    pub version: i32,
    /// The open-space board's version (the exports say `<release>.<board>`).
    pub board_version: i64,
    /// When it was released (iCal DTSTAMP).
    pub released_at: NaiveDateTime,
}

/// An acronym the schedule schemas accept (`^[a-z0-9_-][a-z0-9_]{3,}…`): the slug with hyphens
/// as underscores, padded if short. `usa-2010` becomes `usa_2010`.
pub fn acronym(slug: &str) -> String {
    let mut a: String = slug
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    while a.len() < 4 {
        a.push('_');
    }
    a
}

/// A slug of words for URLs and the `slug` field: `a-z0-9` and hyphens, never empty.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out
        .trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string();
    if out.len() < 4 {
        format!("{out}item").trim_start_matches('-').to_string()
    } else {
        out
    }
}

fn tz_of(s: &Snapshot) -> Tz {
    s.event.timezone.parse().unwrap_or(Tz::UTC)
}

/// RFC 3339 in the event's timezone: `2009-10-30T09:30:00+01:00`.
fn local_rfc3339(t: NaiveDateTime, tz: Tz) -> String {
    display::local(t, tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The version the exports state: the release and the board, e.g. `3.12`.
pub fn version_label(ctx: &ExportContext<'_>) -> String {
    format!("{}.{}", ctx.version, ctx.board_version)
}

/// The guid of an open-space topic's convener as a person in the exports: stable per topic
/// (conveners have no profile), a UUID as the schedule schemas want.
fn convener_guid(t: &SnapTopic) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("ghent-convener:{}", t.id).as_bytes(),
    )
    .to_string()
}

/// One entry of the schedule: a talk in its slot, an open-space topic placed on the board, or
/// an untalked slot (break, an open-space slot still free…).
struct Entry<'a> {
    slot: &'a SnapSlot,
    talk: Option<&'a SnapTalk>,
    topic: Option<&'a SnapTopic>,
}

impl<'a> Entry<'a> {
    fn of(s: &'a Snapshot, slot: &'a SnapSlot) -> Entry<'a> {
        Entry {
            slot,
            talk: slot.talk_id.as_deref().and_then(|id| s.talk(id)),
            topic: s.topic_in(&slot.id),
        }
    }
    fn guid(&self) -> &str {
        match (self.talk, self.topic) {
            (Some(t), _) => &t.id,
            (None, Some(t)) => &t.id,
            _ => &self.slot.id,
        }
    }
    fn id(&self) -> i64 {
        match (self.talk, self.topic) {
            (Some(t), _) => t.number,
            (None, Some(t)) => t.number,
            _ => self.slot.number,
        }
    }
    fn title(&self) -> &str {
        match (self.talk, self.topic) {
            (Some(t), _) => &t.title,
            (None, Some(t)) => &t.title,
            _ => &self.slot.title,
        }
    }
    fn abstract_text(&self) -> &str {
        match (self.talk, self.topic) {
            (Some(t), _) => &t.r#abstract,
            (None, Some(t)) => &t.description,
            _ => "",
        }
    }
    /// The talk's kind, or for untalked slots the slot's kind ("other" for talk-like slots
    /// without a talk, so an import can tell them from talks).
    fn kind(&self) -> &str {
        match self.talk {
            Some(t) => t.kind.as_str(),
            None if matches!(self.slot.kind, SlotKind::Talk | SlotKind::Ignite) => "other",
            None => self.slot.kind.as_str(),
        }
    }
    fn minutes(&self) -> i64 {
        (self.slot.ends_at - self.slot.starts_at).num_minutes()
    }
}

/// Days (by local date) → room name → entries, with the "All rooms" pseudo-room for breaks when
/// more than one room is in use that day.
/// A room of one day: name, id (`None` for the "All rooms" pseudo-room), entries.
type DayRoom<'a> = (String, Option<String>, Vec<Entry<'a>>);

fn days(s: &Snapshot) -> Vec<(NaiveDate, Vec<DayRoom<'_>>)> {
    let tz = tz_of(s);
    let mut by_day: BTreeMap<NaiveDate, Vec<&SnapSlot>> = BTreeMap::new();
    for slot in &s.slots {
        by_day
            .entry(display::local(slot.starts_at, tz).date_naive())
            .or_default()
            .push(slot);
    }
    by_day
        .into_iter()
        .map(|(date, slots)| {
            let used: Vec<&super::snapshot::SnapRoom> = s
                .rooms
                .iter()
                .filter(|r| {
                    slots
                        .iter()
                        .any(|sl| sl.room_id.as_deref() == Some(r.id.as_str()))
                })
                .collect();
            let mut rooms: Vec<DayRoom<'_>> = used
                .iter()
                .map(|r| (r.name.clone(), Some(r.id.clone()), Vec::new()))
                .collect();
            for slot in slots {
                let entry = Entry::of(s, slot);
                let index = match slot.room_id.as_deref() {
                    Some(id) => rooms.iter().position(|r| r.1.as_deref() == Some(id)),
                    None if rooms.len() == 1 => Some(0),
                    None => None,
                };
                match index {
                    Some(i) => rooms[i].2.push(entry),
                    None => match rooms.iter().position(|r| r.1.is_none()) {
                        Some(i) => rooms[i].2.push(entry),
                        None => rooms.push(("All rooms".to_string(), None, vec![entry])),
                    },
                }
            }
            for r in rooms.iter_mut() {
                r.2.sort_by_key(|e| (e.slot.starts_at, e.id()));
            }
            (date, rooms)
        })
        .collect()
}

fn day_bounds(rooms: &[DayRoom<'_>]) -> (NaiveDateTime, NaiveDateTime) {
    let all = rooms.iter().flat_map(|r| r.2.iter());
    let start = all
        .clone()
        .map(|e| e.slot.starts_at)
        .min()
        .unwrap_or_default();
    let end = all.map(|e| e.slot.ends_at).max().unwrap_or_default();
    (start, end)
}

fn talk_url(ctx: &ExportContext<'_>, s: &Snapshot, e: &Entry<'_>) -> String {
    match e.talk {
        Some(t) => urls::absolute(ctx.base_url, &urls::talk(&s.event.slug, &t.id)),
        None => match e.topic {
            Some(t) => urls::absolute(ctx.base_url, &urls::topic(&s.event.slug, &t.id)),
            None => urls::absolute(
                ctx.base_url,
                &urls::programme_slot(&s.event.slug, &e.slot.id),
            ),
        },
    }
}

fn entry_slug(s: &Snapshot, e: &Entry<'_>) -> String {
    format!(
        "{}-{}-{}",
        acronym(&s.event.slug),
        e.id(),
        slugify(e.title())
    )
}

type XmlResult = std::io::Result<()>;

fn text_el(w: &mut Writer<Cursor<Vec<u8>>>, name: &str, text: &str) -> XmlResult {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// `schedule.xml` (frab/C3VOC).
pub fn schedule_xml(s: &Snapshot, ctx: &ExportContext<'_>) -> std::io::Result<Vec<u8>> {
    let tz = tz_of(s);
    let people = s.people_by_id();
    let event_url = urls::absolute(ctx.base_url, &urls::event(&s.event.slug));
    let days = days(s);
    let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    w.write_event(XmlEvent::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("schedule").write_inner_content(|w| {
        w.create_element("generator")
            .with_attribute(("name", "ghent"))
            .with_attribute(("version", env!("CARGO_PKG_VERSION")))
            .write_empty()?;
        text_el(w, "url", &format!("{event_url}programme/schedule.xml"))?;
        text_el(w, "version", &version_label(ctx))?;
        w.create_element("conference").write_inner_content(|w| {
            text_el(w, "title", &s.event.name)?;
            text_el(w, "acronym", &acronym(&s.event.slug))?;
            text_el(w, "start", &local_rfc3339(s.event.starts_at, tz))?;
            text_el(w, "end", &local_rfc3339(s.event.ends_at, tz))?;
            text_el(w, "days", &days.len().to_string())?;
            text_el(w, "timeslot_duration", "00:05")?;
            text_el(w, "base_url", &event_url)?;
            text_el(w, "url", &event_url)?;
            text_el(w, "time_zone_name", &s.event.timezone)?;
            for t in &s.tracks {
                let mut el = w
                    .create_element("track")
                    .with_attribute(("name", t.name.as_str()))
                    .with_attribute(("slug", format!("t{}", slugify(&t.name)).as_str()));
                if t.colour.len() == 7 && t.colour.starts_with('#') {
                    el = el.with_attribute(("color", t.colour.as_str()));
                }
                el.write_empty()?;
            }
            Ok(())
        })?;
        for (index, (date, rooms)) in days.iter().enumerate() {
            let (start, end) = day_bounds(rooms);
            w.create_element("day")
                .with_attribute(("index", (index + 1).to_string().as_str()))
                .with_attribute(("date", date.format("%Y-%m-%d").to_string().as_str()))
                .with_attribute(("start", local_rfc3339(start, tz).as_str()))
                .with_attribute(("end", local_rfc3339(end, tz).as_str()))
                .write_inner_content(|w| {
                    for (room_name, room_id, entries) in rooms {
                        let mut el = w
                            .create_element("room")
                            .with_attribute(("name", room_name.as_str()));
                        if let Some(id) = room_id {
                            el = el.with_attribute(("guid", id.as_str()));
                        }
                        el.write_inner_content(|w| {
                            for e in entries {
                                w.create_element("event")
                                    .with_attribute(("guid", e.guid()))
                                    .with_attribute(("id", e.id().to_string().as_str()))
                                    .write_inner_content(|w| {
                                        text_el(w, "room", room_name)?;
                                        text_el(w, "title", e.title())?;
                                        text_el(w, "subtitle", "")?;
                                        text_el(w, "type", e.kind())?;
                                        text_el(w, "date", &local_rfc3339(e.slot.starts_at, tz))?;
                                        text_el(w, "start", &display::time(e.slot.starts_at, tz))?;
                                        text_el(w, "duration", &hhmm(e.minutes()))?;
                                        text_el(w, "abstract", e.abstract_text())?;
                                        text_el(w, "slug", &entry_slug(s, e))?;
                                        let track = e
                                            .talk
                                            .and_then(|t| t.track_id.as_deref())
                                            .and_then(|id| s.tracks.iter().find(|tr| tr.id == id))
                                            .map(|t| t.name.as_str())
                                            .unwrap_or("");
                                        text_el(w, "track", track)?;
                                        w.create_element("persons").write_inner_content(|w| {
                                            for r in
                                                e.talk.map(|t| t.people.as_slice()).unwrap_or(&[])
                                            {
                                                if let Some(p) = people.get(r.person_id.as_str()) {
                                                    w.create_element("person")
                                                        .with_attribute(("guid", p.id.as_str()))
                                                        .write_text_content(BytesText::new(
                                                            &p.name,
                                                        ))?;
                                                }
                                            }
                                            if let Some(t) = e.topic {
                                                w.create_element("person")
                                                    .with_attribute((
                                                        "guid",
                                                        convener_guid(t).as_str(),
                                                    ))
                                                    .write_text_content(BytesText::new(
                                                        &t.convener,
                                                    ))?;
                                            }
                                            Ok(())
                                        })?;
                                        text_el(
                                            w,
                                            "language",
                                            e.talk.map(|t| t.language.as_str()).unwrap_or("en"),
                                        )?;
                                        text_el(
                                            w,
                                            "description",
                                            e.talk.map(|t| t.description.as_str()).unwrap_or(""),
                                        )?;
                                        w.create_element("links").write_inner_content(|w| {
                                            if let Some(t) = e.talk {
                                                if !t.slides_url.is_empty() {
                                                    w.create_element("link")
                                                        .with_attribute((
                                                            "href",
                                                            t.slides_url.as_str(),
                                                        ))
                                                        .with_attribute(("type", "slides"))
                                                        .write_text_content(BytesText::new(
                                                            "Slides",
                                                        ))?;
                                                }
                                                if !t.video_url.is_empty() {
                                                    w.create_element("link")
                                                        .with_attribute((
                                                            "href",
                                                            t.video_url.as_str(),
                                                        ))
                                                        .with_attribute(("type", "media"))
                                                        .write_text_content(BytesText::new(
                                                            "Video",
                                                        ))?;
                                                }
                                            }
                                            Ok(())
                                        })?;
                                        text_el(w, "url", &talk_url(ctx, s, e))?;
                                        Ok(())
                                    })?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    let mut bytes = w.into_inner().into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// `schedule.json` (C3VOC schema, draft 06).
pub fn schedule_json(s: &Snapshot, ctx: &ExportContext<'_>) -> Value {
    let tz = tz_of(s);
    let people = s.people_by_id();
    let event_url = urls::absolute(ctx.base_url, &urls::event(&s.event.slug));
    let days: Vec<Value> = days(s)
        .iter()
        .enumerate()
        .map(|(index, (date, rooms))| {
            let (start, end) = day_bounds(rooms);
            let mut rooms_json = serde_json::Map::new();
            for (room_name, _, entries) in rooms {
                let events: Vec<Value> = entries
                    .iter()
                    .map(|e| {
                        let track = e.talk.and_then(|t| t.track_id.as_deref()).and_then(|id| s.tracks.iter().find(|tr| tr.id == id)).map(|t| t.name.clone());
                        let mut persons: Vec<Value> = e
                            .talk
                            .map(|t| t.people.as_slice())
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|r| people.get(r.person_id.as_str()))
                            .map(|p| json!({ "guid": p.id, "name": p.name, "biography": p.bio, "avatar": if p.photo_url.is_empty() { Value::Null } else { Value::String(p.photo_url.clone()) } }))
                            .collect();
                        if let Some(t) = e.topic {
                            persons.push(json!({ "guid": convener_guid(t), "name": t.convener, "biography": "", "avatar": Value::Null }));
                        }
                        let mut links = Vec::new();
                        if let Some(t) = e.talk {
                            if !t.slides_url.is_empty() {
                                links.push(json!({ "type": "slides", "url": t.slides_url, "title": "Slides" }));
                            }
                            if !t.video_url.is_empty() {
                                links.push(json!({ "type": "media", "url": t.video_url, "title": "Video" }));
                            }
                        }
                        json!({
                            "guid": e.guid(),
                            "id": e.id(),
                            "date": local_rfc3339(e.slot.starts_at, tz),
                            "start": display::time(e.slot.starts_at, tz),
                            "end": local_rfc3339(e.slot.ends_at, tz),
                            "duration": hhmm(e.minutes()),
                            "room": room_name,
                            "slug": entry_slug(s, e),
                            "url": talk_url(ctx, s, e),
                            "title": e.title(),
                            "subtitle": "",
                            "track": track,
                            "type": e.kind(),
                            "language": e.talk.map(|t| t.language.clone()).unwrap_or_else(|| "en".into()),
                            "abstract": e.abstract_text(),
                            "description": e.talk.map(|t| t.description.clone()).unwrap_or_default(),
                            "persons": persons,
                            "links": links,
                        })
                    })
                    .collect();
                rooms_json.insert(room_name.clone(), Value::Array(events));
            }
            json!({
                "index": index + 1,
                "date": date.format("%Y-%m-%d").to_string(),
                "day_start": local_rfc3339(start, tz),
                "day_end": local_rfc3339(end, tz),
                "rooms": rooms_json,
            })
        })
        .collect();
    json!({
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": { "name": "ghent", "version": env!("CARGO_PKG_VERSION") },
        "schedule": {
            "version": version_label(ctx),
            "base_url": event_url,
            "conference": {
                "acronym": acronym(&s.event.slug),
                "title": s.event.name,
                "start": local_rfc3339(s.event.starts_at, tz),
                "end": local_rfc3339(s.event.ends_at, tz),
                "daysCount": days.len(),
                "timeslot_duration": "00:05",
                "time_zone_name": s.event.timezone,
                "url": event_url,
                "tracks": s.tracks.iter().map(|t| json!({ "name": t.name, "slug": format!("t{}", slugify(&t.name)), "color": t.colour })).collect::<Vec<_>>(),
                "rooms": s.rooms.iter().map(|r| json!({ "name": r.name, "guid": r.id, "capacity": r.capacity })).collect::<Vec<_>>(),
                "days": days,
            }
        }
    })
}

/// `programme.json`: a small, stable shape for embedding the programme in other sites.
pub fn programme_json(s: &Snapshot, ctx: &ExportContext<'_>) -> Value {
    let tz = tz_of(s);
    let people = s.people_by_id();
    json!({
        "event": { "name": s.event.name, "slug": s.event.slug, "timezone": s.event.timezone, "url": urls::absolute(ctx.base_url, &urls::event(&s.event.slug)) },
        "version": version_label(ctx),
        "slots": s.slots.iter().map(|slot| {
            let e = Entry::of(s, slot);
            let talk = e.talk;
            json!({
                "id": e.guid(),
                "number": e.id(),
                "start": local_rfc3339(slot.starts_at, tz),
                "end": local_rfc3339(slot.ends_at, tz),
                "room": s.room_name(slot.room_id.as_deref()),
                "kind": slot.kind,
                "title": e.title(),
                "speakers": talk.map(|t| t.people_names(&people)).or_else(|| e.topic.map(|t| vec![t.convener.clone()])).unwrap_or_default(),
                "url": (talk.is_some() || e.topic.is_some()).then(|| talk_url(ctx, s, &e)),
            })
        }).collect::<Vec<_>>(),
    })
}

fn ical_event(s: &Snapshot, ctx: &ExportContext<'_>, e: &Entry<'_>) -> icalendar::Event {
    let people = s.people_by_id();
    let speakers = e
        .talk
        .map(|t| t.people_names(&people).join(", "))
        .or_else(|| e.topic.map(|t| t.convener.clone()))
        .unwrap_or_default();
    let mut description = String::new();
    if !speakers.is_empty() {
        description.push_str(&speakers);
        description.push_str("\n\n");
    }
    description.push_str(e.abstract_text());
    let host = ctx
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or("ghent")
        .split('/')
        .next()
        .unwrap_or("ghent");
    icalendar::Event::new()
        .uid(&format!("{}@{host}", e.guid()))
        .timestamp(ctx.released_at.and_utc())
        .summary(e.title())
        .description(description.trim())
        .location(&s.room_name(e.slot.room_id.as_deref()))
        .url(&talk_url(ctx, s, e))
        .starts(e.slot.starts_at.and_utc())
        .ends(e.slot.ends_at.and_utc())
        .done()
}

/// The event's iCal feed: every slot, times in UTC (unambiguous in every calendar), with the
/// event's timezone named for clients that display it.
pub fn schedule_ics(s: &Snapshot, ctx: &ExportContext<'_>) -> String {
    let mut cal = Calendar::new();
    cal.name(&s.event.name).timezone(s.event.timezone.as_str());
    for slot in &s.slots {
        cal.push(ical_event(s, ctx, &Entry::of(s, slot)));
    }
    cal.done().to_string()
}

/// One talk's `.ics`.
pub fn talk_ics(s: &Snapshot, ctx: &ExportContext<'_>, talk_id: &str) -> Option<String> {
    let slot = s.slot_of(talk_id)?;
    let e = Entry {
        slot,
        talk: s.talk(talk_id),
        topic: None,
    };
    let mut cal = Calendar::new();
    cal.name(&s.event.name).push(ical_event(s, ctx, &e));
    Some(cal.done().to_string())
}

/// A personal agenda: the chosen talks of the release (in programme order; ids it does not
/// know are left out), as one calendar.
pub fn agenda_ics(s: &Snapshot, ctx: &ExportContext<'_>, talk_ids: &[&str]) -> String {
    let mut cal = Calendar::new();
    cal.name(&format!("{} · my agenda", s.event.name))
        .timezone(s.event.timezone.as_str());
    for slot in &s.slots {
        if let Some(id) = slot.talk_id.as_deref().filter(|id| talk_ids.contains(id)) {
            let e = Entry {
                slot,
                talk: s.talk(id),
                topic: None,
            };
            cal.push(ical_event(s, ctx, &e));
        }
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_and_slugs_fit_the_schema_patterns() {
        assert_eq!(acronym("usa-2010"), "usa_2010");
        assert_eq!(acronym("ghent-2009"), "ghent_2009");
        assert_eq!(acronym("ab"), "ab__");
        assert_eq!(
            slugify("Non-Functional Requirements: do user stories really help?"),
            "non-functional-requirements-do-user-stories-really-help"
        );
        assert_eq!(slugify("?!"), "item");
        assert_eq!(hhmm(45), "00:45");
        assert_eq!(hhmm(90), "01:30");
    }
}
