//! The organizers' mail pages: the mail log (filters, message as sent, resend, retry), test
//! mail, per-event template overrides with preview, and bulk mail.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::mail::compose::Sources;
use crate::mail::model::{MailKind, Status};
use crate::mail::queries::{self, LogFilter};
use crate::mail::{outbox, templates, views};
use crate::outreach::bulk::{self, BulkForm};
use crate::outreach::views as bulk_views;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{after_form, Page, INVALID};

/// Filters of the log.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogQuery {
    /// Show only mail in this status; empty for all.
    pub status: String,
    /// Show only mail of this kind; empty for all.
    pub kind: String,
    /// Page (1-based).
    pub page: String,
}

/// `GET /admin/events/{slug}/mail/`.
pub async fn log(
    admin: EventAdmin<need::Organize>,
    query: web::Query<LogQuery>,
) -> AppResult<HttpResponse> {
    let filter = LogFilter {
        status: Status::parse(&query.status),
        kind: MailKind::parse(&query.kind),
        recipient: None,
    };
    let n = query.page.parse().unwrap_or(1);
    let page = admin
        .read(move |conn, cx| views::log_page(conn, &cx.event, filter, n))
        .await?;
    admin.render(
        Page::new("admin/mail_log")
            .data(json!({ "page": page }))
            .title(format!("Mail · {}", admin.event.name)),
    )
}

/// `GET /admin/events/{slug}/mail/messages/{id}`.
pub async fn message(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let page = admin
        .read(move |conn, cx| views::message_page(conn, &cx.event, &id))
        .await?;
    let title = format!("Mail to {}", page.mail.recipient_email);
    admin.render(
        Page::new("admin/mail_message")
            .data(json!({ "page": page }))
            .title(title),
    )
}

/// `GET /admin/events/{slug}/mail/messages/{id}/html`: the HTML part as the recipient sees it
/// (its private links shown as `•••`), in a sandbox (no scripts, no same-origin access, no forms).
pub async fn message_html(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let mail = admin
        .read(move |conn, cx| queries::of_event(conn, &cx.event.id, &id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'none'"))
        .insert_header(("Cache-Control", "no-store"))
        .body(mail.redacted().html_body))
}

/// `POST …/mail/messages/{id}/resend`: queues a copy as a new message.
pub async fn resend(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let new_id = admin
        .write(move |conn, cx| outbox::resend_for(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "Queued again as a new message.",
        &urls::mail_message(admin.slug(), &new_id),
    ))
}

/// `POST …/mail/messages/{id}/retry`: a dead message goes back in the queue.
pub async fn retry(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let mid = id.clone();
    admin
        .write(move |conn, cx| outbox::retry_for(conn, cx, &mid))
        .await?;
    Ok(admin.done(
        "Queued for another round of attempts.",
        &urls::mail_message(admin.slug(), &id),
    ))
}

/// `POST /admin/events/{slug}/mail/test`: a test message to the signed-in organizer, through
/// the same outbox and transport as every other mail.
pub async fn test(
    admin: EventAdmin<need::Organize>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (to, name) = (
        admin.viewer.organizer.email.clone(),
        admin.viewer.organizer.name.clone(),
    );
    let message = format!("A test message to {to} is in the outbox; its status shows below.");
    admin
        .write(move |conn, cx| outbox::queue_test(conn, cx, &to, &name))
        .await?;
    Ok(admin.done(
        &message,
        &format!("{}?kind=test", urls::mail_log(admin.slug())),
    ))
}

/// `GET /admin/events/{slug}/mail/templates`.
pub async fn templates_list(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let kinds = admin
        .read(|conn, cx| views::template_kinds(conn, &cx.event))
        .await?;
    admin.render(
        Page::new("admin/mail_templates")
            .data(json!({ "kinds": kinds }))
            .title(format!("Mail templates · {}", admin.event.name)),
    )
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

impl TemplateForm {
    fn sources(&self) -> Sources {
        Sources {
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
        }
    }
}

/// The template editor with a preview; 422 when `errors` is not empty.
fn editor(
    staff: &EventStaff,
    kind: MailKind,
    form: &TemplateForm,
    overridden: bool,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        INVALID
    };
    let preview = templates::preview_for(&staff.ctx.mailer, kind, &form.sources(), &staff.event);
    staff.render(
        Page::new("admin/mail_template")
            .data(json!({
                "kind": kind, "description": kind.description(),
                "form": form, "overridden": overridden, "errors": errors,
                // The HTML part as it would read, sanitized, beside the text part.
                "preview": preview.as_ref().ok().map(|r| json!({ "subject": r.subject, "text": r.text, "html": ammonia::clean(&r.html) })),
                "preview_error": preview.err(),
            }))
            .status(status)
            .title(format!("{kind} mail · {}", staff.event.name)),
    )
}

/// The kind of a template page: one organizers may override, else `NotFound`.
fn overridable(kind: &str) -> AppResult<MailKind> {
    MailKind::parse(kind)
        .filter(|k| k.per_event())
        .ok_or(AppError::NotFound)
}

/// `GET /admin/events/{slug}/mail/templates/{kind}`.
pub async fn template_form(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let kind = overridable(&path.into_inner().1)?;
    let (sources, overridden) = admin
        .read(move |conn, cx| cx.mailer.sources(conn, Some(&cx.event.id), kind))
        .await?;
    let form = TemplateForm {
        subject: sources.subject,
        text: sources.text,
        html: sources.html,
        action: String::new(),
    };
    editor(&admin, kind, &form, overridden, FieldErrors::new())
}

/// `POST /admin/events/{slug}/mail/templates/{kind}`: preview, or save after checking.
pub async fn template_save(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> AppResult<HttpResponse> {
    let kind = overridable(&path.into_inner().1)?;
    if form.action != "save" {
        return editor(&admin, kind, &form, false, FieldErrors::new());
    }
    let sources = form.sources();
    let result = admin
        .write(move |conn, cx| templates::save_override(conn, cx, kind, &sources))
        .await;
    let saved = format!(
        "Saved: {kind} mail of {} now uses your version.",
        admin.event.name
    );
    after_form(
        result,
        |()| admin.done(&saved, &urls::mail_template(admin.slug(), kind)),
        |errors| std::future::ready(editor(&admin, kind, &form, false, errors)),
    )
    .await
}

/// `POST /admin/events/{slug}/mail/templates/{kind}/reset`.
pub async fn template_reset(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let kind = overridable(&path.into_inner().1)?;
    admin
        .write(move |conn, cx| templates::reset_override(conn, cx, kind))
        .await?;
    Ok(admin.done(
        "Back to the built-in template.",
        &urls::mail_template(admin.slug(), kind),
    ))
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

/// The compose page, with the preview for the first recipient if asked for; 422 when
/// `errors` is not empty.
async fn compose_page(
    staff: &EventStaff,
    form: &BulkForm,
    errors: FieldErrors,
    preview: Option<bulk::Preview>,
) -> AppResult<HttpResponse> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        INVALID
    };
    let (audiences, sent) = staff
        .read(|conn, cx| bulk_views::bulk_overview(conn, &cx.event, &cx.mailer.base_url))
        .await?;
    staff.render(
        Page::new("admin/mail_bulk")
            .data(json!({ "form": form, "errors": errors, "audiences": audiences, "sent": sent, "preview": preview }))
            .status(status)
            .title(format!("Write to a group · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/mail/bulk`.
pub async fn bulk_form(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let form = BulkForm {
        body: "Hello {{name}},\n\n\n\nYour page: {{manage_link}}".into(),
        ..BulkForm::default()
    };
    compose_page(&admin, &form, FieldErrors::new(), None).await
}

/// `POST /admin/events/{slug}/mail/bulk`: preview for the first recipient (their links shown as
/// `•••`), or send.
pub async fn bulk_send(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<ComposeForm>,
) -> AppResult<HttpResponse> {
    let audience = bulk::Audience::parse(&form.mail.audience);
    let probe = admin
        .read(move |conn, cx| bulk::probe(conn, &cx.event, audience, &cx.mailer.base_url))
        .await?;
    let input = match bulk::parse(&form.mail, &admin.ctx.mailer, &admin.event, &probe) {
        Ok(input) => input,
        Err(errors) => return compose_page(&admin, &form.mail, errors, None).await,
    };
    if form.action != "send" {
        let preview = bulk::preview(&admin.ctx.mailer, &admin.event, &input, &probe)
            .map_err(AppError::BadRequest)?;
        return compose_page(&admin, &form.mail, FieldErrors::new(), Some(preview)).await;
    }
    let id = admin
        .write(move |conn, cx| bulk::create(conn, cx, &input))
        .await?;
    Ok(admin.done(
        "Sending: one message per recipient is being queued.",
        &urls::bulk_mail(admin.slug(), &id),
    ))
}

/// `GET /admin/events/{slug}/mail/bulk/{id}`: progress (refreshes itself until done).
pub async fn bulk_progress(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let (row, expanded) = admin
        .read(move |conn, cx| {
            let b = bulk::get(conn, &cx.event.id, &id)?;
            let expanded = !bulk::expanding(conn, &b.id)?;
            Ok((bulk_views::bulk_row(conn, &cx.event, b)?, expanded))
        })
        .await?;
    let done = expanded && row.counts.done();
    admin.render(
        Page::new("admin/mail_bulk_progress")
            .data(json!({ "bulk": row, "done": done, "expanded": expanded, "refresh": if done { None } else { Some(3) } }))
            .title(format!("Bulk mail · {}", admin.event.name)),
    )
}
