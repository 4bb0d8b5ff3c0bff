//! The REST API's domain side (`/api/v1/`; the handlers are in `web::api`): tokens and what
//! they may do, the representations sent (which the OpenAPI document is generated from), lists
//! with cursors, ETags, idempotent POSTs, and the reads and writes themselves.

pub mod etag;
pub mod idempotency;
pub mod list;
pub mod parts;
pub mod read;
pub mod repr;
pub mod tokens;
pub mod write;
