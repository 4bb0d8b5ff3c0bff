//! A signed-in speaker's own data: download it all, or erase the account.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::json;

use super::cfp::{Speaker, SPEAKER_KEY};
use crate::cfp::privacy::{self, EraseForm};
use crate::error::{AppResult, FieldErrors};
use crate::forms::submit;
use crate::urls;
use crate::web::extractors::CsrfForm;
use crate::web::render::{after_form, Page, INVALID};

/// `GET /{slug}/cfp/my-data.json`: everything Ghent keeps about the speaker.
pub async fn download(speaker: Speaker) -> AppResult<HttpResponse> {
    let me = speaker.me()?.clone();
    let json = speaker
        .ctx
        .read(move |conn| privacy::export(conn, &me))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"speaker-data.json\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(serde_json::to_vec_pretty(&json).unwrap_or_default()))
}

fn erase_page(
    speaker: &Speaker,
    form: &EraseForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let name = speaker.me()?.name.clone();
    speaker.render(
        Page::new("public/cfp_erase")
            .data(json!({ "form": form, "errors": errors, "name": name, "anonymous": privacy::ANONYMOUS }))
            .status(status)
            .title("Erase your speaker account"),
    )
}

/// `GET /{slug}/cfp/erase`: what erasing does, and the form.
pub async fn erase_form(speaker: Speaker) -> AppResult<HttpResponse> {
    let form = EraseForm {
        talks: "keep".into(),
        public_name: speaker.me()?.name.clone(),
        confirm: String::new(),
    };
    erase_page(&speaker, &form, FieldErrors::new(), StatusCode::OK)
}

/// `POST /{slug}/cfp/erase`: erases the account and signs the speaker out.
pub async fn erase(
    speaker: Speaker,
    CsrfForm(form): CsrfForm<EraseForm>,
) -> AppResult<HttpResponse> {
    let result = submit(privacy::parse_erase(&form), |input| {
        speaker.act_own_data(move |conn, cx, me| privacy::erase(conn, cx, me, &input))
    })
    .await;
    after_form(
        result,
        |done| {
            speaker.session.remove(SPEAKER_KEY);
            let message = format!(
                "Your speaker account is erased: {} proposals deleted, {} talks kept as public record.",
                done.proposals_deleted, done.talks_kept
            );
            speaker.done(&message, &urls::cfp(speaker.slug()))
        },
        |errors| std::future::ready(erase_page(&speaker, &form, errors, INVALID)),
    )
    .await
}
