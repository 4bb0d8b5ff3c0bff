//! A signed-in speaker says when they can be there.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::json;

use super::cfp::Speaker;
use crate::error::{AppResult, FieldErrors};
use crate::forms::submit;
use crate::programme::availability::{self, AvailabilityForm};
use crate::urls;
use crate::web::extractors::CsrfForm;
use crate::web::render::{after_form, Page, INVALID};

fn page(
    speaker: &Speaker,
    form: &AvailabilityForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let days = availability::rows(&speaker.event, form, &errors);
    speaker.render(
        Page::new("public/cfp_availability")
            .data(json!({ "days": days, "errors": errors }))
            .status(status)
            .title("When you can be there"),
    )
}

/// `GET /{slug}/cfp/availability`.
pub async fn show(speaker: Speaker) -> AppResult<HttpResponse> {
    let me = speaker.me()?.id.clone();
    let form = speaker
        .read(move |conn, cx| availability::form_of(conn, &cx.event, &me))
        .await?;
    page(&speaker, &form, FieldErrors::new(), StatusCode::OK)
}

/// `POST /{slug}/cfp/availability`.
pub async fn save(
    speaker: Speaker,
    CsrfForm(form): CsrfForm<AvailabilityForm>,
) -> AppResult<HttpResponse> {
    let result = submit(availability::parse(&speaker.event, &form), |windows| {
        speaker.act(move |conn, cx, me| availability::save(conn, cx, &me.id, &windows))
    })
    .await;
    after_form(
        result,
        |()| {
            speaker.done(
                "Saved: the organizers see when you can be there.",
                &urls::cfp_proposals(speaker.slug()),
            )
        },
        |errors| std::future::ready(page(&speaker, &form, errors, INVALID)),
    )
    .await
}
