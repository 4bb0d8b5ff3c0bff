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
    let now = state.now();
    let token = token.into_inner();
    let t = token.clone();
    let account = state
        .read(move |conn| service::reset_link_account(conn, now, &t))
        .await?;
    match account {
        Some(o) => Page::new("public/password_reset")
            .data(json!({ "token": token, "email": o.email, "errors": {} }))
            .title("Choose a new password")
            .render(&state, &session),
        None => Page::new("public/password_reset")
            .data(json!({ "expired": true }))
            .status(StatusCode::GONE)
            .title("This link no longer works")
            .render(&state, &session),
    }
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
            flash(
                &session,
                &format!("Your new password is set. Sign in as {}.", organizer.email),
            );
            Ok(redirect("/login"))
        }
        Err(AppError::Invalid(errors)) => {
            let t = token.clone();
            let email = state
                .read(move |conn| service::reset_link_account(conn, now, &t))
                .await?
                .map(|o| o.email)
                .unwrap_or_default();
            Page::new("public/password_reset")
                .data(json!({ "token": token, "email": email, "errors": errors }))
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .title("Choose a new password")
                .render(&state, &session)
        }
        Err(AppError::BadRequest(message)) => Page::new("public/password_reset")
            .data(json!({ "expired": true, "message": message, "errors": FieldErrors::new() }))
            .status(StatusCode::GONE)
            .title("This link no longer works")
            .render(&state, &session),
        Err(e) => Err(e),
    }
}
