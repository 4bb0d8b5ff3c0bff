//! Rows of the programme tables, and the fixed vocabularies of talk and slot kinds.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{people, rooms, slots, talk_people, talks, tracks};
use crate::db::text_enum;

text_enum! {
    /// Kinds of talk (also what a submission type becomes).
    pub enum TalkKind {
        /// A talk.
        Talk = "talk",
        /// A keynote.
        Keynote = "keynote",
        /// Five minutes, twenty slides.
        Ignite = "ignite",
        /// A moderated panel.
        Panel = "panel",
        /// A hands-on workshop.
        Workshop = "workshop",
    }
}

text_enum! {
    /// Whether a talk happens.
    pub enum TalkState {
        /// In the programme.
        Confirmed = "confirmed",
        /// Will not happen.
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// The audience a talk is for.
    pub enum Level {
        /// Not said.
        Unspecified = "",
        /// Newcomers.
        Beginner = "beginner",
        /// Some experience.
        Intermediate = "intermediate",
        /// Experts.
        Advanced = "advanced",
    }
}

text_enum! {
    /// Kinds of slot.
    pub enum SlotKind {
        /// A talk.
        Talk = "talk",
        /// Ignites.
        Ignite = "ignite",
        /// Open space sessions.
        OpenSpace = "open_space",
        /// A break (lunch, coffee).
        Break = "break",
        /// Registration at the door.
        Registration = "registration",
        /// A social event.
        Social = "social",
    }
}

text_enum! {
    /// What a person does on a talk.
    pub enum TalkRole {
        /// Speaks.
        Speaker = "speaker",
        /// Moderates (a panel).
        Moderator = "moderator",
    }
}

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
    /// Last change (the API's `updated_since`).
    pub updated_at: NaiveDateTime,
}

/// A track.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, PartialEq, Eq)]
#[diesel(table_name = tracks)]
pub struct Track {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Unique in the event, shown in the legend.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Order.
    pub position: i32,
    /// Last change (the API's `updated_since`).
    pub updated_at: NaiveDateTime,
}

/// A person (global: speakers keep their profile from one event to the next).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = people)]
pub struct Person {
    /// Random UUID.
    pub id: String,
    /// As shown in the programme.
    pub name: String,
    /// Private address (never on public pages or exports).
    #[serde(skip)]
    pub email: Option<String>,
    /// Markdown.
    pub bio: String,
    /// An `https://` image URL, or empty for none.
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

impl Person {
    /// A new profile with only a name and perhaps an email (a speaker signing in, a name typed
    /// in the talk form, an imported speaker); the rest is filled in later.
    pub fn bare(name: &str, email: Option<String>, now: NaiveDateTime) -> Person {
        Person {
            id: crate::db::new_id(),
            name: name.to_string(),
            email,
            bio: String::new(),
            photo_url: String::new(),
            website_url: String::new(),
            social: String::new(),
            created_at: now,
            updated_at: now,
        }
    }
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
    /// As shown in the programme.
    pub title: String,
    /// Short abstract (Markdown).
    #[diesel(column_name = abstract_)]
    pub abstract_: String,
    /// Longer description (Markdown).
    pub description: String,
    /// Talk, keynote, ignite, panel or workshop.
    pub kind: TalkKind,
    /// Minutes.
    pub duration_minutes: i32,
    /// Track.
    pub track_id: Option<String>,
    /// Language code, e.g. `en`.
    pub language: String,
    /// Audience level.
    pub level: Level,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// Whether it happens.
    pub state: TalkState,
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
    /// Speaker or moderator.
    pub role: TalkRole,
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
    /// What happens in the slot: a talk, ignites, open space, a break…
    pub kind: SlotKind,
    /// The talk placed here.
    pub talk_id: Option<String>,
    /// Title when there is no talk ("Lunch").
    pub title: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}

/// The editable part of a room.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = rooms, treat_none_as_null = true)]
pub struct RoomFields {
    /// Unique in the event.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Seats.
    pub capacity: Option<i32>,
}

/// The editable part of a track.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = tracks)]
pub struct TrackFields {
    /// Unique in the event.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// The editable part of a person (a speaker's profile).
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = people, treat_none_as_null = true)]
pub struct PersonFields {
    /// As shown in the programme.
    pub name: String,
    /// Private address.
    pub email: Option<String>,
    /// Markdown bio.
    pub bio: String,
    /// An `https://` image URL, or empty.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links, one per line.
    pub social: String,
}

/// The editable part of a talk.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = talks, treat_none_as_null = true)]
pub struct TalkFields {
    /// As shown in the programme.
    pub title: String,
    /// Short abstract (Markdown).
    #[diesel(column_name = abstract_)]
    pub abstract_: String,
    /// Longer description (Markdown).
    pub description: String,
    /// Talk, keynote, ignite, panel or workshop.
    pub kind: TalkKind,
    /// Minutes.
    pub duration_minutes: i32,
    /// Track.
    pub track_id: Option<String>,
    /// Language code.
    pub language: String,
    /// Audience level.
    pub level: Level,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// Whether it happens.
    pub state: TalkState,
}

/// The editable part of a slot.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = slots, treat_none_as_null = true)]
pub struct SlotFields {
    /// Room; `None` spans every room.
    pub room_id: Option<String>,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// What happens in the slot.
    pub kind: SlotKind,
    /// The talk placed here.
    pub talk_id: Option<String>,
    /// Title when there is no talk.
    pub title: String,
}

/// The next stable integer id. Talks, slots and open-space topics share one sequence, so that
/// every entry of an exported schedule (talks, breaks and topics alike) has a distinct id.
pub fn next_number(conn: &mut AnyConnectionAlias) -> QueryResult<i64> {
    let t: Option<i64> = talks::table
        .select(diesel::dsl::max(talks::number))
        .first(conn)?;
    let s: Option<i64> = slots::table
        .select(diesel::dsl::max(slots::number))
        .first(conn)?;
    let o: Option<i64> = crate::db::schema::openspace_topics::table
        .select(diesel::dsl::max(
            crate::db::schema::openspace_topics::number,
        ))
        .first(conn)?;
    Ok(t.unwrap_or(0).max(s.unwrap_or(0)).max(o.unwrap_or(0)) + 1)
}

type AnyConnectionAlias = crate::db::AnyConnection;
