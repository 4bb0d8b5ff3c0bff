//! Uploaded images (sponsor logos): PNG, JPEG or WebP only, at most [`MAX_BYTES`] and
//! [`MAX_SIDE`] pixels a side, and decoded in full to prove they are what they claim (no SVG:
//! it can carry script). Stored by content hash, so an upload of the same file is the same row
//! and its URL (`/images/<hash>.<ext>`) never changes meaning: it is served with a year-long,
//! immutable cache lifetime.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use image::{ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

use super::model::Image;
use crate::db::schema::images;
use crate::db::AnyConnection;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 512 * 1024;
/// Largest width or height.
pub const MAX_SIDE: u32 = 2000;

/// Checks an upload; the message says what is wrong in words an organizer understands.
pub fn check(bytes: &[u8], now: NaiveDateTime) -> Result<Image, String> {
    if bytes.is_empty() {
        return Err("Choose a logo file to upload.".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "That file is larger than {} KB, the most a logo may be. Save it smaller (a PNG about 400 pixels wide is plenty).",
            MAX_BYTES / 1024
        ));
    }
    let reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_an_image())?;
    let (format, content_type) = match reader.format() {
        Some(f @ ImageFormat::Png) => (f, "image/png"),
        Some(f @ ImageFormat::Jpeg) => (f, "image/jpeg"),
        Some(f @ ImageFormat::WebP) => (f, "image/webp"),
        _ => return Err(not_an_image()),
    };
    let (w, h) = reader.into_dimensions().map_err(|_| not_an_image())?;
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(format!(
            "That image is {w}×{h} pixels; a logo may be at most {MAX_SIDE} pixels a side."
        ));
    }
    // Decode every pixel: a file with a valid header and a broken body is refused too.
    image::load_from_memory_with_format(bytes, format).map_err(|_| not_an_image())?;
    Ok(Image {
        id: hex::encode(Sha256::digest(bytes)),
        content_type: content_type.into(),
        width: w as i32,
        height: h as i32,
        bytes: bytes.to_vec(),
        created_at: now,
    })
}

fn not_an_image() -> String {
    "That file is not a PNG, JPEG or WebP image. Upload the logo in one of those formats (SVG is not accepted).".into()
}

/// The file extension of a content type.
pub fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => "webp",
    }
}

/// Stores an image unless the same bytes are stored already; returns its id.
pub fn store(conn: &mut AnyConnection, image: &Image) -> QueryResult<String> {
    let known: i64 = images::table
        .filter(images::id.eq(&image.id))
        .count()
        .get_result(conn)?;
    if known == 0 {
        diesel::insert_into(images::table)
            .values(image)
            .execute(conn)?;
    }
    Ok(image.id.clone())
}

/// An image by id: (content type, bytes).
pub fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(String, Vec<u8>)>> {
    images::table
        .find(id)
        .select((images::content_type, images::bytes))
        .first(conn)
        .optional()
}

/// The path an image is served at.
pub fn path(id: &str, content_type: &str) -> String {
    format!("/images/{id}.{}", extension(content_type))
}
