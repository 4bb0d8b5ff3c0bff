//! "Tell me when it opens" in public: the form (on the home of an event and of the event
//! before it), and the page its mailed link opens, to confirm the address or leave the list.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::outreach::notices;
use crate::urls;
use crate::web::extractors::{ClientIp, CsrfForm, NoFields, PublicEvent};
use crate::web::render::Page;

/// The form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NotifyForm {
    /// The address.
    email: String,
    /// Where the form was (the home it came from), to go back to.
    from: String,
    /// Honeypot.
    website: String,
}

/// The home the form came from (the event's own when that is not a slug).
fn back_to(visit: &PublicEvent, from: &str) -> String {
    match crate::values::Slug::parse(from) {
        Ok(s) => urls::event(s.as_str()),
        Err(_) => urls::event(visit.slug()),
    }
}

/// `POST /{slug}/notify`: leaves an address on the event's list (a confirmation mail follows).
/// A bad address is the message on the page the form came from.
pub async fn subscribe(
    visit: PublicEvent,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<NotifyForm>,
) -> AppResult<HttpResponse> {
    let back = back_to(&visit, &form.from);
    let sent = format!(
        "Check your inbox: we sent a link to confirm that you want to hear when {} opens.",
        visit.event.name
    );
    if !form.website.is_empty() {
        return Ok(visit.done(&sent, &back));
    }
    if !visit.allows("notify", &ip) {
        return Ok(visit.done(
            "Too many requests from your network in the last minute. Wait a minute and try again.",
            &back,
        ));
    }
    let email = form.email.clone();
    match visit
        .write(move |conn, cx| notices::subscribe(conn, cx, &email))
        .await
    {
        Ok(()) => Ok(visit.done(&sent, &back)),
        Err(AppError::Invalid(errors)) => Ok(visit.done(
            errors
                .values()
                .next()
                .map_or("Enter your email address.", |m| m.as_str()),
            &back,
        )),
        Err(e) => Err(e),
    }
}

/// `GET /{slug}/notify/{token}`: confirm, or leave the list.
pub async fn page(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    let t = token.clone();
    let (_, confirmed) = visit
        .read(move |conn, cx| notices::by_token(conn, &cx.event.id, &t))
        .await?;
    let data = serde_json::json!({ "token": token, "confirmed": confirmed });
    visit.render(
        Page::new("public/notice")
            .data(data)
            .title(format!("Hear when {} opens", visit.event.name)),
    )
}

/// `POST /{slug}/notify/{token}/confirm`.
pub async fn confirm(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    visit
        .write(move |conn, cx| notices::confirm(conn, cx, &token))
        .await?;
    let message = format!("Confirmed: we will mail you once when {} opens its registration and once when its call for papers opens.", visit.event.name);
    Ok(visit.done(&message, &urls::event(visit.slug())))
}

/// `POST /{slug}/notify/{token}/leave`: the address is deleted from the list.
pub async fn leave(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
    _csrf: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner().1;
    visit
        .write_own_data(move |conn, cx| notices::leave(conn, cx, &token))
        .await?;
    Ok(visit.done(
        "Your address is off the list and forgotten.",
        &urls::event(visit.slug()),
    ))
}
