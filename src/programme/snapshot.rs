//! A release's snapshot: everything the public programme shows, frozen as JSON when the
//! organizers release, and the changelog between two snapshots.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Level, Person, Room, Slot, SlotKind, Talk, TalkKind, TalkRole, TalkState};
use crate::db::schema::{people, slots, talk_people, talks};
use crate::db::AnyConnection;
use crate::events::{queries as event_queries, Event};

/// The event as the programme shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapEvent {
    /// The event's id (exports use it for stable GUIDs).
    pub id: String,
    /// For URLs in the exports.
    pub slug: String,
    /// The conference title in the exports.
    pub name: String,
    /// IANA timezone.
    pub timezone: String,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// Venue name.
    pub venue: Option<String>,
}

/// A room.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapRoom {
    /// Id (guid).
    pub id: String,
    /// As shown in the grid and the exports.
    pub name: String,
    /// Seats.
    pub capacity: Option<i32>,
}

/// A track.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapTrack {
    /// Track id, for the talks that point at it.
    pub id: String,
    /// As shown in the legend and exports.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// A person's public profile (never their email).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapPerson {
    /// Id (guid).
    pub id: String,
    /// As shown in the programme (never an email).
    pub name: String,
    /// Markdown bio.
    pub bio: String,
    /// Photo.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links, one per line.
    pub social: String,
}

/// A person's part in a talk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapRole {
    /// Points into the snapshot's `people`.
    pub person_id: String,
    /// Speaker or moderator.
    pub role: TalkRole,
}

/// A scheduled talk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapTalk {
    /// Guid.
    pub id: String,
    /// Stable integer id.
    pub number: i64,
    /// As released.
    pub title: String,
    /// Markdown.
    pub r#abstract: String,
    /// Markdown.
    pub description: String,
    /// Talk, keynote, ignite, panel or workshop.
    pub kind: TalkKind,
    /// Minutes.
    pub duration_minutes: i32,
    /// Points into the snapshot's `tracks`, if it has one.
    pub track_id: Option<String>,
    /// ISO 639-1 code, e.g. `en`.
    pub language: String,
    /// Audience level, possibly unspecified.
    pub level: Level,
    /// Slides.
    pub slides_url: String,
    /// Video.
    pub video_url: String,
    /// The speaker or organizers asked for it not to be recorded (live, like the links: see
    /// [`crate::programme::material`]).
    #[serde(default)]
    pub do_not_record: bool,
    /// People in order.
    pub people: Vec<SnapRole>,
}

/// A slot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapSlot {
    /// Guid.
    pub id: String,
    /// Stable integer id.
    pub number: i64,
    /// Room, or `None` for every room.
    pub room_id: Option<String>,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// What happens in the slot.
    pub kind: SlotKind,
    /// Talk placed here.
    pub talk_id: Option<String>,
    /// Title of an untalked slot.
    pub title: String,
}

/// An open-space topic placed on the board: not part of a release (open spaces are decided on
/// the day), laid over the release's snapshot when the public programme is rendered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapTopic {
    /// Guid (the topic's id).
    pub id: String,
    /// Stable integer id (shared sequence with talks and slots).
    pub number: i64,
    /// The slot it is in.
    pub slot_id: String,
    /// Title.
    pub title: String,
    /// A few lines.
    pub description: String,
    /// The convener's name.
    pub convener: String,
}

/// Everything public about an event's programme at one release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    /// The event.
    pub event: SnapEvent,
    /// Rooms in column order.
    pub rooms: Vec<SnapRoom>,
    /// Tracks in order.
    pub tracks: Vec<SnapTrack>,
    /// People on scheduled talks, by name.
    pub people: Vec<SnapPerson>,
    /// Scheduled, confirmed talks.
    pub talks: Vec<SnapTalk>,
    /// Slots by start time, then room order.
    pub slots: Vec<SnapSlot>,
    /// Open-space topics on the live board (never stored with a release).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<SnapTopic>,
}

impl SnapTalk {
    /// The names of its people, in their order on the talk (`people` from
    /// [`Snapshot::people_by_id`]).
    pub fn people_names(&self, people: &HashMap<&str, &SnapPerson>) -> Vec<String> {
        self.people
            .iter()
            .filter_map(|r| people.get(r.person_id.as_str()).map(|p| p.name.clone()))
            .collect()
    }
}

impl Snapshot {
    /// The talk with this id.
    pub fn talk(&self, id: &str) -> Option<&SnapTalk> {
        self.talks.iter().find(|t| t.id == id)
    }

    /// The open-space topic placed in a slot.
    pub fn topic_in(&self, slot_id: &str) -> Option<&SnapTopic> {
        self.topics.iter().find(|t| t.slot_id == slot_id)
    }

    /// The slot a talk is in.
    pub fn slot_of(&self, talk_id: &str) -> Option<&SnapSlot> {
        self.slots
            .iter()
            .find(|s| s.talk_id.as_deref() == Some(talk_id))
    }

    /// A room's name (or "All rooms").
    pub fn room_name(&self, room_id: Option<&str>) -> String {
        room_id
            .and_then(|id| self.rooms.iter().find(|r| r.id == id))
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "All rooms".to_string())
    }

    /// Index of `people` by id, for the exports and pages that resolve roles.
    pub fn people_by_id(&self) -> HashMap<&str, &SnapPerson> {
        self.people.iter().map(|p| (p.id.as_str(), p)).collect()
    }
}

/// Builds the snapshot of the event's programme as it stands in the tables now.
pub fn build(conn: &mut AnyConnection, event: &Event) -> QueryResult<Snapshot> {
    let venue = match &event.venue_id {
        Some(id) => event_queries::venue(conn, id)?.map(|v| v.name),
        None => None,
    };
    let room_rows = super::queries::rooms_of(conn, &event.id)?;
    let track_rows = super::queries::tracks_of(conn, &event.id)?;
    let slot_rows: Vec<Slot> = slots::table
        .filter(slots::event_id.eq(&event.id))
        .order((slots::starts_at, slots::number))
        .select(Slot::as_select())
        .load(conn)?;
    let talk_rows: Vec<Talk> = talks::table
        .filter(talks::event_id.eq(&event.id))
        .filter(talks::state.eq(TalkState::Confirmed))
        .select(Talk::as_select())
        .load(conn)?;
    let scheduled: HashMap<&str, &Slot> = slot_rows
        .iter()
        .filter_map(|s| s.talk_id.as_deref().map(|t| (t, s)))
        .collect();
    let talk_ids: Vec<&str> = talk_rows
        .iter()
        .filter(|t| scheduled.contains_key(t.id.as_str()))
        .map(|t| t.id.as_str())
        .collect();
    let (mut roles_by_talk, person_rows) = people_of_talks(conn, &talk_ids)?;
    let confirmed: HashSet<&str> = talk_rows.iter().map(|t| t.id.as_str()).collect();
    let slots = snap_slots(&slot_rows, &room_rows, &confirmed);
    let mut talks_out: Vec<SnapTalk> = talk_rows
        .iter()
        .filter(|t| scheduled.contains_key(t.id.as_str()))
        .map(|t| snap_talk(t, roles_by_talk.remove(t.id.as_str()).unwrap_or_default()))
        .collect();
    talks_out.sort_by_key(|t| {
        scheduled
            .get(t.id.as_str())
            .map(|s| (s.starts_at, s.number))
    });
    Ok(Snapshot {
        event: SnapEvent {
            id: event.id.clone(),
            slug: event.slug.clone(),
            name: event.name.clone(),
            timezone: event.timezone.clone(),
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            venue,
        },
        rooms: room_rows
            .into_iter()
            .map(|r| SnapRoom {
                id: r.id,
                name: r.name,
                capacity: r.capacity,
            })
            .collect(),
        tracks: track_rows
            .into_iter()
            .map(|t| SnapTrack {
                id: t.id,
                name: t.name,
                colour: t.colour,
            })
            .collect(),
        people: person_rows.into_iter().map(SnapPerson::from).collect(),
        talks: talks_out,
        slots,
        topics: Vec::new(),
    })
}

/// Each talk's people, in their order on it.
type RolesByTalk = BTreeMap<String, Vec<SnapRole>>;

/// The people of the given talks: their roles by talk, in order, and the people by name.
fn people_of_talks(
    conn: &mut AnyConnection,
    talk_ids: &[&str],
) -> QueryResult<(RolesByTalk, Vec<Person>)> {
    let roles: Vec<(String, String, TalkRole)> = talk_people::table
        .filter(talk_people::talk_id.eq_any(talk_ids))
        .order((talk_people::talk_id, talk_people::position))
        .select((
            talk_people::talk_id,
            talk_people::person_id,
            talk_people::role,
        ))
        .load(conn)?;
    let person_ids: Vec<&str> = roles.iter().map(|r| r.1.as_str()).collect();
    let people_rows: Vec<Person> = people::table
        .filter(people::id.eq_any(&person_ids))
        .order(people::name)
        .select(Person::as_select())
        .load(conn)?;
    let mut by_talk = RolesByTalk::new();
    for (talk, person_id, role) in roles {
        by_talk
            .entry(talk)
            .or_default()
            .push(SnapRole { person_id, role });
    }
    Ok((by_talk, people_rows))
}

/// The public slots, ordered by time, then column, then id; a cancelled talk leaves its slot
/// empty in public.
fn snap_slots(slots: &[Slot], rooms: &[Room], confirmed: &HashSet<&str>) -> Vec<SnapSlot> {
    let room_pos: HashMap<&str, usize> = rooms
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut out: Vec<SnapSlot> = slots
        .iter()
        .map(|s| SnapSlot {
            id: s.id.clone(),
            number: s.number,
            room_id: s.room_id.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            kind: s.kind,
            talk_id: s.talk_id.clone().filter(|t| confirmed.contains(t.as_str())),
            title: s.title.clone(),
        })
        .collect();
    out.sort_by_key(|s| {
        let column = s
            .room_id
            .as_deref()
            .and_then(|r| room_pos.get(r).copied())
            .unwrap_or(0);
        (s.starts_at, column, s.number)
    });
    out
}

fn snap_talk(t: &Talk, people: Vec<SnapRole>) -> SnapTalk {
    SnapTalk {
        id: t.id.clone(),
        number: t.number,
        title: t.title.clone(),
        r#abstract: t.abstract_.clone(),
        description: t.description.clone(),
        kind: t.kind,
        duration_minutes: t.duration_minutes,
        track_id: t.track_id.clone(),
        language: t.language.clone(),
        level: t.level,
        slides_url: t.slides_url.clone(),
        video_url: t.video_url.clone(),
        do_not_record: false,
        people,
    }
}

impl From<Person> for SnapPerson {
    fn from(p: Person) -> SnapPerson {
        SnapPerson {
            id: p.id,
            name: p.name,
            bio: p.bio,
            photo_url: p.photo_url,
            website_url: p.website_url,
            social: p.social,
        }
    }
}

/// One entry of a changelog.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TalkChange {
    /// Talk guid.
    pub talk_id: String,
    /// Title (now, or when last scheduled for a cancelled talk).
    pub title: String,
    /// Title before, when retitled.
    pub old_title: Option<String>,
    /// Start before (UTC).
    pub old_start: Option<NaiveDateTime>,
    /// Room before.
    pub old_room: Option<String>,
    /// Start now (UTC).
    pub new_start: Option<NaiveDateTime>,
    /// Room now.
    pub new_room: Option<String>,
    /// Person ids on the talk (to tell them).
    pub people: Vec<String>,
}

/// What changed between two releases.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Changes {
    /// Newly scheduled talks.
    pub added: Vec<TalkChange>,
    /// Talks whose time or room changed.
    pub moved: Vec<TalkChange>,
    /// Talks taken out of the grid that still happen (confirmed, without a slot for now).
    #[serde(default)]
    pub unscheduled: Vec<TalkChange>,
    /// Talks that will not happen (cancelled, or deleted).
    pub cancelled: Vec<TalkChange>,
    /// Talks with a new title.
    pub retitled: Vec<TalkChange>,
}

impl Changes {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.moved.is_empty()
            && self.unscheduled.is_empty()
            && self.cancelled.is_empty()
            && self.retitled.is_empty()
    }
}

/// The changelog from `old` (the previous release, if any) to `new`.
pub fn diff(old: Option<&Snapshot>, new: &Snapshot) -> Changes {
    let mut changes = Changes::default();
    let place = |s: &Snapshot, id: &str| {
        s.slot_of(id)
            .map(|slot| (slot.starts_at, s.room_name(slot.room_id.as_deref())))
    };
    let people = |t: &SnapTalk| {
        t.people
            .iter()
            .map(|r| r.person_id.clone())
            .collect::<Vec<_>>()
    };
    for talk in &new.talks {
        let now = place(new, &talk.id);
        let before = old.and_then(|o| o.talk(&talk.id).map(|t| (t, place(o, &t.id))));
        let base = TalkChange {
            talk_id: talk.id.clone(),
            title: talk.title.clone(),
            old_title: None,
            old_start: None,
            old_room: None,
            new_start: now.as_ref().map(|p| p.0),
            new_room: now.as_ref().map(|p| p.1.clone()),
            people: people(talk),
        };
        match before {
            None if now.is_some() => changes.added.push(base),
            None => {}
            Some((old_talk, was)) => {
                let moved = TalkChange {
                    old_start: was.as_ref().map(|p| p.0),
                    old_room: was.as_ref().map(|p| p.1.clone()),
                    ..base.clone()
                };
                match (&was, &now) {
                    (Some(_), None) => changes.unscheduled.push(moved),
                    (None, Some(_)) => changes.added.push(base.clone()),
                    (Some(a), Some(b)) if a != b => changes.moved.push(moved),
                    _ => {}
                }
                if old_talk.title != talk.title {
                    changes.retitled.push(TalkChange {
                        old_title: Some(old_talk.title.clone()),
                        ..base
                    });
                }
            }
        }
    }
    if let Some(o) = old {
        for talk in o.talks.iter().filter(|t| new.talk(&t.id).is_none()) {
            let was = place(o, &talk.id);
            changes.cancelled.push(TalkChange {
                talk_id: talk.id.clone(),
                title: talk.title.clone(),
                old_title: None,
                old_start: was.as_ref().map(|p| p.0),
                old_room: was.as_ref().map(|p| p.1.clone()),
                new_start: None,
                new_room: None,
                people: people(talk),
            });
        }
    }
    changes
}

/// Builders of snapshots for the unit tests of the programme's rules.
#[cfg(test)]
pub mod fixtures {
    use super::*;
    use crate::programme::model::{Level, SlotKind, TalkKind, TalkRole};

    /// 30 October 2009 at `h:m` (UTC).
    pub fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2009, 10, 30)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
    }

    /// A slot in `room` (`None`: every room) from `from` to `to`, with `talk` or a title.
    pub fn slot(
        id: &str,
        room: Option<&str>,
        from: (u32, u32),
        to: (u32, u32),
        talk: Option<&str>,
    ) -> SnapSlot {
        SnapSlot {
            id: id.into(),
            number: 1,
            room_id: room.map(str::to_string),
            starts_at: at(from.0, from.1),
            ends_at: at(to.0, to.1),
            kind: if talk.is_some() {
                SlotKind::Talk
            } else {
                SlotKind::Break
            },
            talk_id: talk.map(str::to_string),
            title: if talk.is_some() {
                String::new()
            } else {
                "Coffee".into()
            },
        }
    }

    /// A talk of `minutes`, in `track`, by `people` (ids).
    pub fn talk(
        id: &str,
        title: &str,
        minutes: i32,
        track: Option<&str>,
        people: &[&str],
    ) -> SnapTalk {
        SnapTalk {
            id: id.into(),
            number: 1,
            title: title.into(),
            r#abstract: String::new(),
            description: String::new(),
            kind: TalkKind::Talk,
            duration_minutes: minutes,
            track_id: track.map(str::to_string),
            language: "en".into(),
            level: Level::Unspecified,
            slides_url: String::new(),
            video_url: String::new(),
            do_not_record: false,
            people: people
                .iter()
                .map(|p| SnapRole {
                    person_id: p.to_string(),
                    role: TalkRole::Speaker,
                })
                .collect(),
        }
    }

    /// An event on 30 October 2009 with rooms A and B, the track Ops, Patrick Debois, and these
    /// slots and talks.
    pub fn snapshot(slots: Vec<SnapSlot>, talks: Vec<SnapTalk>) -> Snapshot {
        Snapshot {
            event: SnapEvent {
                id: "e".into(),
                slug: "ghent-2009".into(),
                name: "devopsdays Ghent 2009".into(),
                timezone: "UTC".into(),
                starts_at: at(9, 0),
                ends_at: at(18, 0),
                venue: None,
            },
            rooms: [("a", "A"), ("b", "B")]
                .iter()
                .map(|(id, name)| SnapRoom {
                    id: id.to_string(),
                    name: name.to_string(),
                    capacity: None,
                })
                .collect(),
            tracks: vec![SnapTrack {
                id: "ops".into(),
                name: "Ops".into(),
                colour: "#000000".into(),
            }],
            people: vec![SnapPerson {
                id: "patrick".into(),
                name: "Patrick Debois".into(),
                bio: String::new(),
                photo_url: String::new(),
                website_url: String::new(),
                social: String::new(),
            }],
            talks,
            slots,
            topics: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{at, slot, snapshot, talk};
    use super::*;

    fn ids(changes: &[TalkChange]) -> Vec<&str> {
        changes.iter().map(|c| c.talk_id.as_str()).collect()
    }

    #[test]
    fn the_first_release_adds_every_scheduled_talk() {
        let s = snapshot(
            vec![slot("s1", Some("a"), (9, 0), (10, 0), Some("t1"))],
            vec![talk("t1", "One", 45, None, &[])],
        );
        let c = diff(None, &s);
        assert_eq!(ids(&c.added), ["t1"]);
        assert!(c.moved.is_empty() && c.cancelled.is_empty() && c.retitled.is_empty());
        assert_eq!(c.added[0].new_room.as_deref(), Some("A"));
        assert_eq!(c.added[0].new_start, Some(at(9, 0)));
    }

    #[test]
    fn a_talk_moved_retitled_or_gone_is_each_said_once_with_what_it_was() {
        let old = snapshot(
            vec![
                slot("s1", Some("a"), (9, 0), (10, 0), Some("t1")),
                slot("s2", Some("a"), (10, 0), (11, 0), Some("t2")),
                slot("s3", Some("b"), (9, 0), (10, 0), Some("t3")),
            ],
            vec![
                talk("t1", "One", 45, None, &[]),
                talk("t2", "Two", 45, None, &[]),
                talk("t3", "Three", 45, None, &["patrick"]),
            ],
        );
        let new = snapshot(
            vec![
                slot("s1", Some("b"), (9, 0), (10, 0), Some("t1")),
                slot("s2", Some("a"), (10, 0), (11, 0), Some("t2")),
            ],
            vec![
                talk("t1", "One", 45, None, &[]),
                talk("t2", "Two, again", 45, None, &[]),
            ],
        );
        let c = diff(Some(&old), &new);
        assert_eq!(ids(&c.moved), ["t1"]);
        assert_eq!(
            (
                c.moved[0].old_room.as_deref(),
                c.moved[0].new_room.as_deref()
            ),
            (Some("A"), Some("B"))
        );
        assert_eq!(ids(&c.retitled), ["t2"]);
        assert_eq!(c.retitled[0].old_title.as_deref(), Some("Two"));
        assert_eq!(ids(&c.cancelled), ["t3"]);
        assert_eq!(
            c.cancelled[0].people,
            ["patrick"],
            "so the speaker can be told"
        );
        assert!(c.added.is_empty());
        assert!(
            diff(Some(&new), &new).is_empty(),
            "an unchanged programme changes nothing"
        );
    }
}
