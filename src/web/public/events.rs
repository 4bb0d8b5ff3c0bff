//! The front page and each event's home page.

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::error::AppResult;
use crate::events::views as view;
use crate::web::extractors::PublicEvent;
use crate::web::render::{redirect, Page};
use crate::web::AppState;

/// `GET /`: upcoming and past events.
pub async fn index(state: web::Data<AppState>, session: Session) -> AppResult<HttpResponse> {
    let now = state.now();
    let page = state.read(move |conn| view::index(conn, now)).await?;
    Page::new("public/index")
        .data(page)
        .title("Events")
        .render(&state, &session)
}

/// `GET /{slug}/`: an event's home page (a draft's for its team only).
pub async fn home(visit: PublicEvent) -> AppResult<HttpResponse> {
    let page = visit
        .read(|conn, cx| view::event_page(conn, &cx.event.slug, cx.now))
        .await?;
    let title = page.name.clone();
    visit.render(Page::new("public/event").data(page).title(title))
}

/// `GET /{slug}`: the home page lives at `/{slug}/`.
pub async fn home_without_slash(slug: web::Path<String>) -> HttpResponse {
    let slug = slug.into_inner();
    if crate::values::Slug::parse(&slug).is_err() {
        return HttpResponse::NotFound().finish();
    }
    let mut response = redirect(&crate::urls::event(&slug));
    *response.status_mut() = actix_web::http::StatusCode::PERMANENT_REDIRECT;
    response
}
