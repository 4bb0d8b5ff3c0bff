//! Events: many per server, each with its slug, dates in its own timezone, venue, capacity and
//! the windows in which registration and the call for papers are open.

pub mod display;
pub mod model;
pub mod queries;
pub mod service;
pub mod view;

pub use model::{Event, Venue};
