//! The OpenAPI 3.1 document (`/api/v1/openapi.json`), generated from the handlers' annotations
//! and the representation types, and a page for people (`/api/v1/docs`) rendered by Ghent from
//! that same document: no script, no CDN, Ghent's own styles.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{board, cfp, events, extras, parts, programme, registrations};
use crate::web::extractors::Ctx;
use crate::web::render::Page;

/// The bearer token scheme.
struct TokenScheme;

impl Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token made in the admin (Your API tokens) or with `ghent api-token create`: `Authorization: Bearer ghent_…`"))
                    .build(),
            ),
        );
    }
}

/// The API's document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Ghent API", version = "1.0.0",
        description = "Ghent's REST API: events, their programme, call for papers, registrations and open-space board. Lists are paged with cursors (follow `links.next`); every list takes `updated_since`. Reads carry an `ETag` (send `If-None-Match`); updates take `If-Match`; POSTs take `Idempotency-Key`. Errors are RFC 9457 problem details. Each token has a rate limit, announced in `RateLimit` and `RateLimit-Policy` headers. Times are RFC 3339 in UTC; each event gives its timezone."),
    paths(
        events::list, events::show, parts::update_event,
        programme::rooms, programme::tracks, programme::speakers, programme::talks,
        parts::room, parts::update_room, parts::create_room,
        parts::track, parts::update_track, parts::create_track,
        parts::speaker, parts::update_speaker,
        parts::slot, parts::update_slot, parts::create_slot,
        programme::talk, programme::update_talk, programme::slots, programme::releases, programme::release,
        cfp::proposals, cfp::proposal, cfp::decide,
        registrations::list, registrations::add, registrations::show, registrations::cancel, registrations::check_in,
        board::topics, extras::questions, extras::buzz, extras::sponsors,
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "events", description = "Events"),
        (name = "programme", description = "Rooms, tracks, speakers, talks, slots and releases"),
        (name = "cfp", description = "Proposals, reviews and decisions"),
        (name = "registrations", description = "Attendees"),
        (name = "openspace", description = "The open-space board"),
    )
)]
pub struct ApiDoc;

/// The document as JSON, built once per process (it is fixed at compile time).
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> HttpResponse {
    static BODY: OnceLock<String> = OnceLock::new();
    let body = BODY.get_or_init(|| document().to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(body.as_str())
}

/// `GET /api/v1/docs`: the document for people (its data built once, like the document).
pub async fn page(ctx: Ctx) -> crate::error::AppResult<HttpResponse> {
    static VIEW: OnceLock<Value> = OnceLock::new();
    let data = VIEW.get_or_init(|| view(document()));
    ctx.render(Page::new("public/api_docs").data(data).title("Ghent API"))
}

/// The page's data: operations by tag, with parameters, body and answers.
fn view(doc: &Value) -> Value {
    let schema_name = |v: &Value| -> String {
        v.pointer("/content/application~1json/schema/$ref")
            .or_else(|| v.pointer("/content/application~1problem+json/schema/$ref"))
            .and_then(Value::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
            .unwrap_or_default()
    };
    let mut ops = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let params: Vec<Value> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| json!({ "name": p["name"], "in": p["in"], "description": p["description"], "required": p["required"] }))
                    .collect();
                let responses: Vec<Value> = op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, r)| json!({ "code": code, "description": r["description"], "schema": schema_name(r) }))
                    .collect();
                let public = op["security"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|x| x.as_object().is_some_and(|o| o.is_empty()))
                });
                ops.push(json!({
                    "method": method.to_uppercase(),
                    "path": path,
                    "tag": op["tags"][0],
                    "summary": op["summary"],
                    "description": op["description"],
                    "params": params,
                    "body": op.pointer("/requestBody").map(&schema_name),
                    "responses": responses,
                    "public": public,
                    "anchor": format!("{method}-{path}").replace(['/', '{', '}'], "-"),
                }));
            }
        }
    }
    let schemas: Vec<Value> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            let props: Vec<Value> = s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(p, v)| json!({ "name": p, "type": type_of(v), "description": v["description"] }))
                .collect();
            json!({ "name": name, "description": s["description"], "properties": props })
        })
        .collect();
    json!({ "info": doc["info"], "operations": ops, "schemas": schemas })
}

fn type_of(v: &Value) -> String {
    if let Some(r) = v["$ref"].as_str() {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    match &v["type"] {
        Value::String(s) if s == "array" => format!("array of {}", type_of(&v["items"])),
        Value::String(s) => match v["format"].as_str() {
            Some(f) => format!("{s} ({f})"),
            None => s.clone(),
        },
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => v["oneOf"]
            .as_array()
            .map(|alts| alts.iter().map(type_of).collect::<Vec<_>>().join(" or "))
            .unwrap_or_else(|| "object".into()),
    }
}
