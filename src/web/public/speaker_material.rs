//! A confirmed speaker's own talk after the event: slides, video link, abstract and the "do
//! not record" choice (also once the proposal itself is read-only), and the feedback the talk
//! received.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::cfp::Speaker;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::programme::material::{self, SpeakerForm};
use crate::urls;
use crate::web::extractors::CsrfForm;
use crate::web::render::{Page, INVALID};

async fn page(
    speaker: &Speaker,
    proposal_id: String,
    form: Option<&SpeakerForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let me = speaker.me()?.id.clone();
    let pid = proposal_id.clone();
    let (talk_id, title, live, feedback) = speaker
        .read(move |conn, cx| {
            let (talk_id, title, live) = material::own_talk(conn, cx, &me, &pid)?;
            let feedback = crate::feedback::summary::per_talk(conn, &cx.event.id)?.remove(&talk_id);
            Ok((talk_id, title, live, feedback))
        })
        .await?;
    let form = form.cloned().unwrap_or(SpeakerForm {
        r#abstract: live.r#abstract.clone(),
        slides_url: live.slides_url.clone(),
        video_url: live.video_url.clone(),
        do_not_record: live.do_not_record.then(|| "on".into()),
    });
    let data = json!({ "proposal_id": proposal_id, "talk_id": talk_id, "title": title, "form": form, "errors": errors, "feedback": feedback });
    speaker.render(
        Page::new("public/speaker_material")
            .data(data)
            .status(status)
            .title(format!("Your talk · {title}")),
    )
}

/// `GET /{slug}/cfp/proposals/{id}/material`.
pub async fn show(speaker: Speaker, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    page(
        &speaker,
        path.into_inner().1,
        None,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /{slug}/cfp/proposals/{id}/material`.
pub async fn save(
    speaker: Speaker,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<SpeakerForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let (pid, parsed) = (id.clone(), material::parse_speaker(&form));
    let result = match parsed {
        Ok(input) => {
            speaker
                .act(move |conn, cx, me| {
                    let (talk_id, ..) = material::own_talk(conn, cx, &me.id, &pid)?;
                    material::save_speaker(conn, cx, &talk_id, &input)
                })
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => {
            speaker.programme_cache.invalidate(speaker.slug());
            Ok(speaker.done(
                "Saved: the programme shows it now.",
                &urls::cfp_proposal(speaker.slug(), &id),
            ))
        }
        Err(AppError::Invalid(errors)) => page(&speaker, id, Some(&form), errors, INVALID).await,
        Err(e) => Err(e),
    }
}
