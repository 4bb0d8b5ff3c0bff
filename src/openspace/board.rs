//! The board: the event's open-space slots (rooms × times, from the programme) and the topics
//! placed in them. Placing checks the rules in one transaction that starts by bumping the
//! board's version, which locks the event's board row on PostgreSQL (and takes SQLite's write
//! lock), so two moderators placing at once are checked one after the other: a slot holds one
//! topic (also UNIQUE in the table) and a convener is never in two places at once.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Topic, TopicState};
use super::settings;
use super::suggest::{self, Busy, Candidate, FreeSlot};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{openspace_topics, rooms, slots};
use crate::db::{write_transaction, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::display;
use crate::programme::model::{Room, Slot, SlotKind};
use crate::programme::snapshot::SnapTopic;

/// Any topic of the event (whatever its state).
pub fn topic_of(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Topic> {
    openspace_topics::table
        .find(id)
        .filter(openspace_topics::event_id.eq(event_id))
        .select(Topic::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// The topic placed in a slot.
pub fn topic_in(conn: &mut AnyConnection, slot_id: &str) -> QueryResult<Option<Topic>> {
    openspace_topics::table
        .filter(openspace_topics::slot_id.eq(slot_id))
        .select(Topic::as_select())
        .first(conn)
        .optional()
}

/// The listed topics of an event, oldest first.
pub fn shown_topics(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Topic>> {
    openspace_topics::table
        .filter(openspace_topics::event_id.eq(event_id))
        .filter(openspace_topics::state.eq(TopicState::Shown))
        .order((openspace_topics::created_at, openspace_topics::number))
        .select(Topic::as_select())
        .load(conn)
}

/// Every topic of an event (for moderators), oldest first.
pub fn all_topics(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Topic>> {
    openspace_topics::table
        .filter(openspace_topics::event_id.eq(event_id))
        .order((openspace_topics::created_at, openspace_topics::number))
        .select(Topic::as_select())
        .load(conn)
}

/// The board's slots: open-space slots in a room, with the room, by time then column.
pub struct Spaces {
    /// (slot, room, takes topics).
    pub slots: Vec<(Slot, Room, bool)>,
}

impl Spaces {
    /// Loads the event's open-space slots.
    pub fn load(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Spaces> {
        let rows: Vec<(Slot, Room)> = slots::table
            .inner_join(rooms::table)
            .filter(slots::event_id.eq(event_id))
            .filter(slots::kind.eq(SlotKind::OpenSpace))
            .order((slots::starts_at, rooms::position, rooms::name))
            .select((Slot::as_select(), Room::as_select()))
            .load(conn)?;
        let closed = settings::closed_slots(conn, event_id)?;
        Ok(Spaces {
            slots: rows
                .into_iter()
                .map(|(s, r)| {
                    let takes = !closed.contains(&s.id);
                    (s, r, takes)
                })
                .collect(),
        })
    }

    fn find(&self, slot_id: &str) -> Option<&(Slot, Room, bool)> {
        self.slots.iter().find(|(s, _, _)| s.id == slot_id)
    }
}

fn overlaps(a: &Slot, b: &Slot) -> bool {
    a.starts_at < b.ends_at && b.starts_at < a.ends_at
}

/// Why `topic` cannot go into `slot_id`, if it cannot.
fn refusal(
    conn: &mut AnyConnection,
    tz: chrono_tz::Tz,
    spaces: &Spaces,
    topic: &Topic,
    slot_id: &str,
) -> AppResult<Option<String>> {
    let Some((slot, room, takes)) = spaces.find(slot_id) else {
        return Err(AppError::NotFound);
    };
    if topic.state != TopicState::Shown {
        return Ok(Some("Only listed topics can be placed.".into()));
    }
    let when = format!(
        "{} {}",
        display::date(slot.starts_at, tz),
        display::time(slot.starts_at, tz)
    );
    if !takes {
        return Ok(Some(format!(
            "{} at {when} is the marketplace: it takes no topic.",
            room.name
        )));
    }
    if let Some(other) = topic_in(conn, slot_id)?.filter(|o| o.id != topic.id) {
        return Ok(Some(format!(
            "{} already holds “{}” at {when}. Move that topic first.",
            room.name, other.title
        )));
    }
    if let Some(convener) = &topic.participant_id {
        let theirs: Vec<Topic> = openspace_topics::table
            .filter(openspace_topics::participant_id.eq(convener))
            .filter(openspace_topics::id.ne(&topic.id))
            .filter(openspace_topics::slot_id.is_not_null())
            .select(Topic::as_select())
            .load(conn)?;
        for other in theirs {
            let clash = other
                .slot_id
                .as_deref()
                .and_then(|id| spaces.find(id))
                .filter(|(s, _, _)| overlaps(s, slot));
            if let Some((_, other_room, _)) = clash {
                return Ok(Some(format!(
                    "{} convenes “{}” in {} at that time; a convener cannot be in two places.",
                    topic.convener_name, other.title, other_room.name
                )));
            }
        }
    }
    Ok(None)
}

fn place_checked(
    conn: &mut AnyConnection,
    cx: &EventContext,
    spaces: &Spaces,
    topic: &Topic,
    slot_id: &str,
) -> AppResult<()> {
    if let Some(why) = refusal(conn, cx.event.tz(), spaces, topic, slot_id)? {
        return Err(AppError::Refused(why));
    }
    diesel::update(openspace_topics::table.find(&topic.id))
        .set((
            openspace_topics::slot_id.eq(Some(slot_id)),
            openspace_topics::draft_slot_id.eq(None::<String>),
            openspace_topics::updated_at.eq(cx.now),
        ))
        .execute(conn)?;
    // Placed by hand or with an accepted draft: the same message.
    let placed = topic_of(conn, &cx.event.id, &topic.id)?;
    crate::webhooks::emit_about(
        conn,
        &cx.event,
        crate::webhooks::EventType::OpenspaceTopicPlaced,
        "topic",
        &crate::api::repr::TopicOut::of(&placed),
        cx.now,
    )?;
    Ok(())
}

/// Places (or moves) a topic into a slot.
pub fn place(
    conn: &mut AnyConnection,
    cx: &EventContext,
    topic_id: &str,
    slot_id: &str,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        settings::bump_board(conn, cx)?;
        let spaces = Spaces::load(conn, &cx.event.id)?;
        let topic = topic_of(conn, &cx.event.id, topic_id)?;
        place_checked(conn, cx, &spaces, &topic, slot_id)?;
        audit::note(
            conn,
            cx,
            "openspace.place",
            ("openspace_topic", &topic.id),
            &format!("Placed “{}”", topic.title),
        )?;
        Ok(())
    })
}

/// Takes a topic off the board.
pub fn unplace(conn: &mut AnyConnection, cx: &EventContext, topic_id: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        settings::bump_board(conn, cx)?;
        let topic = topic_of(conn, &cx.event.id, topic_id)?;
        diesel::update(openspace_topics::table.find(&topic.id))
            .set((
                openspace_topics::slot_id.eq(None::<String>),
                openspace_topics::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        audit::note(
            conn,
            cx,
            "openspace.unplace",
            ("openspace_topic", &topic.id),
            &format!("Took “{}” off the board", topic.title),
        )?;
        Ok(())
    })
}

/// Suggests a board: fills the free slots from the unplaced topics (see [`suggest`]) as a
/// draft, replacing an earlier draft. Returns how many topics the draft places.
pub fn suggest_draft(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<usize> {
    write_transaction(conn, |conn| {
        diesel::update(openspace_topics::table.filter(openspace_topics::event_id.eq(&cx.event.id)))
            .set(openspace_topics::draft_slot_id.eq(None::<String>))
            .execute(conn)?;
        let spaces = Spaces::load(conn, &cx.event.id)?;
        let topics = shown_topics(conn, &cx.event.id)?;
        let votes = super::market::counts(conn, &cx.event.id)?;
        let taken: Vec<&str> = topics.iter().filter_map(|t| t.slot_id.as_deref()).collect();
        let free = spaces
            .slots
            .iter()
            .filter(|(s, _, takes)| *takes && !taken.contains(&s.id.as_str()))
            .map(|(s, r, _)| FreeSlot {
                slot_id: s.id.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                capacity: r.capacity,
                room_position: r.position,
            })
            .collect();
        let busy = topics
            .iter()
            .filter_map(|t| {
                let slot = spaces.find(t.slot_id.as_deref()?)?;
                Some(Busy {
                    convener: t.participant_id.clone()?,
                    starts_at: slot.0.starts_at,
                    ends_at: slot.0.ends_at,
                })
            })
            .collect();
        let candidates = topics
            .iter()
            .filter(|t| t.slot_id.is_none())
            .map(|t| Candidate {
                topic_id: t.id.clone(),
                votes: votes.get(&t.id).copied().unwrap_or(0),
                created_at: t.created_at,
                number: t.number,
                convener: t.participant_id.clone(),
            })
            .collect();
        let draft = suggest::suggest(free, candidates, busy);
        for (topic, slot) in &draft {
            diesel::update(openspace_topics::table.find(topic))
                .set(openspace_topics::draft_slot_id.eq(Some(slot)))
                .execute(conn)?;
        }
        Ok(draft.len())
    })
}

/// Accepts the draft: places each drafted topic (checked again, as if placed by hand).
pub fn accept_draft(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<usize> {
    write_transaction(conn, |conn| {
        settings::bump_board(conn, cx)?;
        let spaces = Spaces::load(conn, &cx.event.id)?;
        let drafted: Vec<Topic> = openspace_topics::table
            .filter(openspace_topics::event_id.eq(&cx.event.id))
            .filter(openspace_topics::draft_slot_id.is_not_null())
            .order(openspace_topics::number)
            .select(Topic::as_select())
            .load(conn)?;
        for t in &drafted {
            if let Some(slot) = &t.draft_slot_id {
                place_checked(conn, cx, &spaces, t, slot)?;
            }
        }
        audit::note(
            conn,
            cx,
            "openspace.accept",
            ("event", &cx.event.id),
            &format!("Accepted the suggested board ({} topics)", drafted.len()),
        )?;
        Ok(drafted.len())
    })
}

/// Discards the draft (or one topic of it).
pub fn discard_draft(
    conn: &mut AnyConnection,
    cx: &EventContext,
    topic_id: Option<&str>,
) -> AppResult<()> {
    let mut q = diesel::update(openspace_topics::table)
        .filter(openspace_topics::event_id.eq(&cx.event.id))
        .into_boxed();
    if let Some(id) = topic_id {
        q = q.filter(openspace_topics::id.eq(id.to_string()));
    }
    q.set(openspace_topics::draft_slot_id.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}

/// A topic as the board shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// Topic id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Convener.
    pub convener: String,
    /// Dots.
    pub votes: i64,
    /// Demo data.
    pub sample: bool,
}

/// One room at one time.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Slot id, `None` when the room has no open-space slot then.
    pub slot_id: Option<String>,
    /// Room name.
    pub room: String,
    /// The marketplace (takes no topic).
    pub closed: bool,
    /// Slot title (the marketplace's "Opening of the open space").
    pub title: String,
    /// The topic placed here.
    pub topic: Option<Card>,
    /// The topic the draft would put here.
    pub draft: Option<Card>,
}

/// One time of the board.
#[derive(Debug, Clone, Serialize)]
pub struct Time {
    /// "Friday 30 October 2009".
    pub date: String,
    /// "14:00–15:00".
    pub label: String,
    /// Start, RFC 3339 UTC.
    pub starts_iso: String,
    /// Now is within it.
    pub current: bool,
    /// The next one after now.
    pub next: bool,
    /// One cell per board column.
    pub cells: Vec<Cell>,
}

/// The whole board.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// Column headings.
    pub rooms: Vec<String>,
    /// Times in order.
    pub times: Vec<Time>,
    /// The board's version.
    pub version: i64,
}

/// Builds the board as it stands, with the draft when `with_draft`.
pub fn build(conn: &mut AnyConnection, cx: &EventContext, with_draft: bool) -> AppResult<Board> {
    let tz = cx.event.tz();
    let spaces = Spaces::load(conn, &cx.event.id)?;
    let topics = shown_topics(conn, &cx.event.id)?;
    let votes = super::market::counts(conn, &cx.event.id)?;
    let version = settings::board_version(conn, &cx.event.id)?;
    let card = |t: &Topic| Card {
        id: t.id.clone(),
        title: t.title.clone(),
        convener: t.convener_name.clone(),
        votes: votes.get(&t.id).copied().unwrap_or(0),
        sample: t.sample,
    };
    let placed: HashMap<&str, &Topic> = topics
        .iter()
        .filter_map(|t| Some((t.slot_id.as_deref()?, t)))
        .collect();
    let drafted: HashMap<&str, &Topic> = topics
        .iter()
        .filter_map(|t| Some((t.draft_slot_id.as_deref()?, t)))
        .collect();
    let mut columns: Vec<(&str, &str)> = Vec::new();
    let mut room_order: Vec<(i32, &str, &str)> = spaces
        .slots
        .iter()
        .map(|(_, r, _)| (r.position, r.id.as_str(), r.name.as_str()))
        .collect();
    room_order.sort();
    room_order.dedup();
    for (_, id, name) in room_order {
        columns.push((id, name));
    }
    let mut times: Vec<(NaiveDateTime, NaiveDateTime)> = spaces
        .slots
        .iter()
        .map(|(s, _, _)| (s.starts_at, s.ends_at))
        .collect();
    times.dedup();
    let next_start = times.iter().map(|t| t.0).find(|s| *s > cx.now);
    let times = times
        .into_iter()
        .map(|(start, end)| Time {
            date: display::date(start, tz),
            label: format!("{}–{}", display::time(start, tz), display::time(end, tz)),
            starts_iso: display::iso_utc(start),
            current: start <= cx.now && cx.now < end,
            next: Some(start) == next_start,
            cells: columns
                .iter()
                .map(|(room_id, room_name)| {
                    let found = spaces.slots.iter().find(|(s, r, _)| {
                        r.id == *room_id && s.starts_at == start && s.ends_at == end
                    });
                    match found {
                        Some((s, _, takes)) => Cell {
                            slot_id: Some(s.id.clone()),
                            room: room_name.to_string(),
                            closed: !takes,
                            title: s.title.clone(),
                            topic: placed.get(s.id.as_str()).map(|t| card(t)),
                            draft: drafted
                                .get(s.id.as_str())
                                .filter(|_| with_draft)
                                .map(|t| card(t)),
                        },
                        None => Cell {
                            slot_id: None,
                            room: room_name.to_string(),
                            closed: true,
                            title: String::new(),
                            topic: None,
                            draft: None,
                        },
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Board {
        rooms: columns.iter().map(|c| c.1.to_string()).collect(),
        times,
        version,
    })
}

/// The placed topics for the public programme and its exports, with the board's version.
pub fn published(conn: &mut AnyConnection, event_id: &str) -> QueryResult<(i64, Vec<SnapTopic>)> {
    let version = settings::board_version(conn, event_id)?;
    let topics: Vec<Topic> = openspace_topics::table
        .filter(openspace_topics::event_id.eq(event_id))
        .filter(openspace_topics::state.eq(TopicState::Shown))
        .filter(openspace_topics::slot_id.is_not_null())
        .order(openspace_topics::number)
        .select(Topic::as_select())
        .load(conn)?;
    Ok((
        version,
        topics
            .into_iter()
            .filter_map(|t| {
                Some(SnapTopic {
                    slot_id: t.slot_id?,
                    id: t.id,
                    number: t.number,
                    title: t.title,
                    description: t.description,
                    convener: t.convener_name,
                })
            })
            .collect(),
    ))
}
