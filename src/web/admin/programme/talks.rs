//! Talks: the list, the talk form (new and edit).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::page;
use crate::error::{AppResult, FieldErrors};
use crate::programme::model::TalkState;
use crate::programme::talks::{self, TalkForm};
use crate::programme::{queries, views};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::{after_form, INVALID};

/// The talk list's filters and page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// `confirmed` or `cancelled` (empty: both).
    pub state: String,
    /// `yes` (in the grid) or `no` (empty: both).
    pub scheduled: String,
    /// Words of the title or a speaker's name.
    pub q: String,
    /// Page (1-based).
    pub page: i64,
}

/// `GET …/programme/talks`: filtered, a page at a time.
pub async fn list(
    admin: EventAdmin<need::Organize>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let filter = views::TalkFilter {
        state: TalkState::parse(&query.state),
        scheduled: (!query.scheduled.is_empty()).then(|| query.scheduled == "yes"),
        search: query.q.clone(),
    };
    let rows = admin
        .read(move |conn, cx| views::talk_rows(conn, &cx.event, &filter))
        .await?;
    let (rows, paging) = crate::paging::slice(rows, query.page, admin.ctx.settings.list_page_size);
    let pairs = [
        ("state", query.state.as_str()),
        ("scheduled", &query.scheduled),
        ("q", &query.q),
    ];
    let pager = paging.view(|p| crate::paging::link(&urls::talks(admin.slug()), &pairs, p));
    let data = json!({ "rows": rows, "pager": pager, "state": query.state, "scheduled": query.scheduled, "q": query.q });
    page(
        &admin,
        "admin/programme_talks",
        "Talks",
        data,
        StatusCode::OK,
    )
}

async fn form_page(
    staff: &EventStaff,
    id: Option<String>,
    form: TalkForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let f = form.clone();
    let (choices, rows) = staff
        .read(move |conn, cx| {
            Ok((
                views::talk_choices(conn, &cx.event)?,
                views::person_rows(conn, &f)?,
            ))
        })
        .await?;
    let title = if id.is_some() {
        "Edit talk"
    } else {
        "New talk"
    };
    let data = json!({ "id": id, "form": form, "errors": errors, "choices": choices, "people_rows": rows });
    page(staff, "admin/programme_talk", title, data, status)
}

/// `GET …/programme/talks/new`.
pub async fn new(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    form_page(
        &admin,
        None,
        TalkForm::blank(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET …/programme/talks/{id}`.
pub async fn edit(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let tid = id.clone();
    let (talk, people) = admin
        .read(move |conn, cx| queries::talk_of(conn, &cx.event.id, &tid))
        .await?;
    form_page(
        &admin,
        Some(id),
        views::talk_form(&talk, &people),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save(staff: &EventStaff, id: Option<String>, form: TalkForm) -> AppResult<HttpResponse> {
    let (tid, f) = (id.clone(), form.clone());
    let result = staff
        .write(move |conn, cx| {
            let input = talks::parse_checked(conn, cx, &f)?;
            talks::save(conn, cx, tid.as_deref(), &input)
        })
        .await;
    after_form(
        result,
        |talk| {
            staff.done(
                &format!("Saved “{}”.", talk.title),
                &urls::talks(staff.slug()),
            )
        },
        |errors| form_page(staff, id, form, errors, INVALID),
    )
    .await
}

/// `POST …/programme/talks`.
pub async fn create(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TalkForm>,
) -> AppResult<HttpResponse> {
    save(&admin, None, form).await
}

/// `POST …/programme/talks/{id}`.
pub async fn update(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TalkForm>,
) -> AppResult<HttpResponse> {
    save(&admin, Some(path.into_inner().1), form).await
}
