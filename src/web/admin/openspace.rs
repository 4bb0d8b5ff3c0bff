//! The open-space admin: the settings (organizers), and the board (organizers and
//! facilitators): moderation (hide, merge), placement by form or drag-and-drop, the suggested
//! draft, and which slots are the marketplace.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{AppError, AppResult, FieldErrors};
use crate::openspace::model::Market;
use crate::openspace::settings::{self, SettingsForm};
use crate::openspace::{board, market, views};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{Page, INVALID};

async fn page(
    staff: &EventStaff,
    form: Option<&SettingsForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let mut data = staff.read(views::admin_page).await?;
    if let Some(f) = form {
        data["settings"] = json!(f);
    }
    data["errors"] = json!(errors);
    data["may_organize"] = json!(staff.can().organize);
    staff.render(
        Page::new("admin/openspace")
            .data(data)
            .status(status)
            .title(format!("Open space · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/openspace/`.
pub async fn show(admin: EventAdmin<need::Facilitate>) -> AppResult<HttpResponse> {
    page(&admin, None, FieldErrors::new(), StatusCode::OK).await
}

/// After a board action: a refusal of the domain becomes the message, on the same page. A
/// change drops this instance's rendered programme at once (other instances notice the board's
/// version within a second).
fn back(staff: &EventStaff, result: AppResult<String>) -> AppResult<HttpResponse> {
    match result {
        Ok(message) => {
            staff.ctx.programme_cache.invalidate(staff.slug());
            Ok(staff.done(&message, &urls::openspace(staff.slug())))
        }
        Err(AppError::Refused(why)) => Ok(staff.done(&why, &urls::openspace(staff.slug()))),
        Err(e) => Err(e),
    }
}

/// `POST /admin/events/{slug}/openspace/settings`.
pub async fn save_settings(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<HttpResponse> {
    let parsed = settings::parse(&form, &admin.event);
    let result = match parsed {
        Ok(input) => {
            admin
                .write(move |conn, cx| settings::save(conn, cx, &input))
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Err(AppError::Invalid(errors)) => page(&admin, Some(&form), errors, INVALID).await,
        other => back(&admin, other.map(|()| "Saved.".to_string())),
    }
}

/// The open/close form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarketForm {
    market: String,
}

/// `POST /admin/events/{slug}/openspace/market`: opens or closes the marketplace by hand.
pub async fn set_market(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(form): CsrfForm<MarketForm>,
) -> AppResult<HttpResponse> {
    let market = Market::parse(&form.market)
        .ok_or_else(|| AppError::BadRequest("Choose open, closed or scheduled.".into()))?;
    let result = admin
        .write(move |conn, cx| settings::set_market(conn, cx, market))
        .await;
    back(
        &admin,
        result.map(|()| "The marketplace is updated.".to_string()),
    )
}

/// The placement form (also what the drag-and-drop script sends).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    topic_id: String,
    slot_id: String,
}

/// `POST /admin/events/{slug}/openspace/place`: places or moves a topic; an empty slot takes
/// it off the board.
pub async fn place(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(form): CsrfForm<PlaceForm>,
) -> AppResult<HttpResponse> {
    let result = admin
        .write(move |conn, cx| match form.slot_id.as_str() {
            "" => board::unplace(conn, cx, &form.topic_id)
                .map(|()| "Taken off the board.".to_string()),
            slot => board::place(conn, cx, &form.topic_id, slot).map(|()| "Placed.".to_string()),
        })
        .await;
    back(&admin, result)
}

/// `POST /admin/events/{slug}/openspace/suggest`: drafts a board from the votes.
pub async fn suggest(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let result = admin.write(board::suggest_draft).await;
    back(
        &admin,
        result
            .map(|n| format!("The draft places {n} topics: accept it, change it, or discard it.")),
    )
}

/// `POST /admin/events/{slug}/openspace/draft/accept`.
pub async fn accept(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let result = admin.write(board::accept_draft).await;
    back(
        &admin,
        result.map(|n| format!("{n} topics placed from the draft.")),
    )
}

/// The draft form: one topic, or the whole draft when empty.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DraftForm {
    topic_id: String,
}

/// `POST /admin/events/{slug}/openspace/draft/discard`.
pub async fn discard(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> AppResult<HttpResponse> {
    let result = admin
        .write(move |conn, cx| {
            board::discard_draft(
                conn,
                cx,
                Some(form.topic_id.as_str()).filter(|t| !t.is_empty()),
            )
        })
        .await;
    back(
        &admin,
        result.map(|()| "Discarded from the draft.".to_string()),
    )
}

/// The moderation form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ModerateForm {
    /// "hide" or "show".
    action: String,
}

/// `POST /admin/events/{slug}/openspace/topics/{id}/moderate`: hides or shows a topic.
pub async fn moderate(
    admin: EventAdmin<need::Facilitate>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> AppResult<HttpResponse> {
    let (id, hide) = (path.into_inner().1, form.action == "hide");
    let result = admin
        .write(move |conn, cx| market::set_hidden(conn, cx, &id, hide))
        .await;
    back(
        &admin,
        result.map(|()| {
            if hide {
                "Hidden; its dots went back to their owners."
            } else {
                "Shown again."
            }
            .to_string()
        }),
    )
}

/// The merge form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    from: String,
    into: String,
}

/// `POST /admin/events/{slug}/openspace/merge`: merges one topic into another.
pub async fn merge(
    admin: EventAdmin<need::Facilitate>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> AppResult<HttpResponse> {
    let result = admin
        .write(move |conn, cx| market::merge(conn, cx, &form.from, &form.into))
        .await;
    back(
        &admin,
        result.map(|()| {
            "Merged; whoever voted for both kept one dot on it and got the other back.".to_string()
        }),
    )
}

/// The marketplace-slot form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TakesForm {
    takes: String,
}

/// `POST /admin/events/{slug}/openspace/slots/{id}/takes`: marks a slot as the marketplace
/// (`takes=0`) or as taking a topic (`takes=1`).
pub async fn takes(
    admin: EventAdmin<need::Facilitate>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TakesForm>,
) -> AppResult<HttpResponse> {
    let (id, takes) = (path.into_inner().1, form.takes == "1");
    let result = admin
        .write(move |conn, cx| settings::set_takes_topics(conn, cx, &id, takes))
        .await;
    back(&admin, result.map(|()| "Saved.".to_string()))
}
