//! One error type for the whole application. User-facing variants carry a message that is safe
//! to show; infrastructure variants keep their cause for the log and show a generic page.
//! The HTTP mapping (status codes, friendly pages) lives in `web::errors`, so domain code does
//! not depend on actix.

use std::collections::BTreeMap;

use crate::db::DbError;

/// Field name → message, for forms that are shown again with their input kept.
pub type FieldErrors = BTreeMap<String, String>;

/// Anything that can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or must not be revealed).
    #[error("not found")]
    NotFound,
    /// Not found, with a message that says why (e.g. "not published yet").
    #[error("{0}")]
    NotFoundBecause(String),
    /// The visitor must sign in first.
    #[error("Please sign in to see this page.")]
    Unauthorized,
    /// A speaker must sign in to the call for papers first: back to the page (the path) that
    /// says how.
    #[error("sign in first")]
    SignInAt(String),
    /// The signed-in organizer may not do this.
    #[error("you do not have access to this page")]
    Forbidden,
    /// A form arrived without a valid anti-forgery token.
    #[error(
        "this form has expired or did not come from this site; go back, reload it and try again"
    )]
    Csrf,
    /// Input was wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// Form input was wrong, field by field.
    #[error("please correct the marked fields")]
    Invalid(FieldErrors),
    /// The request clashes with the current state (e.g. a slug already taken).
    #[error("{0}")]
    Conflict(String),
    /// A rule of the domain refuses the request now (registration closed, an offer expired, the
    /// last owner leaving): the message says why, and what to do instead.
    #[error("{0}")]
    Refused(String),
    /// An update was based on an old version (`If-Match` did not match): 412.
    #[error("{0}")]
    Stale(String),
    /// The request is well-formed but cannot be processed as it is (e.g. an idempotency key
    /// reused for another request): 422.
    #[error("{0}")]
    Unprocessable(String),
    /// The request body is larger than Ghent accepts.
    #[error("what you sent is too large")]
    TooLarge,
    /// Too many attempts; try again later.
    #[error("{0}")]
    RateLimited(String),
    /// A database error: the cause goes to the log, the visitor sees a generic page.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// Connecting, pooling or migrating failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A template failed to render.
    #[error("template error: {0}")]
    Template(#[from] handlebars::RenderError),
    /// Anything else, with its cause chain.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(name: &str, message: impl Into<String>) -> AppError {
        let mut errors = FieldErrors::new();
        errors.insert(name.to_string(), message.into());
        AppError::Invalid(errors)
    }

    /// For `map_err` on a write: a unique-constraint violation becomes `message` on `field`
    /// (the form shows it next to that field); any other database error stays a server error.
    pub fn taken(
        field: &'static str,
        message: &'static str,
    ) -> impl Fn(diesel::result::Error) -> AppError {
        move |e| {
            if crate::db::is_unique_violation(&e) {
                AppError::field(field, message)
            } else {
                e.into()
            }
        }
    }

    /// True for errors caused by the visitor's input or rights, false for server faults.
    pub fn is_client_error(&self) -> bool {
        !matches!(
            self,
            AppError::Database(_) | AppError::Db(_) | AppError::Template(_) | AppError::Internal(_)
        )
    }

    /// Maps "no row" to [`AppError::NotFound`], leaving other database errors as they are.
    pub fn from_lookup(e: diesel::result::Error) -> AppError {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => AppError::Database(other),
        }
    }
}

impl From<r2d2_error::PoolError> for AppError {
    fn from(e: r2d2_error::PoolError) -> Self {
        AppError::Db(DbError::Pool(e))
    }
}

/// The pool error type, named once here.
mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}

/// Result with [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

/// Helper to turn `Option::None` from a lookup into [`AppError::NotFound`].
pub trait OrNotFound<T> {
    /// `Some(t)` → `Ok(t)`, `None` → `Err(NotFound)`.
    fn or_not_found(self) -> AppResult<T>;
}

impl<T> OrNotFound<T> for Option<T> {
    fn or_not_found(self) -> AppResult<T> {
        self.ok_or(AppError::NotFound)
    }
}

/// An error and all its causes on one line, for logs and stored error messages.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own message; do not print it twice.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
