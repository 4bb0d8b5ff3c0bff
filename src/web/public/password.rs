//! "Forgot your password?": ask for a mailed link, then choose a new password with it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::service;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::extractors::CsrfForm;
use crate::web::render::{flash, redirect, Page};
use crate::web::AppState;

/// The request form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ForgotForm {
    /// The account's email.
    pub email: String,
}

/// The new-password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    /// New password.
    pub password: String,
    /// Typed again.
    pub password_again: String,
}

/// `GET /password/forgot`.
pub async fn forgot_form(state: web::Data<AppState>, session: Session) -> AppResult<HttpResponse> {
    Page::new("public/password_forgot")
        .data(json!({ "form": {} }))
        .title("Forgot your password?")
        .render(&state, &session)
}

/// `POST /password/forgot`: the same answer whether or not the address has an account.
pub async fn forgot(
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let mailer = state.mailer.clone();
    let email = form.email.clone();
    state
        .write(move |conn| service::request_password_reset(conn, now, &mailer, &email))
        .await?;
    Page::new("public/password_forgot")
        .data(json!({ "sent": true, "form": form }))
        .title("Check your mail")
        .render(&state, &session)
}

/// `GET /password/reset/{token}`.
pub async fn reset_form(
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    reset_page(&state, &session, &token, FieldErrors::new(), None).await
}

/// `POST /password/reset/{token}`: sets the password, uses up the link, ends other sessions.
pub async fn reset(
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let token = token.into_inner();
    let t = token.clone();
    let result = state
        .write(move |conn| {
            service::reset_password(conn, now, &t, &form.password, &form.password_again)
        })
        .await;
    match result {
        Ok(organizer) => {
            let message = format!("Your new password is set. Sign in as {}.", organizer.email);
            flash(&session, &message);
            Ok(redirect("/login"))
        }
        Err(AppError::Invalid(errors)) => reset_page(&state, &session, &token, errors, None).await,
        Err(AppError::BadRequest(m)) => {
            reset_page(&state, &session, &token, FieldErrors::new(), Some(m)).await
        }
        Err(e) => Err(e),
    }
}

/// The reset page: the form (422 when `errors` is not empty) while the link works, a 410
/// page (with `refused`, the reason, if known) once it does not.
async fn reset_page(
    state: &AppState,
    session: &Session,
    token: &str,
    errors: FieldErrors,
    refused: Option<String>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let t = token.to_string();
    let account = match refused {
        Some(_) => None,
        None => {
            state
                .read(move |conn| service::reset_link_account(conn, now, &t))
                .await?
        }
    };
    let Some(account) = account else {
        return Page::new("public/password_reset")
            .data(json!({ "expired": true, "message": refused, "errors": FieldErrors::new() }))
            .status(StatusCode::GONE)
            .title("This link no longer works")
            .render(state, session);
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Page::new("public/password_reset")
        .data(json!({ "token": token, "email": account.email, "errors": errors }))
        .status(status)
        .title("Choose a new password")
        .render(state, session)
}
