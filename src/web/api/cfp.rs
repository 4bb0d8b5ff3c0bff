//! Proposals and their reviews (reviewers and organizers), and decisions (organizers).

use actix_web::web;
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::accounts::Capability;
use crate::api::list::ListQuery;
use crate::api::repr::{ProposalOut, ReviewOut};
use crate::api::write::{self, DecisionIn};

list_schema!(ProposalList => ProposalOut);

/// A proposal with its reviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalWithReviews {
    /// The proposal.
    pub proposal: ProposalOut,
    /// Its reviews.
    pub reviews: Vec<ReviewOut>,
}

/// Proposals in id order; `state` and `track` filter.
#[utoipa::path(get, path = "/api/v1/events/{slug}/proposals", tag = "cfp",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of proposals", body = ProposalList),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not review this event", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn proposals(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let (event, _) = api.event_for(&slug, Capability::Review, false).await?;
    let (w, state, track) = (q.window()?, q.state.clone(), q.track.clone());
    let page = api
        .state
        .read(move |conn| {
            Ok(crate::api::read::proposals(
                conn,
                &event.id,
                &w,
                state.as_deref(),
                track.as_deref(),
            )?)
        })
        .await?;
    Ok(respond::page(&api, page))
}

/// One proposal with its reviews.
#[utoipa::path(get, path = "/api/v1/events/{slug}/proposals/{id}", tag = "cfp",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The proposal's UUID")),
    responses((status = 200, description = "The proposal", body = ProposalWithReviews),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not review this event", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn proposal(api: Api, path: web::Path<(String, String)>) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, _) = api.event_for(&slug, Capability::Review, false).await?;
    let (proposal, reviews) = api
        .state
        .read(move |conn| crate::api::read::proposal(conn, &event.id, &id))
        .await?;
    Ok(respond::ok(
        &api,
        &ProposalWithReviews { proposal, reviews },
    ))
}

/// Accepts or rejects a proposal (write scope, organizers); the speakers are mailed.
#[utoipa::path(post, path = "/api/v1/events/{slug}/proposals/{id}/decision", tag = "cfp",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The proposal's UUID")),
    request_body = DecisionIn,
    responses((status = 200, description = "The decided proposal", body = ProposalOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The proposal cannot be decided now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid decision", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn decide(api: Api, path: web::Path<(String, String)>, body: web::Bytes) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, caller) = api.event_for(&slug, Capability::Organize, true).await?;
    let input: DecisionIn = serde_json::from_slice(&body).map_err(|e| write::body_error(&e))?;
    let cx = api.context(event, &caller);
    let p = api
        .state
        .write(move |conn| write::decide(conn, &cx, &id, &input))
        .await?;
    Ok(respond::ok(&api, &p))
}
