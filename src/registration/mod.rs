//! Attendee registration: the form with the organizers' questions, double opt-in, capacity and
//! a waiting list with timed offers, self-service through a private link, organizers' attendee
//! list, the check-in desk, and the purge of personal data after the event.
//!
//! Capacity is never exceeded: every change that can take or free a seat runs in a transaction
//! that first locks the event (a row lock on PostgreSQL, the write lock on SQLite), so seat
//! counts and waiting-list order are decided one registration at a time.
//!
//! Files, one concern each: [`model`] (rows, states, changesets), [`queries`] (reads),
//! [`form`] (the public form parsed into typed input), [`lifecycle`] (register, confirm, offers,
//! cancel, expire), [`notices`] (the mail each status calls for), [`attendees`] (the
//! organizers' side), [`desk`] (check-in), [`privacy`] (export, erase, purge), [`questions`],
//! [`views`] (what pages show), [`ticket`] (the `.ics`) and [`jobs`] (expiry, seats after a
//! capacity raise, the retention purge).

pub mod attendees;
pub mod desk;
pub mod form;
pub mod jobs;
pub mod lifecycle;
pub mod model;
pub mod notices;
pub mod privacy;
pub mod queries;
pub mod questions;
pub mod ticket;
pub mod views;

pub use model::{Registration, Status};
