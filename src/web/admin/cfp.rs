//! Organizers and reviewers and the call for papers: the proposals (ranked for organizers),
//! reviewing, decisions one by one or in bulk, reminders, submission types.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::Capability;
use crate::cfp::decisions::{self, Decision};
use crate::cfp::review::{self, ListFilter};
use crate::cfp::types::{self, TypeForm};
use crate::cfp::{queries, ProposalState};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::submit;
use crate::programme::model::TalkKind;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{after_form, not_saved, Page, INVALID};

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
    /// Page of the list (1-based).
    pub page: i64,
}

impl ListQuery {
    /// The filters, as the pages' links keep them.
    fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            ("track", &self.track),
            ("kind", &self.kind),
            ("state", &self.state),
        ]
    }

    fn filter(&self) -> ListFilter {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        ListFilter {
            track: some(&self.track),
            kind: some(&self.kind),
            state: ProposalState::parse(&self.state),
        }
    }
}

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
        kind: TalkKind::Talk.as_str().into(),
        duration_minutes: "30".into(),
        ..TypeForm::default()
    }
}

/// Each type with its edit form: what was typed and its errors if that form came back.
fn type_views(
    types: &[crate::cfp::SubmissionType],
    used: &std::collections::HashMap<String, i64>,
    input: &Option<TypeInput>,
) -> Vec<serde_json::Value> {
    types
        .iter()
        .map(|t| {
            let stored = TypeForm::from_type(t);
            let (form, errors) = match input {
                Some(i) if i.id.as_deref() == Some(t.id.as_str()) => {
                    (i.form.clone().unwrap_or(stored), i.errors.clone())
                }
                _ => (stored, FieldErrors::new()),
            };
            json!({ "type": t, "used": used.get(&t.id).copied().unwrap_or(0), "form": form, "errors": errors })
        })
        .collect()
}

async fn list_page(
    staff: &EventStaff,
    query: &ListQuery,
    input: Option<TypeInput>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (v, filter) = (staff.viewer.clone(), query.filter());
    let (rows, unconfirmed, types, used, tracks) = staff
        .read(move |conn, cx| {
            let waiting = ListFilter {
                state: Some(ProposalState::Accepted),
                ..ListFilter::default()
            };
            Ok((
                review::list(conn, &v, &cx.event, &filter)?,
                // Who has not confirmed yet, whatever the filters above show.
                review::list(conn, &v, &cx.event, &waiting)?,
                queries::types_of(conn, &cx.event.id)?,
                queries::type_use(conn, &cx.event.id)?,
                crate::programme::tracks::of_event(conn, &cx.event.id)?,
            ))
        })
        .await?;
    let (rows, paging) = crate::paging::slice(rows, query.page, staff.ctx.settings.list_page_size);
    let path = format!("{}/", urls::prefix(staff.slug(), "cfp"));
    let pager = paging.view(|p| crate::paging::link(&path, &query.pairs(), p));
    let unconfirmed: Vec<_> = unconfirmed.iter().map(|r| json!({ "id": r.proposal.id, "title": r.proposal.title, "speakers": r.speakers, "reminders": r.proposal.reminders_sent })).collect();
    let type_views = type_views(&types, &used, &input);
    let (type_form, errors) = match input {
        Some(TypeInput {
            id: None,
            form,
            errors,
        }) => (form.unwrap_or_else(new_type_defaults), errors),
        _ => (new_type_defaults(), FieldErrors::new()),
    };
    staff.render(
        Page::new("admin/cfp")
            .data(json!({
                "base": urls::prefix(staff.slug(), "cfp"), "rows": rows, "pager": pager, "types": types, "tracks": tracks,
                "track": query.track, "kind": query.kind, "state": query.state, "states": ProposalState::FLOW,
                "organizer": staff.may(Capability::Organize), "unconfirmed": unconfirmed, "anonymous": staff.event.anonymous_review,
                "type_views": type_views, "type_form": type_form, "errors": errors, "kinds": TalkKind::ALL,
            }))
            .status(status)
            .title(format!("Call for papers · {}", staff.event.name)),
    )
}

/// `GET /admin/events/{slug}/cfp/`: proposals (reviewers and organizers).
pub async fn list(
    admin: EventAdmin<need::Review>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    list_page(&admin, &query, None, StatusCode::OK).await
}

/// `GET /admin/events/{slug}/cfp/proposals/{id}`: a proposal and its reviews.
pub async fn proposal(
    admin: EventAdmin<need::Review>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, v) = (path.into_inner().1, admin.viewer.clone());
    let d = admin
        .read(move |conn, cx| review::detail(conn, &v, &cx.event, &id))
        .await?;
    admin.render(
        Page::new("admin/cfp_proposal")
            .data(json!({ "base": urls::prefix(admin.slug(), "cfp"), "d": d, "organizer": admin.may(Capability::Organize), "errors": {} }))
            .title(format!("Proposal · {}", admin.event.name)),
    )
}

/// The review form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    /// The chosen score, as a string from the radio buttons.
    pub score: String,
    /// Optional note for the other reviewers.
    pub comment: String,
}

/// `POST …/cfp/proposals/{id}/review`.
pub async fn save_review(
    admin: EventAdmin<need::Review>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> AppResult<HttpResponse> {
    let (id, v) = (path.into_inner().1, admin.viewer.clone());
    let pid = id.clone();
    let parsed = review::parse(&admin.event, &form.score, &form.comment);
    let result = submit(parsed, |input| {
        admin.write(move |conn, cx| review::save(conn, cx.now, &v, &cx.event, &pid, &input))
    })
    .await;
    let message = match result {
        Ok(()) => "Review saved.".to_string(),
        Err(AppError::Invalid(errors)) => not_saved(errors),
        Err(e) => return Err(e),
    };
    Ok(admin.done(&message, &urls::cfp_proposal(admin.slug(), &id)))
}

/// `POST /admin/events/{slug}/cfp/decide`: `ids` (repeated) and `action` (accept or reject).
pub async fn decide(
    admin: EventAdmin<need::Organize>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let field = |name: &'static str| pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v);
    let ids: Vec<String> = field("ids").cloned().collect();
    let decision = field("action")
        .next()
        .and_then(|a| Decision::parse(a))
        .ok_or_else(|| AppError::BadRequest("Choose accept or reject.".into()))?;
    let back = urls::cfp(admin.slug());
    if ids.is_empty() {
        return Ok(admin.done("Tick the proposals to decide on first.", &back));
    }
    let n = admin
        .write(move |conn, cx| decisions::decide(conn, cx, &ids, decision))
        .await?;
    let verb = decision.words().1;
    let message = format!("{verb} {n} proposal(s); the speakers are being mailed.");
    Ok(admin.done(&message, &back))
}

/// `POST …/cfp/proposals/{id}/remind`: remind an accepted speaker by hand.
pub async fn remind(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let sent = admin
        .write(move |conn, cx| decisions::remind_now(conn, cx, &id))
        .await?;
    let message = if sent {
        "Reminder sent."
    } else {
        "That proposal is not waiting for a confirmation."
    };
    Ok(admin.done(message, &urls::cfp(admin.slug())))
}

/// After a change to the submission types: back to the CfP page with a flash, or the page again
/// with the form as it was typed and its errors.
async fn after_type_change(
    staff: &EventStaff,
    result: AppResult<String>,
    id: Option<String>,
    form: Option<TypeForm>,
) -> AppResult<HttpResponse> {
    let query = ListQuery::default();
    after_form(
        result,
        |message| staff.done(&message, &urls::cfp_types(staff.slug())),
        |errors| list_page(staff, &query, Some(TypeInput { id, form, errors }), INVALID),
    )
    .await
}

/// `POST /admin/events/{slug}/cfp/types`.
pub async fn add_type(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TypeForm>,
) -> AppResult<HttpResponse> {
    let result = submit(types::parse(&form), |input| {
        admin.write(move |conn, cx| types::add(conn, cx, &input))
    })
    .await
    .map(|t| format!("Added {}.", t.name));
    after_type_change(&admin, result, None, Some(form)).await
}

/// `POST /admin/events/{slug}/cfp/types/{id}`: rename, change kind or minutes.
pub async fn update_type(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TypeForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let i = id.clone();
    let result = submit(types::parse(&form), |input| {
        admin.write(move |conn, cx| types::update(conn, cx, &i, &input))
    })
    .await
    .map(|t| format!("Saved {}.", t.name));
    after_type_change(&admin, result, Some(id), Some(form)).await
}

/// `POST /admin/events/{slug}/cfp/types/{id}/delete`: only while no proposal uses it.
pub async fn delete_type(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let i = id.clone();
    let result = admin
        .write(move |conn, cx| types::delete(conn, cx, &i))
        .await
        .map(|t| format!("Deleted {}.", t.name));
    after_type_change(&admin, result, Some(id), None).await
}
