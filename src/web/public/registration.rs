//! Registering for an event and the attendee's private page (no account: the link is the key).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::display;
use crate::registration::form::{self, RegistrationForm};
use crate::registration::{lifecycle, privacy, queries, questions, views};
use crate::urls;
use crate::web::extractors::{ClientIp, CsrfForm, NoFields, PublicEvent};
use crate::web::render::{not_saved, Page, INVALID};

async fn form_page(
    visit: &PublicEvent,
    form: &RegistrationForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (now, event) = (visit.now(), &visit.event);
    let tz = event.tz();
    let qs = visit
        .read(|conn, cx| Ok(questions::of_event(conn, &cx.event.id)?))
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
    visit.render(
        Page::new("public/register")
            .data(json!({
                "dates": display::date_range(event.starts_at, event.ends_at, tz),
                "open": event.registration_open(now), "note": note, "coc": event.code_of_conduct_url,
                "form": form, "errors": errors, "fields": views::question_fields(&qs, &form.answers, &errors),
            }))
            .status(status)
            .title(format!("Register · {}", event.name)),
    )
}

/// `GET /{slug}/register/`.
pub async fn form(visit: PublicEvent) -> AppResult<HttpResponse> {
    form_page(
        &visit,
        &RegistrationForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Why a form from a busy network waits.
const TOO_MANY: &str = "Too many registrations from your network in the last minute. Wait a minute and send the form again; what you typed is kept.";

/// `POST /{slug}/register/`: the same answer for every address (new, known, waiting list),
/// so the page reveals nothing about who registered; the mail says what happened. A bot that
/// filled the honeypot sees the same page and nothing is stored.
pub async fn submit(
    visit: PublicEvent,
    ClientIp(ip): ClientIp,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let form = RegistrationForm::from_pairs(pairs);
    if !visit.allows("register", &ip) {
        let errors = FieldErrors::from([("email".to_string(), TOO_MANY.to_string())]);
        return form_page(&visit, &form, errors, StatusCode::TOO_MANY_REQUESTS).await;
    }
    if !visit.event.registration_open(visit.now()) {
        return form_page(&visit, &form, FieldErrors::new(), StatusCode::CONFLICT).await;
    }
    if !form.is_bot() {
        let f = form.clone();
        let result = visit.write(move |conn, cx| lifecycle::register_form(conn, cx, &f));
        match result.await {
            Err(AppError::Invalid(errors)) => {
                return form_page(&visit, &form, errors, INVALID).await
            }
            other => other.map(drop)?,
        }
    }
    let email = form.email.trim().to_lowercase();
    visit.render(
        Page::new("public/registered")
            .data(json!({ "email": email }))
            .title("Check your mail"),
    )
}

/// `GET /{slug}/registration/{token}`: the attendee's private page.
pub async fn page(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let data = visit
        .read(move |conn, cx| {
            let r = queries::by_token(conn, &cx.event.id, &token)?;
            let (base, secret) = (&cx.mailer.base_url, cx.mailer.secret());
            views::manage_page(conn, base, secret, &cx.event, &r, &token, cx.now)
        })
        .await?;
    let title = format!("Your registration · {}", visit.event.name);
    visit.render(Page::new("public/registration").data(data).title(title))
}

fn own_page(visit: &PublicEvent, token: &str) -> String {
    urls::registration(visit.slug(), token)
}

/// `POST /{slug}/registration/{token}/confirm`: confirms the address, or takes an offered seat.
pub async fn confirm(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let t = token.clone();
    let message = match visit
        .write(move |conn, cx| lifecycle::confirm(conn, cx, &t))
        .await
    {
        Ok(_) => "You are registered. Your ticket is on its way by mail, and below.".to_string(),
        Err(AppError::Refused(message)) => message,
        Err(e) => return Err(e),
    };
    Ok(visit.done(&message, &own_page(&visit, &token)))
}

/// `POST /{slug}/registration/{token}/cancel`.
pub async fn cancel(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let t = token.clone();
    visit
        .write(move |conn, cx| lifecycle::cancel_own(conn, cx, &t))
        .await?;
    Ok(visit.done(
        "Your registration is cancelled. Thank you for letting the next person have your seat.",
        &own_page(&visit, &token),
    ))
}

/// `POST /{slug}/registration/{token}/answers`: edit name, company and answers.
pub async fn answers(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let (form, t) = (RegistrationForm::from_pairs(pairs), token.clone());
    let result = visit
        .write(move |conn, cx| {
            let r = queries::by_token(conn, &cx.event.id, &t)?;
            let qs = questions::of_event(conn, &r.event_id)?;
            let input = form::parse_profile(&form, &qs).map_err(AppError::Invalid)?;
            privacy::update_profile(conn, cx, &t, &input)
        })
        .await;
    let message = match result {
        Ok(()) => "Saved.".to_string(),
        Err(AppError::Invalid(errors)) => not_saved(errors),
        Err(e) => return Err(e),
    };
    Ok(visit.done(&message, &own_page(&visit, &token)))
}

/// `GET /{slug}/registration/{token}/data.json`: everything kept about the attendee.
pub async fn data(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let json = visit
        .read(move |conn, cx| crate::attendee_data::export_own(conn, &cx.event, &token))
        .await?;
    let name = format!(
        "attachment; filename=\"{}-registration.json\"",
        visit.slug()
    );
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Content-Disposition", name))
        .insert_header(("Cache-Control", "no-store"))
        .body(serde_json::to_vec_pretty(&json).unwrap_or_default()))
}

/// `POST /{slug}/registration/{token}/erase`: deletes the registration and the text of its mail.
pub async fn erase(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    visit
        .write_own_data(move |conn, cx| privacy::erase(conn, cx, &token))
        .await?;
    Ok(visit.done(
        "Your registration and your data are erased.",
        &urls::event(visit.slug()),
    ))
}
