//! Public pages: anyone may see them.

pub mod events;
pub mod health;
