//! Organizer accounts: password hashing, login with rate limiting, sessions that logout really
//! ends, roles per event, and the event team that an owner manages.

pub mod jobs;
pub mod model;
pub mod password;
pub mod service;

pub use model::{Actor, Can, Capability, Organizer, Role, Viewer};
