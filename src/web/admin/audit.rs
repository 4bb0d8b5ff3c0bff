//! Reading the audit log.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

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

/// Entries per page of the audit log.
const PER_PAGE: i64 = 100;

/// `?page=N`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: String,
}

impl PageQuery {
    fn number(&self) -> i64 {
        self.page.parse().unwrap_or(1)
    }
}

/// `GET /admin/events/{slug}/audit`: the event's audit log (organizers), times in its timezone.
pub async fn event_log(
    admin: EventAdmin<need::Organize>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let n = query.number();
    let (entries, paging) = admin
        .read(move |conn, cx| Ok(audit::page(conn, Some(&cx.event.id), n, PER_PAGE)?))
        .await?;
    let event = &admin.event;
    let path = crate::urls::admin::audit(&event.slug);
    let pager = paging.view(|p| crate::paging::link(&path, &[], p));
    let data = serde_json::json!({ "slug": event.slug, "event_name": event.name, "timezone": event.timezone, "rows": rows(entries, event.tz()), "pager": pager });
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
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    if !viewer.organizer.is_site_admin {
        return Err(AppError::Forbidden);
    }
    let n = query.number();
    let (entries, paging) = state
        .read(move |conn| Ok(audit::page(conn, None, n, PER_PAGE)?))
        .await?;
    let pager = paging.view(|p| crate::paging::link("/admin/audit", &[], p));
    let data = serde_json::json!({ "timezone": "UTC", "rows": rows(entries, chrono_tz::Tz::UTC), "pager": pager });
    Page::new("admin/audit")
        .data(data)
        .viewer(&viewer)
        .title("Audit log")
        .render(&state, &session)
}
