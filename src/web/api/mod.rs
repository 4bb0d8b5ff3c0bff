//! `/api/v1/`: thin handlers over `crate::api`, their OpenAPI document (generated from the
//! handlers' `#[utoipa::path]` and the representation types, served at `/api/v1/openapi.json`),
//! problem+json errors, ETags, idempotent POSTs and per-token rate limits.
//!
//! The route table (`web::routes`) registers these handlers; a test proves that its `/api/v1`
//! routes and the document's paths are the same set.

pub mod auth;
pub mod board;
pub mod cfp;
pub mod docs;
pub mod events;
pub mod extras;
pub mod parts;
pub mod problem;
pub mod programme;
pub mod registrations;
pub mod respond;

pub use auth::Api;
pub use problem::ApiError;

/// Result of an API handler.
pub type ApiResult = Result<actix_web::HttpResponse, ApiError>;
