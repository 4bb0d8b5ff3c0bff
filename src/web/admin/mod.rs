//! The organizers' admin under `/admin/`. Every handler takes [`AdminUser`] (401 for
//! anonymous visitors) and checks the role it needs on the event (403 otherwise); every
//! POST reads its form through [`CsrfForm`].
//!
//! [`AdminUser`]: crate::web::extractors::AdminUser
//! [`CsrfForm`]: crate::web::extractors::CsrfForm

pub mod after;
pub mod audit;
pub mod auth;
pub mod buzz;
pub mod cfp;
pub mod events;
pub mod jobs;
pub mod mail;
pub mod openspace;
pub mod programme;
pub mod registrations;
pub mod sponsors;
pub mod team;
pub mod tokens;
pub mod webhooks;

use actix_session::Session;
use actix_web::{web, HttpResponse};

use crate::error::AppResult;
use crate::events::views as view;
use crate::web::extractors::AdminUser;
use crate::web::render::Page;
use crate::web::AppState;

/// `GET /admin/`: the events this organizer works on.
pub async fn dashboard(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
) -> AppResult<HttpResponse> {
    let v = viewer.clone();
    let page = state.read(move |conn| view::dashboard(conn, &v)).await?;
    Page::new("admin/dashboard")
        .data(page)
        .viewer(&viewer)
        .title("Your events")
        .render(&state, &session)
}

/// `GET /admin`: the dashboard lives at `/admin/` (signed-in organizers only, like all of `/admin`).
pub async fn to_dashboard(_: AdminUser) -> HttpResponse {
    crate::web::render::redirect("/admin/")
}
