//! Organizers and reviewers and the call for papers: the proposals (ranked for organizers),
//! reviewing, decisions one by one or in bulk, reminders, submission types.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Capability;
use crate::cfp::review;
use crate::cfp::service::{self, TypeForm};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::web::extractors::{need, CsrfForm, EventAdmin, NoFields};
use crate::web::render::{after_form, flash, not_saved, redirect, Frame, Page, INVALID};
use crate::web::AppState;

fn base(event: &Event) -> String {
    format!("/admin/events/{}/cfp", event.slug)
}

/// Filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Track id.
    pub track: String,
    /// Submission type id.
    pub kind: String,
    /// Proposal state (`submitted`, `accepted`…).
    pub state: String,
}

/// The proposal states the list filters by, in the order a proposal goes through them.
const STATES: [&str; 6] = [
    "submitted",
    "accepted",
    "confirmed",
    "declined",
    "rejected",
    "withdrawn",
];

/// A submission type form sent back after an error: which one (`None`: the new-type form), what
/// was typed (`None`: nothing, e.g. a refused delete; the stored values are shown), and what is
/// wrong.
struct TypeInput {
    id: Option<String>,
    form: Option<TypeForm>,
    errors: FieldErrors,
}

fn new_type_defaults() -> TypeForm {
    TypeForm {
        kind: "talk".into(),
        duration_minutes: "30".into(),
        ..TypeForm::default()
    }
}

async fn list_page(
    f: &Frame<'_>,
    event: &Event,
    query: &ListQuery,
    input: Option<TypeInput>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (v, e) = (f.viewer.clone(), event.clone());
    let (track, kind, state) = (
        Some(query.track.clone()).filter(|s| !s.is_empty()),
        Some(query.kind.clone()).filter(|s| !s.is_empty()),
        Some(query.state.clone()).filter(|s| !s.is_empty()),
    );
    let organizer = f.viewer.can(&event.id, Capability::Organize);
    let (rows, unconfirmed, types, used, tracks) = f
        .state
        .read(move |conn| {
            Ok((
                review::list(
                    conn,
                    &v,
                    &e,
                    track.as_deref(),
                    kind.as_deref(),
                    state.as_deref(),
                )?,
                // Who has not confirmed yet, whatever the filters above show.
                review::list(conn, &v, &e, None, None, Some("accepted"))?,
                service::types_of(conn, &e.id)?,
                service::type_use(conn, &e.id)?,
                crate::programme::service::tracks_of(conn, &e.id)?,
            ))
        })
        .await?;
    let unconfirmed: Vec<_> = unconfirmed.iter().map(|r| json!({ "id": r.proposal.id, "title": r.proposal.title, "speakers": r.speakers, "reminders": r.proposal.reminders_sent })).collect();
    // Each type with its edit form: what was typed and its errors if that form came back.
    let type_views: Vec<_> = types
        .iter()
        .map(|t| {
            let stored = TypeForm {
                name: t.name.clone(),
                kind: t.kind.clone(),
                duration_minutes: t.duration_minutes.to_string(),
            };
            let (form, errors) = match &input {
                Some(i) if i.id.as_deref() == Some(t.id.as_str()) => {
                    (i.form.clone().unwrap_or(stored), i.errors.clone())
                }
                _ => (stored, FieldErrors::new()),
            };
            json!({ "type": t, "used": used.get(&t.id).copied().unwrap_or(0), "form": form, "errors": errors })
        })
        .collect();
    let (type_form, errors) = match input {
        Some(TypeInput {
            id: None,
            form,
            errors,
        }) => (form.unwrap_or_else(new_type_defaults), errors),
        _ => (new_type_defaults(), FieldErrors::new()),
    };
    f.render(
        Page::new("admin/cfp")
            .data(json!({
                "slug": event.slug, "event_name": event.name, "base": base(event), "rows": rows, "types": types, "tracks": tracks,
                "track": query.track, "kind": query.kind, "state": query.state, "states": STATES, "organizer": organizer, "unconfirmed": unconfirmed, "anonymous": event.anonymous_review,
                "type_views": type_views, "type_form": type_form, "errors": errors, "kinds": crate::programme::model::TALK_KINDS,
            }))
            .status(status)
            .title(format!("Call for papers · {}", event.name)),
    )
}

/// `GET /admin/events/{slug}/cfp/`: proposals (reviewers and organizers).
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Review>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    list_page(
        &Frame::event(&state, &session, &admin),
        event,
        &query,
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/events/{slug}/cfp/proposals/{id}`: a proposal and its reviews.
pub async fn proposal(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Review>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (v, e) = (admin.viewer.clone(), event.clone());
    let d = state
        .read(move |conn| review::detail(conn, &v, &e, &id))
        .await?;
    let organizer = admin.may(Capability::Organize);
    Frame::event(&state, &session, &admin).render(
        Page::new("admin/cfp_proposal")
            .data(json!({ "slug": event.slug, "event_name": event.name, "base": base(event), "d": d, "organizer": organizer, "errors": {} }))
            .title(format!("Proposal · {}", event.name)),
    )
}

/// The review form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    /// Score.
    pub score: String,
    /// Comment.
    pub comment: String,
}

/// `POST …/cfp/proposals/{id}/review`.
pub async fn save_review(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Review>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, v, e, pid) = (state.now(), admin.viewer.clone(), event.clone(), id.clone());
    match state
        .write(move |conn| review::save(conn, now, &v, &e, &pid, &form.score, &form.comment))
        .await
    {
        Ok(()) => flash(&session, "Review saved."),
        Err(AppError::Invalid(errors)) => flash(&session, &not_saved(errors)),
        Err(e) => return Err(e),
    }
    Ok(redirect(&format!("{}/proposals/{id}", base(event))))
}

/// `POST /admin/events/{slug}/cfp/decide`: `ids` (repeated) and `action` (accept or reject).
pub async fn decide(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v.clone())
        .collect();
    let action = pairs
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let accept = match action {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest("Choose accept or reject.".into())),
    };
    if ids.is_empty() {
        flash(&session, "Tick the proposals to decide on first.");
        return Ok(redirect(&format!("{}/", base(event))));
    }
    let (now, mailer, actor, e) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
    );
    let n = state
        .write(move |conn| service::decide(conn, now, &mailer, &actor, &e, &ids, accept))
        .await?;
    flash(
        &session,
        &format!(
            "{} {n} proposal(s); the speakers are being mailed.",
            if accept { "Accepted" } else { "Rejected" }
        ),
    );
    Ok(redirect(&format!("{}/", base(event))))
}

/// `POST …/cfp/proposals/{id}/remind`: remind an accepted speaker by hand.
pub async fn remind(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, mailer, e) = (state.now(), state.mailer.clone(), event.clone());
    let sent = state
        .write(move |conn| {
            service::proposal_of_event(conn, &e.id, &id)?;
            conn.transaction(|conn| service::remind(conn, now, &mailer, &id, false))
        })
        .await?;
    flash(
        &session,
        if sent {
            "Reminder sent."
        } else {
            "That proposal is not waiting for a confirmation."
        },
    );
    Ok(redirect(&format!("{}/", base(event))))
}

/// After a change to the submission types: back to the CfP page with a flash, or the page again
/// with the form as it was typed and its errors.
async fn after_type_change(
    frame: Frame<'_>,
    event: &Event,
    result: AppResult<String>,
    id: Option<String>,
    form: Option<TypeForm>,
) -> AppResult<HttpResponse> {
    let (session, query) = (frame.session, ListQuery::default());
    after_form(
        result,
        |message| {
            flash(session, &message);
            redirect(&format!("{}/#types-h", base(event)))
        },
        |errors| {
            list_page(
                &frame,
                event,
                &query,
                Some(TypeInput { id, form, errors }),
                INVALID,
            )
        },
    )
    .await
}

/// `POST /admin/events/{slug}/cfp/types`.
pub async fn add_type(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TypeForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f) = (state.now(), admin.actor(), event.clone(), form.clone());
    let result = state
        .write(move |conn| service::add_type(conn, now, &actor, &e, &f))
        .await
        .map(|t| format!("Added {}.", t.name));
    after_type_change(
        Frame::event(&state, &session, &admin),
        event,
        result,
        None,
        Some(form),
    )
    .await
}

/// `POST /admin/events/{slug}/cfp/types/{id}`: rename, change kind or minutes.
pub async fn update_type(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TypeForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e, f, i) = (
        state.now(),
        admin.actor(),
        event.clone(),
        form.clone(),
        id.clone(),
    );
    let result = state
        .write(move |conn| service::update_type(conn, now, &actor, &e, &i, &f))
        .await
        .map(|t| format!("Saved {}.", t.name));
    after_type_change(
        Frame::event(&state, &session, &admin),
        event,
        result,
        Some(id),
        Some(form),
    )
    .await
}

/// `POST /admin/events/{slug}/cfp/types/{id}/delete`: only while no proposal uses it.
pub async fn delete_type(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e, i) = (state.now(), admin.actor(), event.clone(), id.clone());
    let result = state
        .write(move |conn| service::delete_type(conn, now, &actor, &e, &i))
        .await
        .map(|t| format!("Deleted {}.", t.name));
    after_type_change(
        Frame::event(&state, &session, &admin),
        event,
        result,
        Some(id),
        None,
    )
    .await
}
