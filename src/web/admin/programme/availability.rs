//! Organizers set when a speaker can be there (for speakers who told them another way).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::page;
use crate::error::{AppResult, FieldErrors};
use crate::forms::submit;
use crate::programme::availability::{self, AvailabilityForm};
use crate::programme::queries;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::{after_form, INVALID};

async fn show_page(
    staff: &EventStaff,
    id: String,
    form: Option<AvailabilityForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let pid = id.clone();
    let (person, stored) = staff
        .read(move |conn, cx| {
            let person = queries::person(conn, &pid)?;
            Ok((person, availability::form_of(conn, &cx.event, &pid)?))
        })
        .await?;
    let form = form.unwrap_or(stored);
    let days = availability::rows(&staff.event, &form, &errors);
    let data = json!({ "id": id, "name": person.name, "days": days, "errors": errors });
    page(
        staff,
        "admin/programme_availability",
        "Availability",
        data,
        status,
    )
}

/// `GET …/programme/speakers/{id}/availability`.
pub async fn show(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    show_page(
        &admin,
        path.into_inner().1,
        None,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST …/programme/speakers/{id}/availability`.
pub async fn save(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<AvailabilityForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let pid = id.clone();
    let result = submit(availability::parse(&admin.event, &form), |windows| {
        admin.write(move |conn, cx| {
            queries::person(conn, &pid)?;
            availability::save(conn, cx, &pid, &windows)
        })
    })
    .await;
    after_form(
        result,
        |()| admin.done("Availability saved.", &urls::speaker(admin.slug(), &id)),
        |errors| show_page(&admin, id.clone(), Some(form.clone()), errors, INVALID),
    )
    .await
}
