//! The organizers' mail pages: the mail log (filters, message as sent, resend, retry), test
//! mail, per-event template overrides with preview, and bulk mail.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::mail::bulk::{self, BulkForm};
use crate::mail::compose::Sources;
use crate::mail::outbox::{self, Envelope};
use crate::mail::queries::{self, LogFilter};
use crate::mail::{templates, views};
use crate::web::extractors::{need, CsrfForm, EventAdmin, NoFields};
use crate::web::render::{after_form, flash, redirect, Frame, Page, INVALID};
use crate::web::AppState;

/// Filters of the log.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    /// Status.
    pub status: String,
    /// Kind.
    pub kind: String,
}

/// `GET /admin/events/{slug}/mail/`.
pub async fn log(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    query: web::Query<LogQuery>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let filter = LogFilter {
        status: Some(query.status.clone()).filter(|s| !s.is_empty()),
        kind: Some(query.kind.clone()).filter(|k| !k.is_empty()),
        recipient: None,
    };
    let e = event.clone();
    let page = state
        .read(move |conn| views::log_page(conn, &e, filter))
        .await?;
    Page::new("admin/mail_log")
        .data(json!({ "slug": event.slug, "event_name": event.name, "page": page }))
        .title(format!("Mail · {}", event.name))
        .render_event(&state, &session, &admin)
}

/// `GET /admin/events/{slug}/mail/messages/{id}`.
pub async fn message(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let e = event.clone();
    let page = state
        .read(move |conn| views::message_page(conn, &e, &id))
        .await?;
    Page::new("admin/mail_message")
        .data(json!({ "slug": event.slug, "event_name": event.name, "page": page }))
        .title(format!("Mail to {}", page.mail.recipient_email))
        .render_event(&state, &session, &admin)
}

/// `GET /admin/events/{slug}/mail/messages/{id}/html`: the HTML part as the recipient sees it,
/// in a sandbox (no scripts, no same-origin access, no forms).
pub async fn message_html(
    state: web::Data<AppState>,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event_id = admin.event.id.clone();
    let mail = state
        .read(move |conn| queries::of_event(conn, &event_id, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'none'"))
        .insert_header(("Cache-Control", "no-store"))
        .body(mail.redacted().html_body))
}

/// `POST …/mail/messages/{id}/resend`: queues a copy as a new message.
pub async fn resend(
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
    let new_id = state
        .write(move |conn| {
            conn.transaction(|conn| {
                let original = queries::of_event(conn, &e.id, &id)?;
                let new_id = outbox::resend(conn, now, &mailer, &original)?;
                crate::audit::record(
                    conn,
                    now,
                    &actor,
                    crate::audit::Change {
                        event_id: Some(&e.id),
                        action: "mail.resend",
                        entity_type: "mail",
                        entity_id: Some(&new_id),
                    },
                    &format!(
                        "Resent “{}” to {}",
                        original.subject, original.recipient_email
                    ),
                )?;
                Ok(new_id)
            })
        })
        .await?;
    flash(&session, "Queued again as a new message.");
    Ok(redirect(&format!(
        "/admin/events/{}/mail/messages/{new_id}",
        event.slug
    )))
}

/// `POST …/mail/messages/{id}/retry`: a dead message goes back in the queue.
pub async fn retry(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, e, mid) = (state.now(), event.clone(), id.clone());
    state
        .write(move |conn| {
            queries::of_event(conn, &e.id, &mid)?;
            Ok(outbox::retry(conn, now, &mid)?)
        })
        .await?;
    flash(&session, "Queued for another round of attempts.");
    Ok(redirect(&format!(
        "/admin/events/{}/mail/messages/{id}",
        event.slug
    )))
}

/// `POST /admin/events/{slug}/mail/test`: a test message to the signed-in organizer, through
/// the same outbox and transport as every other mail.
pub async fn test(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, mailer, e, to, name) = (
        state.now(),
        state.mailer.clone(),
        event.clone(),
        admin.viewer.organizer.email.clone(),
        admin.viewer.organizer.name.clone(),
    );
    state
        .write(move |conn| {
            let ctx = json!({
                "sent_by": to,
                "recipient": { "name": name, "email": to },
                "event": { "name": e.name, "slug": e.slug, "url": format!("{}/{}/", mailer.base_url, e.slug), "contact_email": e.contact_email },
                "site": { "base_url": mailer.base_url },
            });
            let reply_to = (!e.contact_email.is_empty()).then_some(e.contact_email.as_str());
            mailer.queue(conn, now, Envelope::to("test", &to, &name).for_event(&e.id, reply_to), &ctx, Vec::new())
        })
        .await?;
    flash(
        &session,
        &format!(
            "A test message to {} is in the outbox; its status shows below.",
            admin.viewer.organizer.email
        ),
    );
    Ok(redirect(&format!(
        "/admin/events/{}/mail/?kind=test",
        event.slug
    )))
}

/// `GET /admin/events/{slug}/mail/templates`.
pub async fn templates_list(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let e = event.clone();
    let kinds = state
        .read(move |conn| views::template_kinds(conn, &e))
        .await?;
    Page::new("admin/mail_templates")
        .data(json!({ "slug": event.slug, "event_name": event.name, "kinds": kinds }))
        .title(format!("Mail templates · {}", event.name))
        .render_event(&state, &session, &admin)
}

/// The template editor's form.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TemplateForm {
    /// Subject template.
    pub subject: String,
    /// Text template.
    pub text: String,
    /// HTML template.
    pub html: String,
    /// `preview` or `save`.
    pub action: String,
}

fn editor(
    frame: &Frame<'_>,
    event: &Event,
    kind: &str,
    form: &TemplateForm,
    overridden: bool,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let sources = Sources {
        subject: form.subject.clone(),
        text: form.text.clone(),
        html: form.html.clone(),
    };
    let preview = templates::preview(&frame.state.mailer, kind, &sources);
    let description = templates::kind(kind).map(|k| k.description).unwrap_or("");
    Page::new("admin/mail_template")
        .data(json!({
            "slug": event.slug, "event_name": event.name, "kind": kind, "description": description,
            "form": form, "overridden": overridden, "errors": errors,
            "preview": preview.as_ref().ok().map(|r| json!({ "subject": r.subject, "text": r.text })),
            "preview_error": preview.err(),
        }))
        .status(status)
        .title(format!("{kind} mail · {}", event.name))
        .in_frame(frame)
}

/// `GET /admin/events/{slug}/mail/templates/{kind}`.
pub async fn template_form(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, kind) = path.into_inner();
    let event = &admin.event;
    if !templates::kind(&kind).is_some_and(|k| k.per_event) {
        return Err(AppError::NotFound);
    }
    let (mailer, e, k) = (state.mailer.clone(), event.clone(), kind.clone());
    let (sources, overridden) = state
        .read(move |conn| mailer.sources(conn, Some(&e.id), &k))
        .await?;
    let form = TemplateForm {
        subject: sources.subject,
        text: sources.text,
        html: sources.html,
        action: String::new(),
    };
    editor(
        &Frame::event(&state, &session, &admin),
        event,
        &kind,
        &form,
        overridden,
        FieldErrors::new(),
        StatusCode::OK,
    )
}

/// `POST /admin/events/{slug}/mail/templates/{kind}`: preview, or save after checking.
pub async fn template_save(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> AppResult<HttpResponse> {
    let (_, kind) = path.into_inner();
    let event = &admin.event;
    if !templates::kind(&kind).is_some_and(|k| k.per_event) {
        return Err(AppError::NotFound);
    }
    if form.action != "save" {
        return editor(
            &Frame::event(&state, &session, &admin),
            event,
            &kind,
            &form,
            false,
            FieldErrors::new(),
            StatusCode::OK,
        );
    }
    let sources = Sources {
        subject: form.subject.clone(),
        text: form.text.clone(),
        html: form.html.clone(),
    };
    let (now, mailer, actor, e, k) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
        kind.clone(),
    );
    let result = state
        .write(move |conn| {
            templates::save_override(conn, now, &mailer, &actor, &e.id, &k, &sources)
        })
        .await;
    let frame = Frame::event(&state, &session, &admin);
    after_form(
        result,
        |()| {
            flash(
                &session,
                &format!(
                    "Saved: {} mail of {} now uses your version.",
                    kind, event.name
                ),
            );
            redirect(&format!(
                "/admin/events/{}/mail/templates/{kind}",
                event.slug
            ))
        },
        |errors| std::future::ready(editor(&frame, event, &kind, &form, false, errors, INVALID)),
    )
    .await
}

/// `POST /admin/events/{slug}/mail/templates/{kind}/reset`.
pub async fn template_reset(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, kind) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e, k) = (state.now(), admin.actor(), event.clone(), kind.clone());
    state
        .write(move |conn| templates::reset_override(conn, now, &actor, &e.id, &k))
        .await?;
    flash(&session, "Back to the built-in template.");
    Ok(redirect(&format!(
        "/admin/events/{}/mail/templates/{kind}",
        event.slug
    )))
}

/// The compose form with its submit button.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComposeForm {
    /// Audience, subject, body.
    #[serde(flatten)]
    pub mail: BulkForm,
    /// `preview` or `send`.
    pub action: String,
}

async fn compose_page(
    frame: &Frame<'_>,
    event: &Event,
    form: &BulkForm,
    errors: FieldErrors,
    preview: Option<serde_json::Value>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (e, base) = (event.clone(), frame.state.base_url.clone());
    let (audiences, sent) = frame
        .state
        .read(move |conn| views::bulk_overview(conn, &e, &base))
        .await?;
    Page::new("admin/mail_bulk")
        .data(json!({ "slug": event.slug, "event_name": event.name, "form": form, "errors": errors, "audiences": audiences, "sent": sent, "preview": preview }))
        .status(status)
        .title(format!("Write to a group · {}", event.name))
        .in_frame(frame)
}

/// `GET /admin/events/{slug}/mail/bulk`.
pub async fn bulk_form(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let form = BulkForm {
        body: "Hello {{name}},\n\n\n\nYour page: {{manage_link}}".into(),
        ..BulkForm::default()
    };
    compose_page(
        &Frame::event(&state, &session, &admin),
        event,
        &form,
        FieldErrors::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/mail/bulk`: preview for the first recipient, or send.
pub async fn bulk_send(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<ComposeForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (e, base, mail) = (event.clone(), state.base_url.clone(), form.mail.clone());
    let probe = state
        .read(move |conn| {
            let first = match bulk::Audience::parse(&mail.audience) {
                Some(a) => bulk::recipients(conn, &e, a, &base)?.into_iter().next(),
                None => None,
            };
            Ok(first.unwrap_or_else(|| bulk::sample_recipient(&base, &e)))
        })
        .await?;
    let input = match bulk::parse(&form.mail, &state.mailer, event, &probe) {
        Ok(input) => input,
        Err(errors) => {
            return compose_page(
                &Frame::event(&state, &session, &admin),
                event,
                &form.mail,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if form.action != "send" {
        let rendered = bulk::render_for(&state.mailer, event, &input, &probe, false)
            .map_err(AppError::BadRequest)?
            .redacted();
        let preview = json!({ "to": format!("{} <{}>", probe.name, probe.email), "subject": rendered.subject, "text": rendered.text });
        return compose_page(
            &Frame::event(&state, &session, &admin),
            event,
            &form.mail,
            FieldErrors::new(),
            Some(preview),
            StatusCode::OK,
        )
        .await;
    }
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    let id = state
        .write(move |conn| conn.transaction(|conn| bulk::create(conn, now, &actor, &e, &input)))
        .await?;
    flash(
        &session,
        "Sending: one message per recipient is being queued.",
    );
    Ok(redirect(&format!(
        "/admin/events/{}/mail/bulk/{id}",
        event.slug
    )))
}

/// `GET /admin/events/{slug}/mail/bulk/{id}`: progress (refreshes itself until done).
pub async fn bulk_progress(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let e = event.clone();
    let (row, expanded) = state
        .read(move |conn| {
            let b = bulk::get(conn, &e.id, &id)?;
            let expanded = !crate::jobs::list(conn, None, 1000)?.iter().any(|j| {
                j.kind == "bulk.expand"
                    && j.status != "done"
                    && j.payload().get("bulk_id").and_then(|v| v.as_str()) == Some(b.id.as_str())
            });
            Ok((views::bulk_row(conn, &e, b)?, expanded))
        })
        .await?;
    let done = expanded && row.counts.done();
    Page::new("admin/mail_bulk_progress")
        .data(json!({ "slug": event.slug, "event_name": event.name, "bulk": row, "done": done, "expanded": expanded, "refresh": if done { None } else { Some(3) } }))
        .title(format!("Bulk mail · {}", event.name))
        .render_event(&state, &session, &admin)
}
