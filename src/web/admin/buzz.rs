//! Buzz for organizers: add and edit items, link them to a talk or topic, and moderate what
//! visitors suggested.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::buzz::items::{self, BuzzForm, Moderation};
use crate::buzz::views;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::paging::PageQuery;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::{Page, INVALID};

async fn list_page(
    staff: &EventStaff,
    page: PageQuery,
    form: &BuzzForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let at = (page.page, staff.ctx.settings.list_page_size);
    let (mut data, paging) = staff
        .read(move |conn, cx| Ok(views::admin_page(conn, &cx.event, at)?))
        .await?;
    let path = urls::buzz(staff.slug());
    data["pager"] = json!(paging.view(|p| crate::paging::link(&path, &[], p)));
    data["form"] = json!(form);
    data["errors"] = json!(errors);
    staff.render(
        Page::new("admin/buzz")
            .data(data)
            .status(status)
            .title(format!("Buzz · {}", staff.event.name)),
    )
}

async fn item_page(
    staff: &EventStaff,
    id: String,
    form: Option<&BuzzForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let item_id = id.clone();
    let (item, mut data) = staff
        .read(move |conn, cx| {
            let item = items::find(conn, &cx.event.id, &item_id)?;
            let about = views::about_choices(conn, &cx.event)?;
            Ok((item, json!({ "kinds": views::kinds(), "about": about })))
        })
        .await?;
    data["form"] = json!(form.cloned().unwrap_or_else(|| BuzzForm::of(&item)));
    data["errors"] = json!(errors);
    data["id"] = json!(id);
    staff.render(
        Page::new("admin/buzz_item")
            .data(data)
            .status(status)
            .title(format!("{} · Buzz", item.title)),
    )
}

/// `GET /admin/events/{slug}/after/buzz`.
pub async fn list(
    admin: EventAdmin<need::Organize>,
    page: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    list_page(
        &admin,
        *page,
        &BuzzForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/after/buzz`: adds a published item.
pub async fn add(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<BuzzForm>,
) -> AppResult<HttpResponse> {
    let result = match items::parse(&form, false) {
        Ok(input) => {
            admin
                .write(move |conn, cx| items::add(conn, cx, &input))
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(item) => {
            admin.ctx.programme_cache.invalidate(admin.slug());
            Ok(admin.done(
                &format!("“{}” added.", item.title),
                &urls::buzz(admin.slug()),
            ))
        }
        Err(AppError::Invalid(errors)) => {
            list_page(&admin, PageQuery::default(), &form, errors, INVALID).await
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/events/{slug}/after/buzz/{id}`.
pub async fn item(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    item_page(
        &admin,
        path.into_inner().1,
        None,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/after/buzz/{id}`.
pub async fn update(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<BuzzForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let result = match items::parse(&form, false) {
        Ok(input) => {
            let item_id = id.clone();
            admin
                .write(move |conn, cx| items::update(conn, cx, &item_id, &input))
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(()) => {
            admin.ctx.programme_cache.invalidate(admin.slug());
            Ok(admin.done("Saved.", &urls::buzz(admin.slug())))
        }
        Err(AppError::Invalid(errors)) => item_page(&admin, id, Some(&form), errors, INVALID).await,
        Err(e) => Err(e),
    }
}

/// The moderation buttons.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ModerateForm {
    action: String,
}

/// `POST /admin/events/{slug}/after/buzz/{id}/moderate`: publish, reject or delete.
pub async fn moderate(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let action = Moderation::parse(&form.action)
        .ok_or_else(|| AppError::BadRequest("Unknown action.".into()))?;
    let message = admin
        .write(move |conn, cx| items::moderate(conn, cx, &id, action))
        .await?;
    admin.ctx.programme_cache.invalidate(admin.slug());
    Ok(admin.done(&message, &urls::buzz(admin.slug())))
}
