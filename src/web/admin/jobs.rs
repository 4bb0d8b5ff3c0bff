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
    /// Show only jobs of this kind; empty for all.
    pub kind: String,
}

/// One kind's line of the queue summary.
#[derive(Serialize)]
struct Depth {
    kind: String,
    waiting: i64,
    due: i64,
    running: i64,
    dead: i64,
    oldest_due: Option<String>,
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

/// `GET /admin/jobs`: the queue by kind (depth, the oldest due item, dead items), the
/// instances working it, and the newest items.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    query: web::Query<JobsQuery>,
) -> AppResult<HttpResponse> {
    if !viewer.organizer.is_site_admin {
        return Err(AppError::Forbidden);
    }
    let (status, kind) = (
        JobStatus::parse(&query.status),
        query.kind.trim().to_string(),
    );
    let (now, timeout) = (
        state.now(),
        chrono::Duration::seconds(state.settings.queue_worker_timeout_seconds as i64),
    );
    let shown = (!kind.is_empty()).then(|| kind.clone());
    let (rows, depths, workers) = state
        .read(move |conn| {
            let rows = jobs::list(conn, status, shown.as_deref(), 300)?;
            Ok((
                rows,
                jobs::depths(conn, now)?,
                jobs::workers::list(conn, timeout)?,
            ))
        })
        .await?;
    let rows: Vec<Row> = rows.into_iter().map(Row::from).collect();
    let depths: Vec<Depth> = depths.into_iter().map(Depth::from).collect();
    Page::new("admin/jobs")
        .data(json!({ "rows": rows, "depths": depths, "workers": workers, "status": status.map(|s| s.as_str()).unwrap_or_default(), "kind": kind, "statuses": JobStatus::ALL }))
        .viewer(&viewer)
        .title("Background jobs")
        .render(&state, &session)
}

impl From<jobs::KindDepth> for Depth {
    fn from(d: jobs::KindDepth) -> Self {
        Depth {
            oldest_due: d
                .oldest_due
                .map(|t| display::short_datetime(t, chrono_tz::Tz::UTC)),
            kind: d.kind,
            waiting: d.waiting,
            due: d.due,
            running: d.running,
            dead: d.dead,
        }
    }
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
