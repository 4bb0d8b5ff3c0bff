//! A `multipart/form-data` form (a form with a file), read into its text fields and files
//! after the same CSRF check as every other form. Files are kept up to a cap per file (the
//! domain says, on the form, when a file was larger); the request as a whole is refused beyond
//! [`MAX_REQUEST`].

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::tokens::constant_time_eq;

/// Bytes kept of one file: one more than the largest upload Ghent accepts (a schedule.xml; a
/// logo is smaller, and its own check says so), so the domain can tell "too large" from "just
/// right".
pub const FILE_CAP: usize = crate::programme::import::uploads::MAX_BYTES + 1;
/// The largest request read at all.
pub const MAX_REQUEST: usize = 8 << 20;

/// The text fields and files of a form with a file.
#[derive(Debug, Default)]
pub struct Upload {
    /// Text fields, in order.
    pub fields: Vec<(String, String)>,
    /// Files by field name (empty when the field was sent without a file).
    pub files: HashMap<String, Vec<u8>>,
    /// The name each file had on the sender's computer, by field name.
    pub filenames: HashMap<String, String>,
}

impl Upload {
    /// A text field's value (empty if absent).
    pub fn field(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, AppError>>>>;

impl FromRequest for Upload {
    type Error = AppError;
    type Future = BoxFuture<Upload>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let multipart = Multipart::new(req.headers(), payload.take());
        Box::pin(async move {
            let mut out = Upload::default();
            // A form that cannot be read is still refused for its CSRF token first, like
            // every other form (the access tests send every POST without one).
            let read = read_all(multipart, &mut out).await;
            let expected = session.get::<String>("csrf").ok().flatten();
            match (out.fields.iter().find(|(k, _)| k == "csrf_token"), expected) {
                (Some((_, s)), Some(e)) if constant_time_eq(s.as_bytes(), e.as_bytes()) => {}
                _ => return Err(AppError::Csrf),
            }
            read.map(|()| out)
        })
    }
}

async fn read_all(mut multipart: Multipart, out: &mut Upload) -> Result<(), AppError> {
    let mut total = 0usize;
    let unreadable = |e: actix_multipart::MultipartError| {
        AppError::BadRequest(format!("The form could not be read: {e}"))
    };
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let is_file = filename.is_some();
        let room = if is_file { FILE_CAP } else { 64 * 1024 };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            total += chunk.len();
            if total > MAX_REQUEST {
                return Err(AppError::TooLarge);
            }
            let take = chunk.len().min(room.saturating_sub(bytes.len()));
            bytes.extend_from_slice(&chunk[..take]);
        }
        if let Some(filename) = filename {
            out.filenames.insert(name.clone(), filename);
            out.files.insert(name, bytes);
        } else {
            let text = String::from_utf8(bytes).map_err(|_| {
                AppError::BadRequest("The form could not be read: a field is not text.".into())
            })?;
            if text.contains('\0') {
                return Err(crate::web::extractors::nul_refused());
            }
            out.fields.push((name, text));
        }
    }
    Ok(())
}
