//! Sponsors in public, and the images they upload, served from the database by content hash
//! with a year-long immutable cache lifetime (the URL changes when the file does).

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::error::{AppError, AppResult};
use crate::sponsors::{images, views};
use crate::web::extractors::{Ctx, PublicEvent};
use crate::web::render::Page;

/// `GET /{slug}/sponsors/`.
pub async fn list(visit: PublicEvent) -> AppResult<HttpResponse> {
    let levels = visit
        .read(|conn, cx| Ok(views::by_level(conn, &cx.event.id, false)?))
        .await?;
    visit.render(
        Page::new("public/sponsors")
            .data(serde_json::json!({ "levels": levels }))
            .title(format!("Sponsors · {}", visit.event.name)),
    )
}

/// `GET /images/{file}`: `<sha256>.<ext>`.
pub async fn image(ctx: Ctx, file: web::Path<String>) -> AppResult<HttpResponse> {
    let (id, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let (id, ext) = (id.to_string(), ext.to_string());
    let found = ctx.read(move |conn| Ok(images::load(conn, &id)?)).await?;
    let (content_type, bytes) = found.ok_or(AppError::NotFound)?;
    if images::extension(&content_type) != ext {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
