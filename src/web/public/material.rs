//! The material library: one search over every event on the server, with filters by event,
//! kind and track, ranked, highlighted and paginated.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::AppResult;
use crate::material::views;
use crate::web::extractors::Ctx;
use crate::web::render::Page;

/// The search form (a GET form: results have a URL that can be shared).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    /// The words.
    pub q: String,
    /// An event slug.
    pub event: String,
    /// A kind.
    pub kind: String,
    /// A track name.
    pub track: String,
    /// 1-based.
    pub page: String,
}

/// `GET /material/`.
pub async fn search(ctx: Ctx, query: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let input = views::Input {
        text: q.q,
        event: q.event,
        kind: q.kind,
        track: q.track,
        page: q.page.parse().unwrap_or(1),
    };
    let data = ctx.read(move |conn| views::page(conn, &input)).await?;
    ctx.render(
        Page::new("public/material")
            .data(data)
            .title("Material library"),
    )
}
