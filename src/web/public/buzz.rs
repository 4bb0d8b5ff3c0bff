//! The buzz in public: the page of what was written and said, visitors' suggestions (a
//! moderated queue, rate-limited, with a honeypot) and the Atom feed.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::buzz::items::{self, BuzzForm};
use crate::buzz::{feed, views};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::urls;
use crate::web::extractors::{ClientIp, CsrfForm, PublicEvent};
use crate::web::render::{Page, INVALID};

async fn page(
    visit: &PublicEvent,
    form: &BuzzForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let mut data = visit
        .read(|conn, cx| Ok(views::public_page(conn, &cx.event)?))
        .await?;
    data["form"] = serde_json::json!(form);
    data["errors"] = serde_json::json!(errors);
    visit.render(
        Page::new("public/buzz")
            .data(data)
            .status(status)
            .title(format!("Buzz · {}", visit.event.name)),
    )
}

/// `GET /{slug}/buzz/`.
pub async fn list(visit: PublicEvent) -> AppResult<HttpResponse> {
    page(
        &visit,
        &BuzzForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/buzz/`: a visitor suggests a link.
pub async fn suggest(
    visit: PublicEvent,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<BuzzForm>,
) -> AppResult<HttpResponse> {
    let thanks = "Thank you: the organizers will look at your suggestion.";
    if !form.website.is_empty() {
        return Ok(visit.done(thanks, &urls::buzz(visit.slug())));
    }
    if !visit.allows("buzz", &ip) {
        let errors = FieldErrors::from([("url".to_string(), "Too many suggestions from your network in the last minute. Wait a minute and send it again; what you typed is kept.".to_string())]);
        return page(&visit, &form, errors, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let result = match items::parse(&form, true) {
        Ok(input) => {
            visit
                .write(move |conn, cx| items::suggest(conn, cx, &input))
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(visit.done(thanks, &urls::buzz(visit.slug()))),
        Err(AppError::Invalid(errors)) => page(&visit, &form, errors, INVALID).await,
        Err(AppError::Refused(why)) => Ok(visit.done(&why, &urls::buzz(visit.slug()))),
        Err(e) => Err(e),
    }
}

/// `GET /{slug}/buzz/feed.atom`.
pub async fn atom(visit: PublicEvent) -> AppResult<HttpResponse> {
    let items = visit
        .read(|conn, cx| Ok(views::published(conn, &cx.event.id, None)?))
        .await?;
    let body = feed::atom(&visit.event, &items, &visit.base_url)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body))
}
