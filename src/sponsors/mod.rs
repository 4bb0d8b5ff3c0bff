//! Sponsors per event: organizer-defined levels in their order, and sponsors with a logo, a
//! link and a short text, shown by level on the event home and the sponsors page and cloned
//! with the event. Logos are uploaded images ([`images`]), stored in the database so every
//! instance serves them.

pub mod images;
pub mod logos;
pub mod manage;
pub mod model;
pub mod sample;
pub mod views;
