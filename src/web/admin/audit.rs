//! Reading the audit log.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::audit;
use crate::error::{AppError, AppResult};
use crate::events::display;
use crate::web::extractors::{need, AdminUser, EventAdmin};
use crate::web::render::Page;
use crate::web::AppState;

#[derive(Serialize)]
struct Row {
    when: String,
    when_iso: String,
    who: String,
    action: String,
    summary: String,
}

fn rows(entries: Vec<audit::AuditEntry>, tz: chrono_tz::Tz) -> Vec<Row> {
    entries
        .into_iter()
        .map(|e| Row {
            when: display::short_datetime(e.occurred_at, tz),
            when_iso: display::iso_utc(e.occurred_at),
            who: e.actor_label,
            action: e.action,
            summary: e.summary,
        })
        .collect()
}

/// `GET /admin/events/{slug}/audit`: the event's audit log (organizers), times in its timezone.
pub async fn event_log(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let entries = admin
        .read(|conn, cx| Ok(audit::list(conn, Some(&cx.event.id), 500)?))
        .await?;
    let event = &admin.event;
    let data = serde_json::json!({ "slug": event.slug, "event_name": event.name, "timezone": event.timezone, "rows": rows(entries, event.tz()) });
    admin.render(
        Page::new("admin/audit")
            .data(data)
            .title(format!("Audit log · {}", event.name)),
    )
}

/// `GET /admin/audit`: the whole site's audit log (site administrators), in UTC.
pub async fn site_log(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
) -> AppResult<HttpResponse> {
    if !viewer.organizer.is_site_admin {
        return Err(AppError::Forbidden);
    }
    let entries = state.read(|conn| Ok(audit::list(conn, None, 500)?)).await?;
    let data = serde_json::json!({ "timezone": "UTC", "rows": rows(entries, chrono_tz::Tz::UTC) });
    Page::new("admin/audit")
        .data(data)
        .viewer(&viewer)
        .title("Audit log")
        .render(&state, &session)
}
