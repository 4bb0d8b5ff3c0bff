//! Registrations: list (organizers and check-in volunteers), read, add (idempotent), cancel,
//! check in.

use actix_web::http::StatusCode;
use actix_web::web;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::accounts::Capability;
use crate::api::list::ListQuery;
use crate::api::repr::RegistrationOut;
use crate::api::write::{self, RegistrationIn};

list_schema!(RegistrationList => RegistrationOut);

/// Registrations in id order; `state` filters (`pending`, `confirmed`, `waiting`, `offered`,
/// `cancelled`, `expired`).
#[utoipa::path(get, path = "/api/v1/events/{slug}/registrations", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of registrations", body = RegistrationList),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not see this event's attendees", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn list(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let (event, _) = api.event_for(&slug, Capability::Desk, false).await?;
    let (w, state) = (q.window()?, q.state.clone());
    let page = api
        .state
        .read(move |conn| {
            Ok(crate::api::read::registrations(
                conn,
                &event.id,
                &w,
                state.as_deref(),
            )?)
        })
        .await?;
    Ok(respond::page(&api, page))
}

/// One registration.
#[utoipa::path(get, path = "/api/v1/events/{slug}/registrations/{id}", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The registration's UUID")),
    responses((status = 200, description = "The registration", body = RegistrationOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not see this event's attendees", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn show(api: Api, path: web::Path<(String, String)>) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, _) = api.event_for(&slug, Capability::Desk, false).await?;
    let r = api
        .state
        .read(move |conn| crate::api::read::registration(conn, &event.id, &id))
        .await?;
    Ok(respond::ok(&api, &r))
}

/// Adds someone (write scope, organizers): confirmed while there are seats, else waiting. With
/// an `Idempotency-Key`, a retried POST does not register them twice.
#[utoipa::path(post, path = "/api/v1/events/{slug}/registrations", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer")),
    request_body = RegistrationIn,
    responses((status = 201, description = "The registration", body = RegistrationOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the key was used for another request", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn add(api: Api, slug: web::Path<String>, body: web::Bytes) -> ApiResult {
    let (event, caller) = api.event_for(&slug, Capability::Organize, true).await?;
    let input: RegistrationIn = serde_json::from_slice(&body).map_err(|e| write::body_error(&e))?;
    let cx = api.context(event, &caller);
    let done = api
        .once(&caller, &body, move |conn| {
            write::add_registration(conn, &cx, &input)
        })
        .await?;
    Ok(respond::replayed(&api, StatusCode::CREATED, done))
}

/// Cancels a registration (write scope, organizers); its seat goes to the waiting list.
#[utoipa::path(post, path = "/api/v1/events/{slug}/registrations/{id}/cancel", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The registration's UUID")),
    responses((status = 200, description = "The cancelled registration", body = RegistrationOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn cancel(api: Api, path: web::Path<(String, String)>) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, caller) = api.event_for(&slug, Capability::Organize, true).await?;
    let cx = api.context(event, &caller);
    let r = api
        .state
        .write(move |conn| write::cancel_registration(conn, &cx, &id))
        .await?;
    Ok(respond::ok(&api, &r))
}

/// Checks a confirmed attendee in (write scope; check-in volunteers too). Again: no change.
#[utoipa::path(post, path = "/api/v1/events/{slug}/registrations/{id}/check-in", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The registration's UUID")),
    responses((status = 200, description = "The registration, checked in", body = RegistrationOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not use this event's desk", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not confirmed", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn check_in(api: Api, path: web::Path<(String, String)>) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, caller) = api.event_for(&slug, Capability::Desk, true).await?;
    let cx = api.context(event, &caller);
    let r = api
        .state
        .write(move |conn| write::check_in(conn, &cx, &id))
        .await?;
    Ok(respond::ok(&api, &r))
}
