//! `GET /healthz`: checks that the database answers.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::web::AppState;

/// 200 with `{"status":"ok"}` when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let result = state
        .read(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await;
    match result {
        Ok(()) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "status": "ok", "database": "ok" })),
        Err(e) => {
            tracing::error!(error = %crate::web::errors::error_chain(&e), "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "error", "database": "unavailable" }))
        }
    }
}
