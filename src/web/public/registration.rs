//! Registering for an event and the attendee's private page (no account: the link is the key).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, queries as event_queries, Event};
use crate::registration::service::{self, RegistrationForm};
use crate::registration::{questions, views};
use crate::web::extractors::{ClientIp, CsrfForm, NoFields};
use crate::web::render::{flash, not_saved, redirect, Page};
use crate::web::AppState;

async fn event_by_slug(state: &AppState, slug: String) -> AppResult<Event> {
    state
        .read(move |conn| event_queries::by_slug(conn, &slug)?.ok_or(AppError::NotFound))
        .await
}

async fn form_page(
    state: &AppState,
    session: &Session,
    event: &Event,
    form: &RegistrationForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let tz = event.tz();
    let e = event.clone();
    let qs = state
        .read(move |conn| Ok(questions::of_event(conn, &e.id)?))
        .await?;
    let note = match (event.registration_opens_at, event.registration_closes_at) {
        (Some(o), _) if now < o => {
            Some(format!("Registration opens {}.", display::datetime(o, tz)))
        }
        (_, Some(c)) if now >= c => {
            Some(format!("Registration closed {}.", display::datetime(c, tz)))
        }
        _ => None,
    };
    Page::new("public/register")
        .data(json!({
            "slug": event.slug, "event_name": event.name, "dates": display::date_range(event.starts_at, event.ends_at, tz),
            "open": event.registration_open(now), "note": note, "coc": event.code_of_conduct_url,
            "form": form, "errors": errors, "fields": views::question_fields(&qs, &form.answers, &errors),
        }))
        .status(status)
        .title(format!("Register · {}", event.name))
        .render(state, session)
}

/// `GET /{slug}/register/`.
pub async fn form(
    state: web::Data<AppState>,
    session: Session,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    form_page(
        &state,
        &session,
        &event,
        &RegistrationForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/register/`: the same answer for every address (new, known, waiting list),
/// so the page reveals nothing about who registered; the mail says what happened.
pub async fn submit(
    state: web::Data<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    slug: web::Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(&state, slug.into_inner()).await?;
    let form = RegistrationForm::from_pairs(pairs);
    let now = state.now();
    if !state.form_limiter.allow(&format!("register:{ip}"), now) {
        let errors = FieldErrors::from([("email".to_string(), "Too many registrations from your network in the last minute. Wait a minute and send the form again; what you typed is kept.".to_string())]);
        return form_page(
            &state,
            &session,
            &event,
            &form,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    if !event.registration_open(now) {
        return form_page(
            &state,
            &session,
            &event,
            &form,
            FieldErrors::new(),
            StatusCode::CONFLICT,
        )
        .await;
    }
    if !form.is_bot() {
        let e = event.clone();
        let qs = state
            .read(move |conn| Ok(questions::of_event(conn, &e.id)?))
            .await?;
        let input = match service::parse_form(&form, &qs) {
            Ok(input) => input,
            Err(errors) => {
                return form_page(
                    &state,
                    &session,
                    &event,
                    &form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        };
        let (mailer, e) = (state.mailer.clone(), event.clone());
        state
            .write(move |conn| service::register(conn, now, &mailer, &e, &input))
            .await?;
    }
    Page::new("public/registered").data(json!({ "slug": event.slug, "event_name": event.name, "email": form.email.trim().to_lowercase() })).title("Check your mail").render(&state, &session)
}

async fn manage(
    state: &AppState,
    session: &Session,
    slug: String,
    token: String,
) -> AppResult<HttpResponse> {
    let event = event_by_slug(state, slug).await?;
    let (now, base, e) = (state.now(), state.base_url.clone(), event.clone());
    let mailer = state.mailer.clone();
    let data = state
        .read(move |conn| {
            let r = service::by_token(conn, &e.id, &token)?;
            views::manage_page(conn, &base, mailer.secret(), &e, &r, &token, now)
        })
        .await?;
    Page::new("public/registration")
        .data(data)
        .title(format!("Your registration · {}", event.name))
        .render(state, session)
}

/// `GET /{slug}/registration/{token}`: the attendee's private page.
pub async fn page(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let response = manage(&state, &session, slug, token).await?;
    Ok(response)
}

/// `POST /{slug}/registration/{token}/confirm`: confirms the address, or takes an offered seat.
pub async fn confirm(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let (now, mailer, e, t) = (
        state.now(),
        state.mailer.clone(),
        event.clone(),
        token.clone(),
    );
    match state
        .write(move |conn| service::confirm(conn, now, &mailer, &e, &t))
        .await
    {
        Ok(_) => flash(
            &session,
            "You are registered. Your ticket is on its way by mail, and below.",
        ),
        Err(AppError::Conflict(message)) => flash(&session, &message),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("/{}/registration/{token}", event.slug)))
}

/// `POST /{slug}/registration/{token}/cancel`.
pub async fn cancel(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let (now, mailer, e, t) = (
        state.now(),
        state.mailer.clone(),
        event.clone(),
        token.clone(),
    );
    state
        .write(move |conn| {
            let r = service::by_token(conn, &e.id, &t)?;
            service::cancel(conn, now, &mailer, &e, &r)
        })
        .await?;
    flash(
        &session,
        "Your registration is cancelled. Thank you for letting the next person have your seat.",
    );
    Ok(redirect(&format!("/{}/registration/{token}", event.slug)))
}

/// `POST /{slug}/registration/{token}/answers`: edit name, company and answers.
pub async fn answers(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let form = RegistrationForm::from_pairs(pairs);
    let (now, e, t) = (state.now(), event.clone(), token.clone());
    match state
        .write(move |conn| {
            service::update_answers(conn, now, &e, &t, &form.answers, &form.name, &form.company)
        })
        .await
    {
        Ok(()) => flash(&session, "Saved."),
        Err(AppError::Invalid(errors)) => flash(&session, &not_saved(errors)),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("/{}/registration/{token}", event.slug)))
}

/// `GET /{slug}/registration/{token}/data.json`: everything kept about the attendee.
pub async fn data(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let e = event.clone();
    let json = state
        .read(move |conn| {
            let r = service::by_token(conn, &e.id, &token)?;
            service::export_data(conn, &e, &r)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-registration.json\"", event.slug),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(serde_json::to_vec_pretty(&json).unwrap_or_default()))
}

/// `POST /{slug}/registration/{token}/erase`: deletes the registration and the text of its mail.
pub async fn erase(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let event = event_by_slug(&state, slug).await?;
    let (now, mailer, e) = (state.now(), state.mailer.clone(), event.clone());
    state
        .write(move |conn| service::erase(conn, now, &mailer, &e, &token))
        .await?;
    flash(&session, "Your registration and your data are erased.");
    Ok(redirect(&format!("/{}/", event.slug)))
}
