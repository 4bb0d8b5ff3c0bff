//! After the event, for organizers: the successor and the feedback switch, the bulk editor of
//! slides and video links, the feedback summary, and erasing the "tell me" list.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::next::{self, AfterForm};
use crate::programme::material;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{Page, INVALID};

async fn overview_page(
    staff: &EventStaff,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let mut data = staff.read(next::admin_page).await?;
    data["errors"] = json!(errors);
    staff.render(
        Page::new("admin/after")
            .data(data)
            .status(status)
            .title(format!("After the event · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/after/`.
pub async fn overview(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    overview_page(&admin, FieldErrors::new(), StatusCode::OK).await
}

/// `POST /admin/events/{slug}/after/`: successor and feedback.
pub async fn save(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<AfterForm>,
) -> AppResult<HttpResponse> {
    match admin
        .write(move |conn, cx| next::save(conn, cx, &form))
        .await
    {
        Ok(()) => {
            // The talk pages show (or not) the feedback link: this instance drops them now.
            admin.ctx.programme_cache.invalidate(admin.slug());
            Ok(admin.done("Saved.", &urls::after(admin.slug())))
        }
        Err(AppError::Invalid(errors)) => overview_page(&admin, errors, INVALID).await,
        Err(e) => Err(e),
    }
}

/// `POST /admin/events/{slug}/after/notices/erase`.
pub async fn erase_notices(
    admin: EventAdmin<need::Organize>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let n = admin
        .write(|conn, cx| Ok(crate::outreach::notices::erase_list(conn, &cx.event.id)?))
        .await?;
    Ok(admin.done(
        &format!("Erased {n} addresses."),
        &urls::after(admin.slug()),
    ))
}

async fn presentations_page(
    staff: &EventStaff,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let talks = staff
        .read(|conn, cx| Ok(material::bulk_rows(conn, &cx.event.id)?))
        .await?;
    let data = json!({ "talks": talks, "errors": errors });
    staff.render(
        Page::new("admin/presentations")
            .data(data)
            .status(status)
            .title(format!("Slides and videos · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/after/presentations`.
pub async fn presentations(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    presentations_page(&admin, FieldErrors::new(), StatusCode::OK).await
}

/// `POST /admin/events/{slug}/after/presentations`: every talk's links at once.
pub async fn save_presentations(
    admin: EventAdmin<need::Organize>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let result = match material::parse_bulk(&pairs) {
        Ok(rows) => {
            admin
                .write(move |conn, cx| material::save_bulk(conn, cx, &rows))
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(n) => {
            admin.ctx.programme_cache.invalidate(admin.slug());
            Ok(admin.done(
                &format!("Saved: {n} talks changed."),
                &urls::presentations(admin.slug()),
            ))
        }
        Err(AppError::Invalid(errors)) => presentations_page(&admin, errors, INVALID).await,
        Err(e) => Err(e),
    }
}

/// `GET /admin/events/{slug}/after/feedback`: per talk (a page of talks at a time) and in
/// summary.
pub async fn feedback(
    admin: EventAdmin<need::Organize>,
    page: web::Query<crate::paging::PageQuery>,
) -> AppResult<HttpResponse> {
    let (rows, total) = admin
        .read(|conn, cx| Ok(crate::feedback::summary::of_event(conn, &cx.event.id)?))
        .await?;
    let (rows, paging) = crate::paging::slice(rows, page.page, admin.ctx.settings.list_page_size);
    let path = urls::feedback(admin.slug());
    let pager = paging.view(|p| crate::paging::link(&path, &[], p));
    admin.render(
        Page::new("admin/feedback")
            .data(json!({ "talks": rows, "total": total, "enabled": admin.event.feedback_enabled, "pager": pager }))
            .title(format!("Feedback · {}", admin.event.name)),
    )
}
