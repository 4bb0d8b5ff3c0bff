//! Events: many per server, each with its slug, dates in its own timezone, venue, capacity and
//! the windows in which registration and the call for papers are open.
//!
//! Files: [`model`] (rows), [`queries`] (reads), [`form`] (the organizers' form, parsed),
//! [`lifecycle`] (create, edit, clone), [`visibility`] (draft, published, archived, deleted), [`next`] (the successor and the
//! settings of an event's life after it ends), [`views`] (what pages show), [`display`] (dates and
//! times in the event's timezone).

pub mod display;
pub mod form;
pub mod lifecycle;
pub mod model;
pub mod next;
pub mod queries;
pub mod views;
pub mod visibility;

pub use model::{Event, EventStatus, Venue};
