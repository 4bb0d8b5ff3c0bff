//! The HTTP layer: thin handlers that parse, authorize, call one domain function and render.
//! Everything here may use actix; nothing below `web` does.

pub mod admin;
pub mod api;
pub mod assets;
pub mod errors;
pub mod extractors;
pub mod metrics;
pub mod programme_cache;
pub mod public;
pub mod rate_limit;
pub mod render;
pub mod routes;
pub mod security;
pub mod state;
pub mod upload;

pub use state::AppState;
