//! Unsubscribing from an event's bulk mail through the signed link in every bulk message.
//!
//! The POST is exempt from the CSRF check on purpose: the signed token in the URL is the
//! authorization, and RFC 8058 one-click unsubscribes are POSTed by mail providers, which have
//! no session. Unsubscribing is the only thing it can do.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::events::queries;
use crate::mail::unsubscribe;
use crate::web::render::Page;
use crate::web::AppState;

fn verified(state: &AppState, token: &str) -> AppResult<(String, String)> {
    unsubscribe::verify(state.mailer.secret(), token).ok_or(AppError::NotFound)
}

/// `GET /unsubscribe/{token}`: asks to confirm (a GET must not change anything: link
/// scanners open links).
pub async fn confirm(
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let (event_id, email) = verified(&state, &token)?;
    let event = state
        .read(move |conn| Ok(queries::by_id(conn, &event_id)?))
        .await?;
    Page::new("public/unsubscribe")
        .data(json!({ "token": token, "email": email, "event_name": event.name, "done": false }))
        .title("Unsubscribe")
        .render(&state, &session)
}

/// `POST /unsubscribe/{token}`: unsubscribes (also as an RFC 8058 one-click POST).
pub async fn unsubscribe(
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (event_id, email) = verified(&state, &token.into_inner())?;
    let now = state.now();
    let e = email.clone();
    let event = state
        .write(move |conn| {
            unsubscribe::unsubscribe(conn, now, &event_id, &e)?;
            Ok(queries::by_id(conn, &event_id)?)
        })
        .await?;
    Page::new("public/unsubscribe")
        .data(json!({ "email": email, "event_name": event.name, "done": true }))
        .title("Unsubscribed")
        .render(&state, &session)
}
