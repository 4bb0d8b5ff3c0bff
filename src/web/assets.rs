//! Static files (CSS, JS, images) compiled into the binary, served with an ETag.

pub use crate::embedded::StaticFiles;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

fn etag_of(path: &str) -> Option<String> {
    StaticFiles::get(path).map(|f| format!("\"{}\"", hex::encode(&f.metadata.sha256_hash()[..8])))
}

/// The URL of a static file with its content hash as a cache-busting query.
pub fn url(path: &str) -> String {
    match StaticFiles::get(path) {
        Some(f) => format!(
            "/static/{path}?v={}",
            hex::encode(&f.metadata.sha256_hash()[..4])
        ),
        None => format!("/static/{path}"),
    }
}

/// `GET /static/{path}`.
pub async fn serve(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let path = path.into_inner();
    let Some(file) = StaticFiles::get(&path) else {
        return HttpResponse::NotFound().finish();
    };
    let etag = etag_of(&path).unwrap_or_default();
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    // Versioned URLs (?v=hash) never change content, so browsers may keep them for a year.
    let cache = if req.query_string().starts_with("v=") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    if matches {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(file.metadata.mimetype())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned())
}
