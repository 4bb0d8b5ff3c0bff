//! Ghent: conference management for community events.
//!
//! The library holds everything; `main.rs` only parses the command line and calls [`cli::run`].
//! Domain modules (`events`, `accounts`, `mail`, …) know nothing of HTTP; `web` holds the thin
//! actix handlers; `startup` builds the server so that tests run the real thing on port 0.

pub mod accounts;
pub mod api;
pub mod attendee_data;
pub mod audit;
pub mod background;
pub mod buzz;
pub mod cfp;
pub mod cli;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod embedded;
pub mod error;
pub mod events;
pub mod feedback;
pub mod forms;
pub mod links;
pub mod mail;
pub mod markdown;
pub mod material;
pub mod metrics;
pub mod openspace;
pub mod outreach;
pub mod paging;
pub mod pixels;
pub mod programme;
pub mod qr;
pub mod queue;
pub mod registration;
pub mod seed;
pub mod sponsors;
pub mod startup;
pub mod telemetry;
pub mod tokens;
pub mod transfer;
pub mod urls;
pub mod values;
pub mod web;
pub mod webhooks;
