//! The public programme: the grid, talk and speaker pages, the changelog and the exports, all
//! served from the release cache.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::web::programme_cache::respond;
use crate::web::AppState;

async fn serve(
    state: &AppState,
    req: &HttpRequest,
    slug: &str,
    key: &str,
) -> AppResult<HttpResponse> {
    let programme = state.programme_cache.get(state, slug).await?;
    if programme.draft {
        crate::web::extractors::team_only(state, req, &programme.event_id).await?;
    }
    let page = programme.page(key).ok_or(AppError::NotFound)?;
    Ok(respond(req, page))
}

/// Grid filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GridQuery {
    /// Track id.
    pub track: String,
}

/// `GET /{slug}/programme/` (optionally `?track=<id>`).
pub async fn grid(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<GridQuery>,
) -> AppResult<HttpResponse> {
    let key = if query.track.is_empty() {
        "grid".to_string()
    } else {
        format!("grid?track={}", query.track)
    };
    serve(&state, &req, &slug, &key).await
}

/// Presentations filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PresentationsQuery {
    /// `YYYY-MM-DD` (local).
    pub day: String,
    /// Track id.
    pub track: String,
}

/// `GET /{slug}/presentations/` (optionally `?day=` or `?track=`).
pub async fn presentations(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<PresentationsQuery>,
) -> AppResult<HttpResponse> {
    let key = match (query.day.as_str(), query.track.as_str()) {
        ("", "") => "presentations".to_string(),
        (day, "") => format!("presentations?day={day}"),
        (_, track) => format!("presentations?track={track}"),
    };
    serve(&state, &req, &slug, &key).await
}

/// `GET /{slug}/programme/changes/`.
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    serve(&state, &req, &slug, "changes").await
}

/// `GET /{slug}/talks/{id}/`.
pub async fn talk(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    serve(&state, &req, &slug, &format!("talk/{id}")).await
}

/// `GET /{slug}/talks/{id}/talk.ics`.
pub async fn talk_ics(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    serve(&state, &req, &slug, &format!("talk/{id}.ics")).await
}

/// `GET /{slug}/speakers/`.
pub async fn speakers(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    serve(&state, &req, &slug, "speakers").await
}

/// `GET /{slug}/speakers/{id}/`.
pub async fn speaker(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    serve(&state, &req, &slug, &format!("speaker/{id}")).await
}

/// The query of `agenda.ics`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AgendaQuery {
    /// Talk ids, comma-separated.
    pub talks: String,
}

/// Most talks one agenda asks for; more are ignored (a whole programme is schedule.ics).
const AGENDA_MAX: usize = 300;

/// `GET /{slug}/programme/agenda.ics?talks=<id>,<id>…`: a personal agenda that needs no
/// account. The programme page's star buttons keep the choice in the browser and build this link.
pub async fn agenda(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<AgendaQuery>,
) -> AppResult<HttpResponse> {
    let programme = state.programme_cache.get(&state, &slug).await?;
    if programme.draft {
        crate::web::extractors::team_only(&state, &req, &programme.event_id).await?;
    }
    let ids: Vec<&str> = query
        .talks
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .take(AGENDA_MAX)
        .collect();
    Ok(respond(&req, &programme.agenda_ics(&state.base_url, &ids)))
}

/// `GET /{slug}/programme/{file}`: schedule.xml, schedule.json, schedule.ics, programme.json.
pub async fn export(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, file) = path.into_inner();
    if ![
        "schedule.xml",
        "schedule.json",
        "schedule.ics",
        "programme.json",
        "tracks.css",
    ]
    .contains(&file.as_str())
    {
        return Err(AppError::NotFound);
    }
    serve(&state, &req, &slug, &file).await
}
