//! Rows of the programme tables, and the fixed vocabularies of talk and slot kinds.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{people, rooms, slots, talk_people, talks, tracks};

/// Kinds of talk.
pub const TALK_KINDS: &[&str] = &["talk", "keynote", "ignite", "panel", "workshop"];
/// Kinds of slot.
pub const SLOT_KINDS: &[&str] = &[
    "talk",
    "ignite",
    "open_space",
    "break",
    "registration",
    "social",
];
/// Roles of a person on a talk.
pub const ROLES: &[&str] = &["speaker", "moderator"];

/// A room.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, PartialEq, Eq)]
#[diesel(table_name = rooms)]
pub struct Room {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Name, unique in the event.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Seats.
    pub capacity: Option<i32>,
    /// Column order.
    pub position: i32,
}

/// A track.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, PartialEq, Eq)]
#[diesel(table_name = tracks)]
pub struct Track {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Order.
    pub position: i32,
}

/// A person (global: speakers keep their profile from one event to the next).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = people)]
pub struct Person {
    /// Random UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Private address (never on public pages or exports).
    #[serde(skip)]
    pub email: Option<String>,
    /// Markdown.
    pub bio: String,
    /// Photo URL.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links, one per line.
    pub social: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// A talk (keynote, ignite, panel, workshop…).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = talks)]
pub struct Talk {
    /// Random UUID: the guid schedule apps keep favourites by.
    pub id: String,
    /// Stable integer id (shared sequence with slots).
    pub number: i64,
    /// Event.
    pub event_id: String,
    /// Title.
    pub title: String,
    /// Short abstract (Markdown).
    #[diesel(column_name = abstract_)]
    pub abstract_: String,
    /// Longer description (Markdown).
    pub description: String,
    /// One of [`TALK_KINDS`].
    pub kind: String,
    /// Minutes.
    pub duration_minutes: i32,
    /// Track.
    pub track_id: Option<String>,
    /// Language code, e.g. `en`.
    pub language: String,
    /// beginner, intermediate, advanced or empty.
    pub level: String,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// confirmed or cancelled.
    pub state: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// A person on a talk.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = talk_people)]
pub struct TalkPerson {
    /// Random UUID.
    pub id: String,
    /// Talk.
    pub talk_id: String,
    /// Person.
    pub person_id: String,
    /// speaker or moderator.
    pub role: String,
    /// Order on the talk.
    pub position: i32,
}

/// A slot: a time (and room, or all rooms) with a talk or a title.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = slots)]
pub struct Slot {
    /// Random UUID (the guid of breaks in exports).
    pub id: String,
    /// Stable integer id (shared sequence with talks).
    pub number: i64,
    /// Event.
    pub event_id: String,
    /// Room; `None` spans every room (breaks, socials).
    pub room_id: Option<String>,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// One of [`SLOT_KINDS`].
    pub kind: String,
    /// The talk placed here.
    pub talk_id: Option<String>,
    /// Title when there is no talk ("Lunch").
    pub title: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// The next stable integer id. Talks and slots share one sequence, so that every entry of an
/// exported schedule (talks and breaks alike) has a distinct id.
pub fn next_number(conn: &mut AnyConnectionAlias) -> QueryResult<i64> {
    let t: Option<i64> = talks::table
        .select(diesel::dsl::max(talks::number))
        .first(conn)?;
    let s: Option<i64> = slots::table
        .select(diesel::dsl::max(slots::number))
        .first(conn)?;
    Ok(t.unwrap_or(0).max(s.unwrap_or(0)) + 1)
}

type AnyConnectionAlias = crate::db::AnyConnection;
