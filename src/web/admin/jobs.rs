//! Background jobs, for site administrators: what ran, what failed, what is dead.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::events::display;
use crate::queue::{self as jobs, JobStatus};
use crate::web::extractors::{AdminUser, CsrfForm, NoFields};
use crate::web::render::{flash, redirect, Page};
use crate::web::AppState;

/// Filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    /// Show only jobs in this status; empty for all.
    pub status: String,
}

#[derive(Serialize)]
struct Row {
    id: String,
    kind: String,
    status: JobStatus,
    due: String,
    attempts: i32,
    max_attempts: i32,
    last_error: Option<String>,
    runner: Option<String>,
}

impl From<jobs::Item> for Row {
    fn from(j: jobs::Item) -> Self {
        Row {
            due: display::short_datetime(j.due_at, chrono_tz::Tz::UTC),
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            runner: j.claimed_by,
        }
    }
}

/// `GET /admin/jobs`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    query: web::Query<JobsQuery>,
) -> AppResult<HttpResponse> {
    if !viewer.organizer.is_site_admin {
        return Err(AppError::Forbidden);
    }
    let status = JobStatus::parse(&query.status);
    let rows = state
        .read(move |conn| Ok(jobs::list(conn, status, 300)?))
        .await?;
    let rows: Vec<Row> = rows.into_iter().map(Row::from).collect();
    Page::new("admin/jobs")
        .data(json!({ "rows": rows, "status": status.map(|s| s.as_str()).unwrap_or_default(), "statuses": JobStatus::ALL }))
        .viewer(&viewer)
        .title("Background jobs")
        .render(&state, &session)
}

/// `POST /admin/jobs/{id}/retry`.
pub async fn retry(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    id: web::Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    if !viewer.organizer.is_site_admin {
        return Err(AppError::Forbidden);
    }
    let now = state.now();
    let id = id.into_inner();
    let n = state
        .write(move |conn| Ok(jobs::retry(conn, &id, now)?))
        .await?;
    flash(
        &session,
        if n == 1 {
            "The job is queued again."
        } else {
            "Only dead jobs can be retried."
        },
    );
    Ok(redirect(&crate::urls::admin::jobs()))
}
