//! Reading a frab `schedule.xml`: its rooms, tracks and `<event>` items, as plain text, before
//! anything is matched against the database.

use chrono::Duration;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::Reader;

/// One `<event>` of the file.
#[derive(Debug, Default, Clone)]
pub(super) struct Item {
    pub(super) guid: String,
    pub(super) id: Option<i64>,
    pub(super) room: String,
    pub(super) title: String,
    pub(super) kind: String,
    pub(super) date: String,
    pub(super) duration: String,
    pub(super) r#abstract: String,
    pub(super) description: String,
    pub(super) track: String,
    pub(super) language: String,
    pub(super) persons: Vec<(Option<String>, String)>,
    pub(super) links: Vec<(String, String)>,
}

/// What the file holds.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub(super) tracks: Vec<(String, String)>,
    pub(super) rooms: Vec<(String, Option<String>)>,
    pub(super) items: Vec<Item>,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.to_string()))
}

pub(super) fn parse(xml: &str) -> Result<Parsed, String> {
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

pub(super) fn duration_of(s: &str) -> Option<Duration> {
    let mut parts = s.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m) = (parts.next()??, parts.next()??);
    Some(Duration::minutes(h * 60 + m))
}
