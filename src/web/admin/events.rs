//! Creating, editing and cloning events.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

use crate::accounts::Viewer;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::form::{self, EventForm};
use crate::events::lifecycle::{self, CloneForm};
use crate::events::{queries, views, visibility};
use crate::forms::submit;
use crate::urls::admin as urls;
use crate::web::extractors::{need, AdminUser, CsrfForm, Ctx, EventAdmin, EventStaff};
use crate::web::render::{after_form, Page, INVALID};

/// Data of the event form page.
#[derive(Serialize)]
struct FormPage<'a> {
    heading: &'a str,
    action: String,
    form: EventForm,
    errors: FieldErrors,
    timezones: Vec<&'static str>,
    slug: Option<String>,
}

impl FormPage<'_> {
    fn new(form: EventForm, errors: FieldErrors) -> FormPage<'static> {
        FormPage {
            heading: "New event",
            action: "/admin/events".into(),
            form,
            errors,
            timezones: timezones(),
            slug: None,
        }
    }

    fn edit(slug: &str, form: EventForm, errors: FieldErrors) -> FormPage<'static> {
        FormPage {
            heading: "Edit event",
            action: urls::event_edit(slug),
            form,
            errors,
            timezones: timezones(),
            slug: Some(slug.to_string()),
        }
    }

    fn page(&self, status: StatusCode) -> Page<'static> {
        let title = self.heading.to_string();
        Page::new("admin/event_form")
            .data(self)
            .status(status)
            .title(title)
    }
}

fn timezones() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

fn require_site_admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.organizer.is_site_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /admin/events/new` (site administrators).
pub async fn new_form(ctx: Ctx, AdminUser(viewer): AdminUser) -> AppResult<HttpResponse> {
    require_site_admin(&viewer)?;
    let page = FormPage::new(EventForm::blank(), FieldErrors::new());
    ctx.render_for(&viewer, page.page(StatusCode::OK))
}

/// `POST /admin/events`.
pub async fn create(
    ctx: Ctx,
    AdminUser(viewer): AdminUser,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<HttpResponse> {
    require_site_admin(&viewer)?;
    let (now, actor) = (ctx.now(), viewer.actor());
    let result = submit(form::parse(&form), |input| {
        ctx.write(move |conn| lifecycle::create(conn, now, &actor, input, false))
    })
    .await;
    after_form(
        result,
        |event| {
            ctx.done(
                &format!("Created {}.", event.name),
                &urls::event(&event.slug),
            )
        },
        |errors| {
            std::future::ready(ctx.render_for(&viewer, FormPage::new(form, errors).page(INVALID)))
        },
    )
    .await
}

/// `GET /admin/events/{slug}/`: the event's admin overview (reviewers too; check-in volunteers
/// go to the desk).
pub async fn overview(admin: EventAdmin<need::Review>) -> AppResult<HttpResponse> {
    let page = admin
        .read(|conn, cx| views::event_page(conn, &cx.event.slug, cx.now))
        .await?;
    let role = admin
        .viewer
        .role_on(&admin.event.id)
        .map(|r| r.label())
        .unwrap_or("");
    let title = page.name.clone();
    let status = admin.event.status.as_str();
    let owner = admin.may(crate::accounts::Capability::ManageTeam);
    admin.render(
        Page::new("admin/event_overview")
            .data(serde_json::json!({ "event": page, "role": role, "status": status, "owner": owner, "errors": {} }))
            .title(title),
    )
}

/// `GET /admin/events/{slug}/edit`.
pub async fn edit_form(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let form = admin
        .read(|conn, cx| {
            let venue = match &cx.event.venue_id {
                Some(id) => queries::venue(conn, id)?,
                None => None,
            };
            Ok(EventForm::from_event(&cx.event, venue.as_ref()))
        })
        .await?;
    let page = FormPage::edit(admin.slug(), form, FieldErrors::new());
    admin.render(page.page(StatusCode::OK))
}

/// `POST /admin/events/{slug}/edit`.
pub async fn update(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<HttpResponse> {
    let result = submit(form::parse(&form), |input| {
        admin.write(move |conn, cx| lifecycle::update(conn, cx, input))
    })
    .await;
    after_form(
        result,
        |event| admin.done("Saved.", &urls::event(&event.slug)),
        |errors| {
            std::future::ready(
                admin.render(FormPage::edit(admin.slug(), form, errors).page(INVALID)),
            )
        },
    )
    .await
}

#[derive(Serialize)]
struct ClonePage {
    source: String,
    source_name: String,
    form: CloneForm,
    errors: FieldErrors,
}

fn clone_page(
    staff: &EventStaff,
    form: CloneForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let page = ClonePage {
        source: staff.event.slug.clone(),
        source_name: staff.event.name.clone(),
        form,
        errors,
    };
    staff.render(
        Page::new("admin/event_clone")
            .data(page)
            .status(status)
            .title("Clone event"),
    )
}

/// `GET /admin/events/{slug}/clone` (site administrators: cloning creates an event).
pub async fn clone_form(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    require_site_admin(&admin.viewer)?;
    clone_page(
        &admin,
        CloneForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
}

/// `POST /admin/events/{slug}/clone`.
pub async fn clone(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<CloneForm>,
) -> AppResult<HttpResponse> {
    require_site_admin(&admin.viewer)?;
    let result = submit(lifecycle::parse_clone(&form), |input| {
        // Cloning makes a new event, so an archived one can be cloned too.
        admin.write_archived(move |conn, cx| lifecycle::clone_event(conn, cx, &input))
    })
    .await;
    after_form(
        result,
        |event| {
            let message = format!(
                "Created {} from {}. Check its dates and settings.",
                event.name,
                admin.slug()
            );
            admin.done(&message, &urls::event_edit(&event.slug))
        },
        |errors| std::future::ready(clone_page(&admin, form, errors, INVALID)),
    )
    .await
}

/// `POST /admin/events/{slug}/status`: publish, back to draft, archive, out of the archive.
pub async fn status(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<visibility::StatusForm>,
) -> AppResult<HttpResponse> {
    let message = match admin
        .write_archived(move |conn, cx| visibility::change(conn, cx, &form.action))
        .await
    {
        Ok(done) => done,
        Err(AppError::Refused(why)) => why,
        Err(e) => return Err(e),
    };
    admin.ctx.programme_cache.invalidate(admin.slug());
    Ok(admin.done(&message, &urls::event(admin.slug())))
}

/// The delete form: the slug, typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    /// Must be the event's slug.
    pub confirm_slug: String,
}

/// `POST /admin/events/{slug}/delete` (owners): deletes the event with everything it holds.
pub async fn delete(
    admin: EventAdmin<need::ManageTeam>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<HttpResponse> {
    let typed = form.confirm_slug;
    let result = admin
        .write_archived(move |conn, cx| visibility::delete(conn, cx, &typed))
        .await;
    match result {
        Ok(()) => {
            admin.ctx.programme_cache.invalidate(admin.slug());
            let message = format!("Deleted {} with everything it held.", admin.event.name);
            Ok(admin.done(&message, &urls::dashboard()))
        }
        Err(AppError::Invalid(errors)) => {
            let message = errors.values().next().cloned().unwrap_or_default();
            Ok(admin.done(&message, &urls::event(admin.slug())))
        }
        Err(e) => Err(e),
    }
}
