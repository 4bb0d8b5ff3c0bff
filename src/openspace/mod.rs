//! Open spaces: the marketplace where attendees propose topics and put dots on them, the board
//! of rooms × hours the organizers and facilitators fill (by hand or from a suggested draft), the
//! live board, and the session notes that stay as the record (for topics and for talks).
//!
//! Who may take part is a *participant*: one browser (a signed, long-lived cookie made when
//! someone enters the event's marketplace code) or one registration (through the attendee's
//! private link). No accounts.

pub mod board;
pub mod jobs;
pub mod market;
pub mod model;
pub mod notes;
pub mod participants;
pub mod privacy;
pub mod sample;
pub mod settings;
pub mod suggest;
pub mod views;

pub use model::{Access, Market, Participant, Settings, Topic, TopicState};
