//! `GET /api/v1/events/{slug}/openspace/topics`: the live open-space board (public).

use actix_web::web;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::api::list::ListQuery;
use crate::api::repr::TopicOut;

list_schema!(TopicList => TopicOut);

/// The topics on the open-space board, placed or not (hidden and merged ones are not listed).
#[utoipa::path(get, path = "/api/v1/events/{slug}/openspace/topics", tag = "openspace",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of topics", body = TopicList),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn topics(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let event = api.event(&slug).await?;
    let w = q.window()?;
    let page = api
        .state
        .read(move |conn| Ok(crate::api::read::topics(conn, &event.id, &w)?))
        .await?;
    Ok(respond::page(&api, page))
}
