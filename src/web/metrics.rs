//! `GET /metrics`: Prometheus text for operators. Off (404) unless `metrics_token` is set; then
//! only with `Authorization: Bearer <token>` (401 otherwise), compared in constant time.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{AppError, AppResult};
use crate::web::AppState;

/// `GET /metrics`.
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(token) = state.settings.metrics_token.clone() else {
        return Err(AppError::NotFound);
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::tokens::constant_time_eq(given.as_bytes(), token.as_bytes()) {
        return Ok(HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .finish());
    }
    let now = state.now();
    let depths = state
        .read(move |conn| Ok(crate::queue::depths(conn, now)?))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&depths, now)))
}
