//! The programme: rooms, tracks, speakers, talks and slots that organizers edit, and the
//! schedule releases that make a version public. Public pages and exports are built from the
//! latest release's [`snapshot`] only, never from the tables being edited.
//!
//! Editing, one concern per file: [`rooms`], [`tracks`], [`people`], [`talks`], [`slots`], with
//! the reads they share in [`queries`]; [`conflicts`] and [`release`] before and at release;
//! [`snapshot`], [`grid`], [`export`] and [`views`] for what is shown; [`import`] moves a frab
//! schedule in.

pub mod availability;
pub mod conflicts;
pub mod export;
pub mod grid;
pub mod import;
pub mod material;
pub mod model;
pub mod people;
pub mod queries;
pub mod release;
pub mod rooms;
pub mod slots;
pub mod snapshot;
pub mod talks;
pub mod tracks;
pub mod video;
pub mod views;

pub use model::{Person, Room, Slot, Talk, Track};
pub use snapshot::Snapshot;
