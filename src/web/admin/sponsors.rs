//! Sponsors for organizers: levels in their order, and sponsors with an uploaded logo.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::sponsors::manage::{self, LevelForm, SponsorForm};
use crate::sponsors::views;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{Page, INVALID};
use crate::web::upload::Upload;

async fn page(
    staff: &EventStaff,
    form: &SponsorForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let levels = staff
        .read(|conn, cx| Ok(views::by_level(conn, &cx.event.id, true)?))
        .await?;
    let data = json!({ "levels": levels, "form": form, "errors": errors, "max_kb": crate::sponsors::images::MAX_BYTES / 1024 });
    staff.render(
        Page::new("admin/sponsors")
            .data(data)
            .status(status)
            .title(format!("Sponsors · {}", staff.event.name)),
    )
}

/// What a sponsors form ends in: invalid input shows the page again with the messages.
async fn after(
    admin: &EventStaff,
    result: AppResult<()>,
    message: &str,
    form: &SponsorForm,
) -> AppResult<HttpResponse> {
    match result {
        Ok(()) => Ok(admin.done(message, &urls::sponsors(admin.slug()))),
        Err(AppError::Invalid(errors)) => page(admin, form, errors, INVALID).await,
        Err(e) => Err(e),
    }
}

/// `GET /admin/events/{slug}/after/sponsors`.
pub async fn show(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    page(
        &admin,
        &SponsorForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/after/sponsors/levels`.
pub async fn add_level(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<LevelForm>,
) -> AppResult<HttpResponse> {
    let result = admin
        .write(move |conn, cx| manage::add_level(conn, cx, &form))
        .await;
    after(&admin, result, "Level added.", &SponsorForm::default()).await
}

/// `POST /admin/events/{slug}/after/sponsors/levels/{id}/delete`.
pub async fn delete_level(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| manage::delete_level(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "Level deleted, with its sponsors.",
        &urls::sponsors(admin.slug()),
    ))
}

/// `POST /admin/events/{slug}/after/sponsors` (multipart, with the logo).
pub async fn add(admin: EventAdmin<need::Organize>, upload: Upload) -> AppResult<HttpResponse> {
    let form = SponsorForm {
        name: upload.field("name"),
        level_id: upload.field("level_id"),
        url: upload.field("url"),
        blurb: upload.field("blurb"),
    };
    let (f, logo) = (form.clone(), upload.files.get("logo").cloned());
    let result = admin
        .write(move |conn, cx| manage::add_sponsor(conn, cx, &f, logo.as_deref()))
        .await;
    after(&admin, result, "Sponsor added.", &form).await
}

/// `POST /admin/events/{slug}/after/sponsors/{id}/delete`.
pub async fn delete(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| manage::delete_sponsor(conn, cx, &id))
        .await?;
    Ok(admin.done("Sponsor removed.", &urls::sponsors(admin.slug())))
}
