//! Successful answers: JSON with a strong `ETag` (304 for a matching `If-None-Match`), lists
//! with their `next` link, and stored answers of idempotent POSTs.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use super::Api;
use crate::api::etag;
use crate::api::idempotency::{Replay, Stored};
use crate::api::list::{Links, Page};
use crate::web::render::Rendered;

/// A list's body: its items and the link to the next page.
#[derive(Debug, Serialize)]
pub struct ListBody<T> {
    /// The items.
    pub data: Vec<T>,
    /// Links.
    pub links: Links,
}

/// Declares the schema of a list of `$item` (utoipa needs a concrete type per list).
macro_rules! list_schema {
    ($($name:ident => $item:ty),* $(,)?) => {$(
        /// A page of the list, with the link to the next.
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items, by id.
            pub data: Vec<$item>,
            /// The next page.
            pub links: crate::api::list::Links,
        }
    )*};
}
pub(crate) use list_schema;

/// `value` as JSON with its strong ETag (the hash of these very bytes, so an update's
/// `If-Match` can be checked against a fresh read of the same representation); a GET whose
/// `If-None-Match` matches gets 304.
pub fn json<T: Serialize>(api: &Api, status: StatusCode, value: &T) -> HttpResponse {
    let body = etag::canonical(value);
    let tag = etag::of_bytes(&body);
    if status == StatusCode::OK
        && api
            .header("if-none-match")
            .is_some_and(|h| etag::matches(&h, &tag))
    {
        let mut r = HttpResponse::NotModified()
            .insert_header(("ETag", tag))
            .finish();
        r.extensions_mut().insert(Rendered);
        return r;
    }
    let mut r = HttpResponse::build(status)
        .content_type("application/json")
        .insert_header(("ETag", tag))
        .insert_header(("Cache-Control", "private, no-cache"))
        .insert_header(("Vary", "Authorization"))
        .body(body);
    r.extensions_mut().insert(Rendered);
    r
}

/// 200 with `value`.
pub fn ok<T: Serialize>(api: &Api, value: &T) -> HttpResponse {
    json(api, StatusCode::OK, value)
}

/// A page of a list, with the `next` link (this request's address with the next cursor).
pub fn page<T: Serialize>(api: &Api, page: Page<T>) -> HttpResponse {
    let next = page.next_cursor.map(|c| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(api.req.query_string().as_bytes()) {
            if k != "cursor" {
                query.append_pair(&k, &v);
            }
        }
        query.append_pair("cursor", &c);
        format!(
            "{}{}?{}",
            api.state.base_url,
            api.req.path(),
            query.finish()
        )
    });
    ok(
        api,
        &ListBody {
            data: page.data,
            links: Links { next },
        },
    )
}

/// The answer of an idempotent POST: the stored one for a retry, else `value` with `status`.
pub fn replayed<T: Serialize>(api: &Api, status: StatusCode, replay: Replay<T>) -> HttpResponse {
    match replay {
        Replay::Fresh(value) => json(api, status, &value),
        Replay::Stored(Stored { status, body }) => {
            let mut r = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body);
            r.extensions_mut().insert(Rendered);
            r
        }
    }
}
