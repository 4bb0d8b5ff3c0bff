//! Feedback on a talk: a rating and a comment, anonymous, one per browser per talk, once the
//! talk has started. The browser is named by a random id in a cookie (see
//! [`crate::feedback::leave`] for what is stored).

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use chrono::NaiveDateTime;

use crate::accounts::Actor;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::feedback::leave::{self, FeedbackForm};
use crate::forms::submit;
use crate::urls;
use crate::web::extractors::{ClientIp, CsrfForm, PublicEvent};
use crate::web::render::{Page, INVALID};

const COOKIE: &str = "ghent_browser";

/// The talk's title and start in the published programme (from the programme cache, so no
/// release is read per request); 404 for a talk that is not in it.
async fn published(visit: &PublicEvent, talk_id: &str) -> AppResult<(String, NaiveDateTime)> {
    let programme = visit
        .programme_cache
        .get(&visit.ctx.state, visit.slug())
        .await?;
    let s = &programme.snapshot;
    let talk = s.talk(talk_id).ok_or(AppError::NotFound)?;
    let slot = s.slot_of(talk_id).ok_or(AppError::NotFound)?;
    Ok((talk.title.clone(), slot.starts_at))
}

async fn page(
    visit: &PublicEvent,
    talk_id: String,
    form: &FeedbackForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (title, starts) = published(visit, &talk_id).await?;
    let open = leave::open_for(&visit.context(Actor::system("visitor")), starts);
    let closed = open.err().map(|e| e.to_string());
    let data = serde_json::json!({ "talk_id": talk_id, "title": title, "closed": closed, "form": form, "errors": errors });
    visit.render(
        Page::new("public/feedback")
            .data(data)
            .status(status)
            .title(format!("Feedback · {title}")),
    )
}

/// `GET /{slug}/talks/{id}/feedback/`.
pub async fn form(
    visit: PublicEvent,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    page(
        &visit,
        path.into_inner().1,
        &FeedbackForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// The browser's random id (made now when it has none yet).
fn browser_id(req: &HttpRequest) -> String {
    req.cookie(COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 22)
        .unwrap_or_else(crate::tokens::new_token)
}

/// `response` with the browser's id kept for a year.
fn with_browser_cookie(
    mut response: HttpResponse,
    visit: &PublicEvent,
    id: String,
) -> HttpResponse {
    let cookie = Cookie::build(COOKIE, id)
        .path("/")
        .max_age(CookieAge::days(365))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(visit.base_url.starts_with("https://"))
        .finish();
    let _ = response.add_cookie(&cookie);
    response
}

/// A bot (the honeypot) is thanked and ignored; a network over the limit gets the form again.
async fn turned_away(
    visit: &PublicEvent,
    ip: &str,
    form: &FeedbackForm,
    talk_id: &str,
) -> AppResult<Option<HttpResponse>> {
    if !form.website.is_empty() {
        let back = urls::talk(visit.slug(), talk_id);
        return Ok(Some(visit.done("Thank you for your feedback.", &back)));
    }
    if visit.allows("feedback", ip) {
        return Ok(None);
    }
    let errors = FieldErrors::from([(
        "rating".to_string(),
        "Too much feedback from your network in the last minute. Wait a minute and send it again."
            .to_string(),
    )]);
    let status = StatusCode::TOO_MANY_REQUESTS;
    page(visit, talk_id.to_string(), form, errors, status)
        .await
        .map(Some)
}

/// `POST /{slug}/talks/{id}/feedback/`.
pub async fn send(
    visit: PublicEvent,
    req: HttpRequest,
    ClientIp(ip): ClientIp,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> AppResult<HttpResponse> {
    let talk_id = path.into_inner().1;
    let back = urls::talk(visit.slug(), &talk_id);
    if let Some(r) = turned_away(&visit, &ip, &form, &talk_id).await? {
        return Ok(r);
    }
    let browser = browser_id(&req);
    let (_, starts) = published(&visit, &talk_id).await?;
    let (key, id) = (
        leave::browser_key(visit.mailer.secret(), &browser, &talk_id),
        talk_id.clone(),
    );
    let result = submit(leave::parse(&form), |input| {
        visit.write(move |conn, cx| leave::leave(conn, cx, (&id, starts), &key, &input))
    })
    .await;
    let response = match result {
        Ok(()) => visit.done(
            "Thank you for your feedback: the speaker will read it.",
            &back,
        ),
        Err(AppError::Invalid(errors)) => {
            return page(&visit, talk_id, &form, errors, INVALID).await
        }
        Err(AppError::Refused(why)) => visit.done(&why, &back),
        Err(e) => return Err(e),
    };
    Ok(with_browser_cookie(response, &visit, browser))
}
