//! The material library: one searchable place over every event on the server (talks with
//! their slides and videos, open-space topics with their notes, buzz), and the related material
//! of a talk or topic. The full-text index is the database's own (FTS5 on SQLite, a weighted
//! `tsvector` on PostgreSQL) behind [`search::search`]; [`index`] keeps it in step.

pub mod index;
pub mod related;
pub mod search;
pub mod views;

pub use index::MaterialKind;
