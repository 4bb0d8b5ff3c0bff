//! The programme: rooms, tracks, speakers, talks and slots that organizers edit, and the
//! schedule releases that make a version public. Public pages and exports are built from the
//! latest release's [`snapshot`] only, never from the tables being edited.

pub mod conflicts;
pub mod export;
pub mod grid;
pub mod import;
pub mod model;
pub mod release;
pub mod service;
pub mod snapshot;
pub mod video;
pub mod views;

pub use model::{Person, Room, Slot, Talk, Track};
pub use snapshot::Snapshot;
