//! Attendee registration: the form with the organizers' questions, double opt-in, capacity and
//! a waiting list with timed offers, self-service through a private link, organizers' attendee
//! list, the check-in desk, and the purge of personal data after the event.
//!
//! Capacity is never exceeded: every change that can take or free a seat runs in a transaction
//! that first locks the event (a row lock on PostgreSQL, the write lock on SQLite), so seat
//! counts and waiting-list order are decided one registration at a time.

pub mod model;
pub mod questions;
pub mod service;
pub mod ticket;
pub mod views;

pub use model::{Registration, Status};
