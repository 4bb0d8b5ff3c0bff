//! Request extractors: the signed-in organizer, a form checked against the session's CSRF
//! token, and the client address.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::state::AppState;
use crate::accounts::{service, Viewer};
use crate::error::AppError;
use crate::tokens::constant_time_eq;

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

/// Session key of the organizer's session token.
pub const SESSION_TOKEN_KEY: &str = "sid";

/// The signed-in organizer; anonymous requests get 401 (the login page).
pub struct AdminUser(pub Viewer);

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = BoxFuture<AdminUser>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let session = req.get_session();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let token = session
                .get::<String>(SESSION_TOKEN_KEY)
                .ok()
                .flatten()
                .ok_or(AppError::Unauthorized)?;
            let now = state.now();
            let viewer = state
                .read(move |conn| Ok(service::viewer_for_session(conn, now, &token)?))
                .await?;
            viewer.map(AdminUser).ok_or(AppError::Unauthorized)
        })
    }
}

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// A form with no fields but the CSRF token (buttons such as "Cancel" or "Retry").
#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// A URL-encoded form whose `csrf_token` field matched the session's token. Every
/// state-changing form in Ghent is read through this extractor.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = BoxFuture<CsrfForm<T>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(format!("The form could not be read: {e}"))
                }
            })?;
            if contains_nul(&body) {
                return Err(nul_refused());
            }
            let sent = serde_html_form::from_bytes::<TokenField>(&body)
                .ok()
                .and_then(|t| t.csrf_token);
            let expected = session.get::<String>("csrf").ok().flatten();
            match (sent, expected) {
                (Some(s), Some(e)) if constant_time_eq(s.as_bytes(), e.as_bytes()) => {}
                _ => return Err(AppError::Csrf),
            }
            serde_html_form::from_bytes::<T>(&body)
                .map(CsrfForm)
                .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
        })
    }
}

/// Whether URL-encoded bytes carry a NUL character (raw or as `%00`). PostgreSQL cannot store
/// NUL in text, and no form field needs it, so it is refused at the edge for both backends.
pub fn contains_nul(encoded: &[u8]) -> bool {
    encoded.contains(&0)
        || encoded
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// The error for input carrying NUL.
pub fn nul_refused() -> AppError {
    AppError::BadRequest("What you sent contains a NUL character, which Ghent cannot store. Remove it and try again.".into())
}

/// The client's address (the TCP peer; Ghent does not trust forwarding headers by default).
pub struct ClientIp(pub String);

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = std::future::Ready<Result<ClientIp, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".to_string());
        std::future::ready(Ok(ClientIp(ip)))
    }
}
