//! Speakers (people on talks): the list, a new speaker, one speaker's profile.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::page;
use crate::error::{AppResult, FieldErrors};
use crate::forms::submit;
use crate::programme::people::{self, PersonForm};
use crate::programme::{queries, views};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::{after_form, INVALID};

#[derive(Serialize)]
struct PersonPage {
    form: PersonForm,
    errors: FieldErrors,
    id: Option<String>,
}

/// The speaker list's search and page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Words of the name.
    pub q: String,
    /// Page (1-based).
    pub page: i64,
}

async fn speakers_page(
    staff: &EventStaff,
    query: &ListQuery,
    form: PersonForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let q = query.q.clone();
    let people = staff
        .read(move |conn, cx| Ok(queries::people_of(conn, &cx.event.id)?))
        .await?;
    let wanted = q.trim().to_lowercase();
    let people: Vec<_> = people
        .into_iter()
        .filter(|p| wanted.is_empty() || p.name.to_lowercase().contains(&wanted))
        .collect();
    let (people, paging) =
        crate::paging::slice(people, query.page, staff.ctx.settings.list_page_size);
    let path = urls::speakers(staff.slug());
    let pager = paging.view(|p| crate::paging::link(&path, &[("q", &q)], p));
    let data = json!({ "people": people, "form": form, "errors": errors, "pager": pager, "q": q });
    page(staff, "admin/programme_speakers", "Speakers", data, status)
}

fn speaker_page(
    staff: &EventStaff,
    title: &str,
    data: PersonPage,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let data = serde_json::to_value(data).unwrap_or_default();
    page(staff, "admin/programme_speaker", title, data, status)
}

/// `GET …/programme/speakers`: searched, a page at a time.
pub async fn list(
    admin: EventAdmin<need::Organize>,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    speakers_page(
        &admin,
        &query,
        PersonForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST …/programme/speakers`: a new speaker (or the existing profile with that email).
pub async fn create(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> AppResult<HttpResponse> {
    let result = submit(people::parse(&form), |input| {
        admin.write(move |conn, cx| people::save(conn, cx, None, &input))
    })
    .await;
    after_form(
        result,
        |p| {
            let message = format!("{} is in the speaker list; add them to a talk.", p.name);
            admin.done(&message, &urls::speaker(admin.slug(), &p.id))
        },
        |errors| {
            let admin = &admin;
            async move { speakers_page(admin, &ListQuery::default(), form, errors, INVALID).await }
        },
    )
    .await
}

/// `GET …/programme/speakers/{id}`.
pub async fn show(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let pid = id.clone();
    let person = admin
        .read(move |conn, _| queries::person(conn, &pid))
        .await?;
    let data = PersonPage {
        form: views::person_form(&person),
        errors: FieldErrors::new(),
        id: Some(id),
    };
    speaker_page(&admin, &person.name, data, StatusCode::OK)
}

/// `POST …/programme/speakers/{id}`.
pub async fn update(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let pid = id.clone();
    let result = submit(people::parse(&form), |input| {
        admin.write(move |conn, cx| people::save(conn, cx, Some(&pid), &input))
    })
    .await;
    after_form(
        result,
        |p| admin.done(&format!("Saved {}.", p.name), &urls::speakers(admin.slug())),
        |errors| {
            std::future::ready(speaker_page(
                &admin,
                "Speaker",
                PersonPage {
                    form,
                    errors,
                    id: Some(id),
                },
                INVALID,
            ))
        },
    )
    .await
}
