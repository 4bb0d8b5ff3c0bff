//! An event's webhooks: endpoints (URL, types, secret), the delivery log with redeliver, a ping.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{Page, INVALID};
use crate::webhooks::endpoints::{self, EndpointForm};
use crate::webhooks::EventType;

fn location(slug: &str) -> String {
    format!("/admin/events/{slug}/webhooks")
}

async fn page(
    staff: &EventStaff,
    form: &EndpointForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (hooks, log) = staff
        .read(|conn, cx| {
            Ok((
                endpoints::of_event(conn, &cx.event.id)?,
                endpoints::attempts(conn, &cx.event.id, 50)?,
            ))
        })
        .await?;
    let hooks: Vec<_> = hooks
        .iter()
        .map(|h| json!({ "hook": h, "secret": h.secret, "types": h.types() }))
        .collect();
    let types: Vec<_> = EventType::ALL
        .iter()
        .filter(|t| **t != EventType::Ping)
        .map(|t| json!({ "value": t.as_str(), "description": t.description(), "checked": form.types.iter().any(|x| x == t.as_str()) }))
        .collect();
    let data =
        json!({ "hooks": hooks, "log": log, "types": types, "form": form, "errors": errors });
    let mut r = staff.render(
        Page::new("admin/webhooks")
            .data(data)
            .status(status)
            .title(format!("Webhooks · {}", staff.event.name)),
    )?;
    r.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// `GET /admin/events/{slug}/webhooks`.
pub async fn show(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    page(
        &admin,
        &EndpointForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/webhooks`.
pub async fn add(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<EndpointForm>,
) -> AppResult<HttpResponse> {
    let (f, private) = (form.clone(), admin.ctx.settings.webhook_allow_private);
    match admin
        .write(move |conn, cx| endpoints::add(conn, cx, &f, private))
        .await
    {
        Ok(_) => Ok(admin.done(
            "Webhook added. Verify its signatures with the secret shown.",
            &location(admin.slug()),
        )),
        Err(AppError::Invalid(errors)) => page(&admin, &form, errors, INVALID).await,
        Err(e) => Err(e),
    }
}

/// The enable form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnableForm {
    /// `on` or `off`.
    pub enabled: String,
}

/// `POST /admin/events/{slug}/webhooks/{id}/enabled`.
pub async fn enable(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<EnableForm>,
) -> AppResult<HttpResponse> {
    let (id, on) = (path.into_inner().1, form.enabled == "on");
    admin
        .write(move |conn, cx| endpoints::set_enabled(conn, cx, &id, on))
        .await?;
    Ok(admin.done(
        if on {
            "Webhook enabled."
        } else {
            "Webhook disabled."
        },
        &location(admin.slug()),
    ))
}

/// `POST /admin/events/{slug}/webhooks/{id}/delete`.
pub async fn delete(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| endpoints::remove(conn, cx, &id))
        .await?;
    Ok(admin.done("Webhook removed.", &location(admin.slug())))
}

/// `POST /admin/events/{slug}/webhooks/{id}/ping`.
pub async fn ping(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| endpoints::ping(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "Ping queued: it shows in the log below once sent.",
        &location(admin.slug()),
    ))
}

/// `POST /admin/events/{slug}/webhooks/attempts/{id}/redeliver`.
pub async fn redeliver(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| endpoints::redeliver(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "Queued again, with the same webhook-id.",
        &location(admin.slug()),
    ))
}
