//! `GET /api/v1/events`, `GET /api/v1/events/{slug}`.

use actix_web::web;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::api::list::{page_of, ListQuery};
use crate::api::repr::EventOut;

list_schema!(EventList => EventOut);

/// Events: every published or archived one, and the drafts of the token's teams.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListQuery),
    responses((status = 200, description = "A page of events", body = EventList),
        (status = 401, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn list(api: Api, q: web::Query<ListQuery>) -> ApiResult {
    let (w, caller, base) = (q.window()?, api.caller.clone(), api.state.base_url.clone());
    let events = api
        .state
        .read(move |conn| Ok(crate::api::read::events(conn, caller.as_ref())?))
        .await?;
    let items = events.iter().map(|e| EventOut::of(e, &base)).collect();
    Ok(respond::page(&api, page_of(items, &w)))
}

/// One event.
#[utoipa::path(get, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path, description = "The event's slug")),
    responses((status = 200, description = "The event", body = EventOut),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn show(api: Api, slug: web::Path<String>) -> ApiResult {
    let e = api.event(&slug).await?;
    Ok(respond::ok(&api, &EventOut::of(&e, &api.state.base_url)))
}
