//! Rows of the open-space tables and their vocabularies.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{openspace_participants, openspace_topics, openspaces, session_notes};
use crate::db::text_enum;

text_enum! {
    /// Who may propose, vote and write notes.
    pub enum Access {
        /// Anyone who enters the event's marketplace code (shown at the venue and on the board).
        Code = "code",
        /// Registered attendees only, through their private link.
        Registered = "registered",
    }
}

text_enum! {
    /// Whether the marketplace takes topics and votes.
    pub enum Market {
        /// Open between its opening and closing times.
        Scheduled = "scheduled",
        /// Opened by hand (on the day), whatever the times say.
        Open = "open",
        /// Closed by hand.
        Closed = "closed",
    }
}

text_enum! {
    /// Whether a topic is listed.
    pub enum TopicState {
        /// On the marketplace.
        Shown = "shown",
        /// Hidden by a moderator (spam, off topic): neither listed nor placed.
        Hidden = "hidden",
        /// Merged into another topic (`merged_into`), its votes moved there.
        Merged = "merged",
    }
}

text_enum! {
    /// What a notes page belongs to.
    pub enum NoteSubject {
        /// An open-space topic.
        Topic = "topic",
        /// A talk of the programme.
        Talk = "talk",
    }
}

/// An event's open-space settings (defaults when the event has no row yet).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = openspaces)]
pub struct Settings {
    /// The event.
    pub event_id: String,
    /// Who may take part.
    pub access: Access,
    /// The marketplace code (for [`Access::Code`]).
    pub code: String,
    /// Dots per participant.
    pub dots: i32,
    /// Open by its times, or by hand.
    pub market: Market,
    /// Opens (UTC) when scheduled.
    pub opens_at: Option<NaiveDateTime>,
    /// Closes (UTC) when scheduled.
    pub closes_at: Option<NaiveDateTime>,
    /// Days after the event's end that notes stay editable.
    pub notes_days: i32,
    /// The organizers' text on how open space works (Markdown); empty for the default.
    pub about: String,
    /// Bumped by every change of the board.
    pub board_version: i64,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl Settings {
    /// Whether the marketplace takes topics and votes at `now`.
    pub fn market_open(&self, now: NaiveDateTime) -> bool {
        match self.market {
            Market::Open => true,
            Market::Closed => false,
            Market::Scheduled => {
                self.opens_at.is_some_and(|o| o <= now) && self.closes_at.is_none_or(|c| now < c)
            }
        }
    }
}

/// Someone taking part: one browser or one registration.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = openspace_participants)]
pub struct Participant {
    /// Id (what the signed cookie holds).
    pub id: String,
    /// The event.
    pub event_id: String,
    /// The registration, when they came through their private link.
    pub registration_id: Option<String>,
    /// The name they gave (for topics and notes).
    pub name: String,
    /// Dots placed.
    pub dots_used: i32,
    /// First seen.
    pub created_at: NaiveDateTime,
}

/// A proposed topic.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = openspace_topics)]
pub struct Topic {
    /// Guid.
    pub id: String,
    /// Stable integer id (shared sequence with talks and slots).
    pub number: i64,
    /// The event.
    pub event_id: String,
    /// Title.
    pub title: String,
    /// A few lines.
    pub description: String,
    /// Who convenes it (the name they typed).
    pub convener_name: String,
    /// The participant who proposed it (a convener is never in two places at once).
    pub participant_id: Option<String>,
    /// Listed, hidden or merged.
    pub state: TopicState,
    /// The topic it was merged into.
    pub merged_into: Option<String>,
    /// Where it is on the board.
    pub slot_id: Option<String>,
    /// Where a suggested board would put it.
    pub draft_slot_id: Option<String>,
    /// Demo data.
    pub sample: bool,
    /// Proposed.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

/// One revision of a notes page.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = session_notes)]
pub struct NoteRevision {
    /// Id.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// Topic or talk.
    pub subject_kind: NoteSubject,
    /// The topic's or talk's id.
    pub subject_id: String,
    /// 1, 2, 3…
    pub revision: i32,
    /// Markdown.
    pub body: String,
    /// The name the editor typed (personal data).
    pub editor_name: String,
    /// Who saved it.
    pub participant_id: Option<String>,
    /// Saved.
    pub created_at: NaiveDateTime,
}
