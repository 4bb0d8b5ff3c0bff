//! Organizer login and logout.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::accounts::service::{self, LoginLimits};
use crate::error::{AppError, AppResult};
use crate::web::extractors::{ClientIp, CsrfForm, NoFields, SESSION_TOKEN_KEY};
use crate::web::render::{csrf_token, flash, redirect, Page};
use crate::web::AppState;

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    /// Where to go after signing in.
    #[serde(default)]
    pub next: String,
}

/// The login form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LoginForm {
    /// The organizer's address, as typed (kept when the page comes back).
    pub email: String,
    /// Password (never shown again).
    #[serde(skip_serializing)]
    pub password: String,
    /// Where to go after signing in.
    pub next: String,
}

/// Only same-site paths are followed after login, so a crafted link cannot send an organizer
/// to another site.
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains("://")
    {
        next.to_string()
    } else {
        "/admin/".to_string()
    }
}

/// `GET /login`.
pub async fn login_form(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<LoginQuery>,
) -> AppResult<HttpResponse> {
    Page::new("public/login")
        .data(json!({ "next": query.next, "form": {} }))
        .title("Sign in")
        .render(&state, &session)
}

/// `POST /login`: checks the password (rate limited), starts a session, renews the cookie.
pub async fn login(
    state: web::Data<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let limits = LoginLimits {
        max_failures: state.settings.login_max_failures,
        window: Duration::minutes(state.settings.login_window_minutes),
        session: Duration::hours(state.settings.session_hours),
    };
    let (email, password) = (form.email.clone(), form.password.clone());
    let result = state
        .write(move |conn| service::sign_in(conn, now, limits, &email, &password, &ip))
        .await;
    match result {
        Ok(token) => {
            begin_session(&session, token)?;
            Ok(redirect(&safe_next(&form.next)))
        }
        Err(e @ (AppError::BadRequest(_) | AppError::RateLimited(_))) => {
            login_refused(&state, &session, &form, e)
        }
        Err(e) => Err(e),
    }
}

/// A new cookie after login: a session id planted before login is worthless.
fn begin_session(session: &Session, token: String) -> AppResult<()> {
    session.renew();
    session.remove("csrf");
    session
        .insert(SESSION_TOKEN_KEY, token)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    csrf_token(session);
    Ok(())
}

/// The login page again, with what was typed (not the password) and why it was refused:
/// 429 when rate limited, 401 otherwise.
fn login_refused(
    state: &AppState,
    session: &Session,
    form: &LoginForm,
    e: AppError,
) -> AppResult<HttpResponse> {
    let status = if matches!(e, AppError::RateLimited(_)) {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNAUTHORIZED
    };
    Page::new("public/login")
        .data(json!({ "next": form.next, "form": form, "error": e.to_string() }))
        .status(status)
        .title("Sign in")
        .render(state, session)
}

/// `POST /logout`: deletes the session row, so the cookie opens nothing any more.
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    if let Ok(Some(token)) = session.get::<String>(SESSION_TOKEN_KEY) {
        state
            .write(move |conn| Ok(service::end_session(conn, &token)?))
            .await?;
    }
    // Clear and renew rather than purge, so the "signed out" message survives on a new cookie.
    session.clear();
    session.renew();
    flash(&session, "You are signed out.");
    Ok(redirect("/"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next("/admin/events/ghent-2009/"),
            "/admin/events/ghent-2009/"
        );
        assert_eq!(safe_next("//evil.example/"), "/admin/");
        assert_eq!(safe_next("https://evil.example/"), "/admin/");
        assert_eq!(safe_next("/\\evil.example"), "/admin/");
        assert_eq!(safe_next(""), "/admin/");
    }
}
