//! One room, track, speaker or slot: read (`GET`), create (`POST`, not speakers) and change
//! (`PATCH`, with `If-Match`), over `crate::api::parts`.

use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::{Map, Value};

use super::problem::Problem;
use super::respond;
use super::{Api, ApiResult};
use crate::accounts::Capability;
use crate::api::parts::{self, Part};
use crate::api::repr::{EventOut, RoomOut, SlotOut, SpeakerOut, TrackOut};

type OneId = web::Path<(String, String)>;

async fn show(api: Api, slug: &str, id: String, part: Part) -> ApiResult {
    let event = api.event(slug).await?;
    let (caller, cx) = (api.caller.clone(), api.context_of(event));
    let value = api
        .state
        .read(move |conn| parts::read(conn, &cx, caller.as_ref(), part, &id))
        .await?;
    Ok(respond::ok(&api, &value))
}

async fn save(api: Api, slug: &str, id: Option<String>, part: Part, body: &[u8]) -> ApiResult {
    let (event, caller) = api.event_for(slug, Capability::Organize, true).await?;
    let patch: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| crate::api::write::body_error(&e))?;
    let (cx, if_match) = (api.context(event, &caller), api.header("if-match"));
    let status = if id.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let value = api
        .state
        .write(move |conn| {
            parts::save(
                conn,
                &cx,
                &caller,
                part,
                id.as_deref(),
                &patch,
                if_match.as_deref(),
            )
        })
        .await?;
    Ok(respond::json(&api, status, &value))
}

/// Changes the event (write scope, organizers): name, description, capacity, times, contact;
/// a stale `If-Match` answers 412.
#[utoipa::path(patch, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path, description = "The event's slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
    request_body(content = Object, description = "The fields to change"),
    responses((status = 200, description = "The event, changed", body = EventOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
    security(("token" = [])))]
pub async fn update_event(api: Api, slug: web::Path<String>, body: web::Bytes) -> ApiResult {
    let id = api.event(&slug).await?.id;
    save(api, &slug, Some(id), Part::Event, &body).await
}

macro_rules! part_handlers {
    ($part:expr, $tag:literal, $out:ty, $one:literal, $list:literal, $get:ident, $patch:ident $(, $post:ident)?) => {
        #[doc = concat!("One ", $tag, " (the working copy with an organizer's token, else the latest release).")]
        #[utoipa::path(get, path = $one, tag = "programme",
            params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "Its UUID")),
            responses((status = 200, description = "It", body = $out),
                (status = 404, description = "No such thing", body = Problem, content_type = "application/problem+json")),
            security((), ("token" = [])))]
        pub async fn $get(api: Api, path: OneId) -> ApiResult {
            let (slug, id) = path.into_inner();
            show(api, &slug, id, $part).await
        }

        #[doc = concat!("Changes a ", $tag, " (write scope, organizers); a stale `If-Match` answers 412.")]
        #[utoipa::path(patch, path = $one, tag = "programme",
            params(("slug" = String, Path, description = "The event's slug"), ("id" = String, Path, description = "Its UUID"),
                ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
            request_body(content = Object, description = "The fields to change"),
            responses((status = 200, description = "It, changed", body = $out),
                (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such thing", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "It changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
            security(("token" = [])))]
        pub async fn $patch(api: Api, path: OneId, body: web::Bytes) -> ApiResult {
            let (slug, id) = path.into_inner();
            save(api, &slug, Some(id), $part, &body).await
        }

        $(
        #[doc = concat!("Creates a ", $tag, " (write scope, organizers).")]
        #[utoipa::path(post, path = $list, tag = "programme",
            params(("slug" = String, Path, description = "The event's slug")),
            request_body(content = Object, description = "Its fields"),
            responses((status = 201, description = "It", body = $out),
                (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "The token may not change this event", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json")),
            security(("token" = [])))]
        pub async fn $post(api: Api, slug: web::Path<String>, body: web::Bytes) -> ApiResult {
            save(api, &slug, None, $part, &body).await
        }
        )?
    };
}

part_handlers!(
    Part::Room,
    "room",
    RoomOut,
    "/api/v1/events/{slug}/rooms/{id}",
    "/api/v1/events/{slug}/rooms",
    room,
    update_room,
    create_room
);
part_handlers!(
    Part::Track,
    "track",
    TrackOut,
    "/api/v1/events/{slug}/tracks/{id}",
    "/api/v1/events/{slug}/tracks",
    track,
    update_track,
    create_track
);
part_handlers!(
    Part::Speaker,
    "speaker",
    SpeakerOut,
    "/api/v1/events/{slug}/speakers/{id}",
    "/api/v1/events/{slug}/speakers",
    speaker,
    update_speaker
);
part_handlers!(
    Part::Slot,
    "slot",
    SlotOut,
    "/api/v1/events/{slug}/slots/{id}",
    "/api/v1/events/{slug}/slots",
    slot,
    update_slot,
    create_slot
);
