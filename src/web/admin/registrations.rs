//! Organizers and attendees: the list (search, status filters, counts), CSV, adding by hand,
//! cancelling, resending mail, the questions, the check-in desk, and purging personal data.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, Event};
use crate::registration::questions::{self, QuestionForm};
use crate::registration::{service, views};
use crate::web::extractors::{need, CsrfForm, EventAdmin, NoFields};
use crate::web::render::{after_form, flash, redirect, Frame, Page, INVALID};
use crate::web::AppState;

fn base(event: &Event) -> String {
    format!("/admin/events/{}", event.slug)
}

/// Filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Status (or `checked_in`).
    pub status: String,
    /// Search in names and emails.
    pub q: String,
}

/// The add-by-hand form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AddForm {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Company.
    pub company: String,
}

async fn list_page(
    f: &Frame<'_>,
    event: &Event,
    query: &ListQuery,
    form: &AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (e, st, q) = (
        event.clone(),
        Some(query.status.clone()).filter(|s| !s.is_empty()),
        Some(query.q.clone()).filter(|s| !s.is_empty()),
    );
    let (counts, rows) = f
        .state
        .read(move |conn| views::list_page(conn, &e, st.as_deref(), q.as_deref()))
        .await?;
    f.render(
        Page::new("admin/registrations")
            .data(json!({
                "slug": event.slug, "event_name": event.name, "base": base(event), "counts": counts, "rows": rows,
                "capacity": event.capacity, "status": query.status, "q": query.q, "form": form, "errors": errors,
                "statuses": ["pending", "confirmed", "waiting", "offered", "cancelled", "expired", "checked_in", "speaker"],
                "purged": event.purged_at.map(|t| display::datetime(t, event.tz())),
            }))
            .status(status)
            .title(format!("Attendees · {}", event.name)),
    )
}

/// `GET /admin/events/{slug}/registrations`.
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    list_page(
        &Frame::event(&state, &session, &admin),
        event,
        &query,
        &AddForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/events/{slug}/registrations.csv`.
pub async fn csv(
    state: web::Data<AppState>,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let e = event.clone();
    let bytes = state.read(move |conn| service::csv(conn, &e)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-attendees.csv\"", event.slug),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

/// `POST /admin/events/{slug}/registrations`: add an attendee by hand.
pub async fn add(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, mailer, actor, e, f) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
        form.clone(),
    );
    let result = state
        .write(move |conn| {
            service::add_by_hand(
                conn,
                now,
                &mailer,
                &actor,
                &e,
                service::NewAttendee {
                    name: &f.name,
                    email: &f.email,
                    company: &f.company,
                },
            )
        })
        .await;
    let (frame, query) = (Frame::event(&state, &session, &admin), ListQuery::default());
    after_form(
        result,
        |r| {
            flash(
                &session,
                &format!("Added {} ({}); their mail is on its way.", r.name, r.status),
            );
            redirect(&format!("{}/registrations", base(event)))
        },
        |errors| list_page(&frame, event, &query, &form, errors, INVALID),
    )
    .await
}

/// `POST …/registrations/{id}/cancel`.
pub async fn cancel(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, mailer, actor, e) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
    );
    state
        .write(move |conn| {
            let r = service::by_id(conn, &e.id, &id)?;
            service::cancel(conn, now, &mailer, &e, &r)?;
            crate::audit::record(
                conn,
                now,
                &actor,
                crate::audit::Change {
                    event_id: Some(&e.id),
                    action: "registration.cancel",
                    entity_type: "registration",
                    entity_id: Some(&r.id),
                },
                &format!("Cancelled {}", r.name),
            )?;
            Ok(())
        })
        .await?;
    flash(
        &session,
        "Cancelled; the seat went to the waiting list if anyone was on it.",
    );
    Ok(redirect(&format!("{}/registrations", base(event))))
}

/// `POST …/registrations/{id}/resend`: the mail that fits the registration's status, again.
pub async fn resend(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, mailer, e) = (state.now(), state.mailer.clone(), event.clone());
    let name = state
        .write(move |conn| {
            let r = service::by_id(conn, &e.id, &id)?;
            conn.transaction(|conn| service::send_status_mail(conn, now, &mailer, &e, &r))?;
            Ok(r.name)
        })
        .await?;
    flash(&session, &format!("Mail to {name} queued again."));
    Ok(redirect(&format!("{}/registrations", base(event))))
}

/// `POST …/registrations/purge`: delete every attendee's personal data now.
pub async fn purge(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    let n = state
        .write(move |conn| service::purge_event(conn, now, &actor, &e))
        .await?;
    flash(
        &session,
        &format!("Deleted the personal data of {n} attendees."),
    );
    Ok(redirect(&format!("{}/registrations", base(event))))
}

/// `POST …/registrations/speakers`: registrations for the speakers of confirmed talks.
pub async fn register_speakers(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, mailer, actor, e) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
    );
    let done = state
        .write(move |conn| service::register_speakers(conn, now, &mailer, &actor, &e, None))
        .await?;
    flash(
        &session,
        &if done.added + done.changed == 0 {
            "Every speaker of a confirmed talk has a registration already.".to_string()
        } else {
            format!(
                "Registered {} new speaker(s) and turned {} existing registration(s) into speaker registrations. Their tickets are being mailed.",
                done.added, done.changed
            )
        },
    );
    Ok(redirect(&format!(
        "{}/registrations?status=speaker",
        base(event)
    )))
}

// ------------------------------------------------------------ questions

async fn questions_page(
    f: &Frame<'_>,
    event: &Event,
    form: &QuestionForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let e = event.clone();
    let qs = f
        .state
        .read(move |conn| Ok(questions::of_event(conn, &e.id)?))
        .await?;
    f.render(
        Page::new("admin/questions")
            .data(json!({ "slug": event.slug, "event_name": event.name, "base": base(event), "questions": qs, "form": form, "errors": errors, "kinds": questions::KINDS }))
            .status(status)
            .title(format!("Questions · {}", event.name)),
    )
}

/// `GET /admin/events/{slug}/questions`.
pub async fn question_list(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    questions_page(
        &Frame::event(&state, &session, &admin),
        event,
        &QuestionForm {
            kind: "text".into(),
            ..QuestionForm::default()
        },
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_question(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::Organize>,
    id: Option<String>,
    form: QuestionForm,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f) = (state.now(), admin.actor(), event.clone(), form.clone());
    let result = state
        .write(move |conn| questions::save(conn, now, &actor, &e, id.as_deref(), &f))
        .await;
    let frame = Frame::event(state, session, admin);
    after_form(
        result,
        |q| {
            flash(session, &format!("Saved “{}”.", q.label));
            redirect(&format!("{}/questions", base(event)))
        },
        |errors| questions_page(&frame, event, &form, errors, INVALID),
    )
    .await
}

/// `POST /admin/events/{slug}/questions`.
pub async fn question_create(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> AppResult<HttpResponse> {
    save_question(&state, &session, &admin, None, form).await
}

/// `POST /admin/events/{slug}/questions/{id}`.
pub async fn question_update(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    save_question(&state, &session, &admin, Some(id), form).await
}

/// `POST /admin/events/{slug}/questions/{id}/delete`.
pub async fn question_delete(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    state
        .write(move |conn| questions::delete(conn, now, &actor, &e, &id))
        .await?;
    flash(&session, "Question deleted.");
    Ok(redirect(&format!("{}/questions", base(event))))
}

// ------------------------------------------------------------ desk

/// Desk search.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskQuery {
    /// Name or email.
    pub q: String,
}

/// `GET /admin/events/{slug}/desk`: search attendees by name or email to check them in.
pub async fn desk(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Desk>,
    query: web::Query<DeskQuery>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (e, q) = (event.clone(), query.q.clone());
    let (counts, rows) = state
        .read(move |conn| {
            let (counts, rows) = views::list_page(conn, &e, Some("confirmed"), Some(&q))?;
            Ok((
                counts,
                if q.trim().is_empty() {
                    Vec::new()
                } else {
                    rows
                },
            ))
        })
        .await?;
    Frame::event(&state, &session, &admin).render(
        Page::new("admin/desk")
            .data(json!({ "slug": event.slug, "event_name": event.name, "base": base(event), "q": query.q, "rows": rows, "counts": counts, "searched": !query.q.trim().is_empty() }))
            .title(format!("Check-in desk · {}", event.name)),
    )
}

/// `GET /admin/events/{slug}/desk/{desk_token}`: the ticket's QR code opens this; it shows the
/// attendee and a check-in button, with a warning when they are already in.
pub async fn ticket(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Desk>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, token) = path.into_inner();
    let event = &admin.event;
    let (e, t) = (event.clone(), token.clone());
    let r = state
        .read(move |conn| service::by_desk_token(conn, &e.id, &t))
        .await?;
    let tz = event.tz();
    Frame::event(&state, &session, &admin).render(
        Page::new("admin/desk_ticket")
            .data(json!({
                "slug": event.slug, "event_name": event.name, "base": base(event), "id": r.id,
                "r": { "name": r.name, "email": r.email, "company": r.company, "status": r.status, "kind": r.kind },
                "confirmed": r.status == "confirmed",
                "checked_in": r.checked_in_at.map(|t| display::datetime(t, tz)),
            }))
            .title(format!("Check in {}", r.name)),
    )
}

/// The check-in form: by desk token (the QR page) or by id (the search).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    /// Desk token.
    pub token: String,
    /// Registration id.
    pub id: String,
}

/// `POST /admin/events/{slug}/desk`: checks an attendee in; says so if they already were.
pub async fn check_in(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Desk>,
    CsrfForm(form): CsrfForm<CheckInForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    let token = Some(form.token.clone()).filter(|t| !t.is_empty());
    let id = Some(form.id.clone()).filter(|t| !t.is_empty());
    let result = state
        .write(move |conn| {
            service::check_in(conn, now, &actor, &e, token.as_deref(), id.as_deref())
        })
        .await;
    match result {
        Ok(c) => match c.already {
            Some(at) => flash(
                &session,
                &format!(
                    "Careful: {} was already checked in at {}.",
                    c.registration.name,
                    display::datetime(at, event.tz())
                ),
            ),
            None => flash(
                &session,
                &format!("{} is checked in. Welcome!", c.registration.name),
            ),
        },
        Err(AppError::Conflict(message)) => flash(&session, &message),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("{}/desk", base(event))))
}
