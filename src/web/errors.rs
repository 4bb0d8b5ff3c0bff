//! How errors become responses: a status code per variant, the cause chain in the log for
//! server faults, and a friendly page (or JSON under `/api/`) rendered by a middleware that
//! can reach the templates.

use actix_session::SessionExt;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpResponse, ResponseError};
use serde_json::json;

use super::render::{Page, Rendered};
use super::state::AppState;
use crate::error::AppError;

/// The message to show for an error response, carried from `error_response` to the page.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::NotFoundBecause(_) => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::SignInAt(_) => StatusCode::SEE_OTHER,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Stale(_) => StatusCode::PRECONDITION_FAILED,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(_)
            | AppError::Db(_)
            | AppError::Template(_)
            | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::SignInAt(location) = self {
            return super::render::redirect(location);
        }
        let status = self.status_code();
        let message = if self.is_client_error() {
            match self {
                AppError::Invalid(fields) => fields.values().cloned().collect::<Vec<_>>().join(" "),
                other => other.to_string(),
            }
        } else {
            tracing::error!(error = %error_chain(self), "request failed");
            "Something went wrong on our side. It has been logged; please try again in a moment."
                .to_string()
        };
        let mut response = HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(message.clone());
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}

pub use crate::error::error_chain;

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request could not be understood.",
        401 => "Please sign in to see this page.",
        403 => "You do not have access to this page.",
        404 => "There is no page at this address. It may have moved, or the link may be mistyped.",
        405 => "This page cannot be used that way.",
        413 => "What you sent is too large.",
        429 => "Too many requests; please wait a moment.",
        _ if status.is_server_error() => {
            "Something went wrong on our side. Please try again in a moment."
        }
        _ => "The request could not be completed.",
    }
}

/// Middleware hook: replaces any error response not rendered by a handler with a friendly
/// page (HTML) or a JSON body (`/api/`). A 401 shows the login form.
pub fn render_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if res.response().extensions().get::<Rendered>().is_some() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = res
        .response()
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.clone())
        .unwrap_or_else(|| default_message(status).to_string());
    let (req, _old) = res.into_parts();
    let path = req.path().to_string();
    let response: HttpResponse<BoxBody> = if path.starts_with("/api/") {
        super::api::problem::problem(status, message, Vec::new())
    } else if path.ends_with(".json") {
        HttpResponse::build(status).json(json!({ "error": message, "status": status.as_u16() }))
    } else {
        match req.app_data::<web::Data<AppState>>() {
            Some(state) => {
                let session = req.get_session();
                let page = if status == StatusCode::UNAUTHORIZED {
                    // A notice, not an error: nothing was typed wrong yet.
                    Page::new("public/login")
                        .data(
                            json!({ "next": req.uri().to_string(), "notice": message, "form": {} }),
                        )
                        .title("Sign in")
                } else {
                    Page::new("public/error")
                        .data(json!({ "status": status.as_u16(), "heading": heading(status), "message": message }))
                        .title(heading(status))
                };
                match page.render_string(state, Some(&session)) {
                    Ok(html) => HttpResponse::build(status)
                        .content_type("text/html; charset=utf-8")
                        .insert_header(("Cache-Control", "no-store"))
                        .body(html),
                    Err(e) => {
                        tracing::error!(error = %error_chain(&e), "error page failed to render");
                        HttpResponse::build(status)
                            .content_type("text/plain; charset=utf-8")
                            .body(message)
                    }
                }
            }
            None => HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(message),
        }
    };
    let res = ServiceResponse::new(req, response).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(res))
}

fn heading(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Please check what you sent",
        401 => "Sign in",
        403 => "No access",
        404 => "Page not found",
        409 => "That clashes with something",
        429 => "Slow down",
        _ if status.is_server_error() => "Something went wrong",
        _ => "Something is not right",
    }
}
