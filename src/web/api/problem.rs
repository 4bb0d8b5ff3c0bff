//! RFC 9457 problem details: every API error is `application/problem+json` with a `type`,
//! `title`, `status`, `detail` and, for invalid input, the `errors` per field.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::web::render::Rendered;

/// A problem (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// The status's phrase, e.g. "Precondition Failed".
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Invalid fields of the request, each with its message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (a body property, a query parameter, or a header).
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
}

/// An error of an API handler: an [`AppError`] answered as problem+json.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError(e.into())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ApiError {
    /// 401 with a reason.
    pub fn unauthorized() -> ApiError {
        ApiError(AppError::Unauthorized)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            // Pages send these to a sign-in page; the API has no redirects.
            AppError::SignInAt(_) | AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match &self.0 {
            AppError::Unauthorized | AppError::SignInAt(_) => {
                "Send a valid API token: Authorization: Bearer ghent_…".to_string()
            }
            AppError::Forbidden => {
                "This token may not do that here (its scope, its events, or its owner's role)."
                    .to_string()
            }
            e if e.is_client_error() => e.to_string(),
            e => {
                tracing::error!(error = %crate::error::error_chain(e), "API request failed");
                "Something went wrong on our side. It has been logged; please try again.".into()
            }
        };
        let errors = match &self.0 {
            AppError::Invalid(fields) => fields
                .iter()
                .map(|(field, detail)| FieldProblem {
                    field: field.clone(),
                    detail: detail.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        problem(status, detail, errors)
    }
}

/// A problem response.
pub fn problem(status: StatusCode, detail: String, errors: Vec<FieldProblem>) -> HttpResponse {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail,
        errors,
    };
    let mut response = HttpResponse::build(status)
        .content_type("application/problem+json")
        .insert_header(("Cache-Control", "no-store"))
        .body(serde_json::to_string(&body).unwrap_or_default());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            actix_web::http::header::WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static("Bearer realm=\"ghent\""),
        );
    }
    response.extensions_mut().insert(Rendered);
    response
}
