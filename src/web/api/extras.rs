//! The registration form's questions (organizers), and the published buzz and sponsors (public).

use actix_web::web;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::accounts::Capability;
use crate::api::list::ListQuery;
use crate::api::read;
use crate::api::repr::{BuzzOut, QuestionOut, SponsorOut};

list_schema!(QuestionList => QuestionOut, BuzzList => BuzzOut, SponsorList => SponsorOut);

/// The registration form's questions, in the form's order.
#[utoipa::path(get, path = "/api/v1/events/{slug}/questions", tag = "registrations",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of questions", body = QuestionList),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not organize this event", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn questions(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let (event, _) = api.event_for(&slug, Capability::Organize, false).await?;
    let w = q.window()?;
    let page = api
        .state
        .read(move |conn| Ok(read::questions(conn, &event.id, &w)?))
        .await?;
    Ok(respond::page(&api, page))
}

/// Published buzz about the event: posts, reports, videos, photos.
#[utoipa::path(get, path = "/api/v1/events/{slug}/buzz", tag = "events",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of buzz", body = BuzzList),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn buzz(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let event = api.event(&slug).await?;
    let w = q.window()?;
    let page = api
        .state
        .read(move |conn| Ok(read::buzz(conn, &event.id, &w)?))
        .await?;
    Ok(respond::page(&api, page))
}

/// The event's sponsors.
#[utoipa::path(get, path = "/api/v1/events/{slug}/sponsors", tag = "events",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of sponsors", body = SponsorList),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn sponsors(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let event = api.event(&slug).await?;
    let w = q.window()?;
    let page = api
        .state
        .read(move |conn| Ok(read::sponsors(conn, &event.id, &w)?))
        .await?;
    Ok(respond::page(&api, page))
}
