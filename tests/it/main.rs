//! Ghent's integration tests: one binary, each test on its own real server (port 0) and its
//! own fresh database (SQLite by default; PostgreSQL when TEST_DATABASE_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod accounts;
mod after_event;
mod after_event_browser;
mod api;
mod browser;
mod cfp;
mod cli;
mod credentials;
mod editor;
mod events;
mod mail;
mod migrations;
mod openspace;
mod programme;
mod queue;
mod recovery;
mod registration;
mod robustness;
mod webhooks;
