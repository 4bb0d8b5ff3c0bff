//! The programme: rooms, tracks, speakers, talks, slots and releases. Without a token (or with
//! one that cannot organize the event) the latest release; with an organizer's token the
//! working copy. Talks can be changed (`PATCH`, with `If-Match`) and the programme released.

use actix_web::http::StatusCode;
use actix_web::web;

use super::problem::Problem;
use super::respond::{self, list_schema};
use super::{Api, ApiResult};
use crate::accounts::Capability;
use crate::api::list::{ListQuery, Window};
use crate::api::read::{self, Programme};
use crate::api::repr::{ReleaseOut, RoomOut, SlotOut, SpeakerOut, TalkOut, TrackOut};
use crate::api::write::{self, ReleaseIn, TalkPatch};
use crate::events::Event;

list_schema!(RoomList => RoomOut, TrackList => TrackOut, SpeakerList => SpeakerOut,
    TalkList => TalkOut, SlotList => SlotOut, ReleaseList => ReleaseOut);

/// Loads the caller's programme of the event and answers `f` of it.
async fn with_programme<T: serde::Serialize + Send + 'static>(
    api: &Api,
    slug: &str,
    q: &ListQuery,
    f: impl FnOnce(&Programme, &Event, &Window) -> crate::error::AppResult<T> + Send + 'static,
) -> Result<T, super::ApiError> {
    let event = api.event(slug).await?;
    let (w, caller, base) = (q.window()?, api.caller.clone(), api.state.base_url.clone());
    Ok(api
        .state
        .read(move |conn| {
            let p = Programme::load(conn, caller.as_ref(), &event, &base)?;
            f(&p, &event, &w)
        })
        .await?)
}

/// Rooms.
#[utoipa::path(get, path = "/api/v1/events/{slug}/rooms", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of rooms", body = RoomList),
        (status = 404, description = "No such event, or no release yet", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn rooms(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let page = with_programme(&api, &slug, &q, |p, _, w| Ok(p.rooms(w))).await?;
    Ok(respond::page(&api, page))
}

/// Tracks.
#[utoipa::path(get, path = "/api/v1/events/{slug}/tracks", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of tracks", body = TrackList),
        (status = 404, description = "No such event, or no release yet", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn tracks(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let page = with_programme(&api, &slug, &q, |p, _, w| Ok(p.tracks(w))).await?;
    Ok(respond::page(&api, page))
}

/// Speakers of the programme's talks (public profiles, no addresses).
#[utoipa::path(get, path = "/api/v1/events/{slug}/speakers", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of speakers", body = SpeakerList),
        (status = 404, description = "No such event, or no release yet", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn speakers(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let page = with_programme(&api, &slug, &q, |p, _, w| Ok(p.speakers(w))).await?;
    Ok(respond::page(&api, page))
}

/// Talks; `track` and `day` filter them.
#[utoipa::path(get, path = "/api/v1/events/{slug}/talks", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of talks", body = TalkList),
        (status = 404, description = "No such event, or no release yet", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn talks(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let (track, day) = (q.track.clone(), q.day);
    let page = with_programme(&api, &slug, &q, move |p, e, w| {
        Ok(p.talks(e, w, track.as_deref(), day))
    })
    .await?;
    Ok(respond::page(&api, page))
}

/// Slots; `day` filters.
#[utoipa::path(get, path = "/api/v1/events/{slug}/slots", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ListQuery),
    responses((status = 200, description = "A page of slots", body = SlotList),
        (status = 404, description = "No such event, or no release yet", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn slots(api: Api, slug: web::Path<String>, q: web::Query<ListQuery>) -> ApiResult {
    let day = q.day;
    let page = with_programme(&api, &slug, &q, move |p, e, w| Ok(p.slots(e, w, day))).await?;
    Ok(respond::page(&api, page))
}

/// One talk. Its `ETag` is what `If-Match` of a `PATCH` compares.
#[utoipa::path(get, path = "/api/v1/events/{slug}/talks/{id}", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The talk's UUID")),
    responses((status = 200, description = "The talk", body = TalkOut),
        (status = 404, description = "No such talk", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn talk(api: Api, path: web::Path<(String, String)>) -> ApiResult {
    let (slug, id) = path.into_inner();
    let t = with_programme(&api, &slug, &ListQuery::default(), move |p, e, _| {
        p.talk(e, &id)
    })
    .await?;
    Ok(respond::ok(&api, &t))
}

/// Changes a talk (write scope, organizers). Send `If-Match` with the ETag you read: a talk
/// changed since answers 412 and stays as it is.
#[utoipa::path(patch, path = "/api/v1/events/{slug}/talks/{id}", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "The talk's UUID"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body = TalkPatch,
    responses((status = 200, description = "The changed talk", body = TalkOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The talk changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn update_talk(
    api: Api,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> ApiResult {
    let (slug, id) = path.into_inner();
    let (event, caller) = api.event_for(&slug, Capability::Organize, true).await?;
    let patch: TalkPatch = serde_json::from_slice(&body).map_err(|e| write::body_error(&e))?;
    let (cx, if_match) = (api.context(event, &caller), api.header("if-match"));
    let t = api
        .state
        .write(move |conn| write::update_talk(conn, &cx, &caller, &id, &patch, if_match.as_deref()))
        .await?;
    Ok(respond::ok(&api, &t))
}

/// Releases, newest first (public).
#[utoipa::path(get, path = "/api/v1/events/{slug}/releases", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug")),
    responses((status = 200, description = "Every release", body = ReleaseList),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json")),
    security((), ("token" = [])))]
pub async fn releases(api: Api, slug: web::Path<String>) -> ApiResult {
    let event = api.event(&slug).await?;
    let data = api
        .state
        .read(move |conn| read::releases(conn, &event.id))
        .await?;
    Ok(respond::page(
        &api,
        crate::api::list::Page {
            data,
            next_cursor: None,
        },
    ))
}

/// Releases the working copy (write scope, organizers): speakers of changed talks are mailed
/// and `schedule.released` webhooks sent, as from the admin.
#[utoipa::path(post, path = "/api/v1/events/{slug}/releases", tag = "programme",
    params(("slug" = String, Path, description = "The event's slug"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key and body get the first answer")),
    request_body = ReleaseIn,
    responses((status = 201, description = "The new release", body = ReleaseOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing changed since the last release", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn release(api: Api, slug: web::Path<String>, body: web::Bytes) -> ApiResult {
    let (event, caller) = api.event_for(&slug, Capability::Organize, true).await?;
    let input: ReleaseIn = if body.is_empty() {
        ReleaseIn::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| write::body_error(&e))?
    };
    let cx = api.context(event, &caller);
    let done = api
        .once(&caller, &body, move |conn| {
            write::release(conn, &cx, &input)
        })
        .await?;
    Ok(respond::replayed(&api, StatusCode::CREATED, done))
}
