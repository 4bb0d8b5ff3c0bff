//! Importing a schedule.xml in the admin: upload, see what it would change, apply.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::page;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::programme::import::uploads::{self, Preview};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::INVALID;
use crate::web::upload::Upload;

fn preview_json(p: &Preview) -> Value {
    json!({
        "id": p.id,
        "filename": p.filename,
        "headline": p.summary.headline(),
        "changes": p.summary.changes,
        "changed": p.summary.changed(),
    })
}

fn show(
    staff: &EventStaff,
    preview: Option<&Preview>,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        INVALID
    };
    let data = json!({
        "preview": preview.map(preview_json),
        "errors": errors,
        "max_mb": uploads::MAX_BYTES >> 20,
    });
    page(
        staff,
        "admin/programme_import",
        "Import a schedule",
        data,
        status,
    )
}

/// `GET …/programme/import`: the upload form.
pub async fn form(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    show(&admin, None, FieldErrors::new())
}

/// `POST …/programme/import` (multipart): keeps the file and shows what it would change.
pub async fn upload(admin: EventAdmin<need::Organize>, upload: Upload) -> AppResult<HttpResponse> {
    let filename = upload
        .filenames
        .get("schedule")
        .cloned()
        .unwrap_or_default();
    let file = upload.files.get("schedule").cloned();
    let result = admin
        .write(move |conn, cx| uploads::stage(conn, cx, &filename, file.as_deref()))
        .await;
    match result {
        Ok(preview) => show(&admin, Some(&preview), FieldErrors::new()),
        Err(AppError::Invalid(errors)) => show(&admin, None, errors),
        Err(e) => Err(e),
    }
}

/// `POST …/programme/import/{id}/apply`: imports the previewed file into the draft.
pub async fn apply(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let result = admin
        .write(move |conn, cx| uploads::apply(conn, cx, &id))
        .await;
    let message = match result {
        Ok(s) => format!(
            "Imported into the draft: {}. Release it to make it public.",
            s.headline()
        ),
        Err(AppError::Refused(why)) => why,
        Err(e) => return Err(e),
    };
    Ok(admin.done(&message, &urls::programme(admin.slug())))
}
