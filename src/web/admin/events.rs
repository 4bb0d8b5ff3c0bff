//! Creating, editing and cloning events.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::accounts::Viewer;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::service::{self, CloneForm, EventForm};
use crate::events::{queries, view};
use crate::web::extractors::{need, AdminUser, CsrfForm, EventAdmin};
use crate::web::render::{after_form, flash, redirect, Frame, Page, INVALID};
use crate::web::AppState;

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

fn timezones() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
}

fn form_page(frame: &Frame<'_>, page: FormPage<'_>, status: StatusCode) -> AppResult<HttpResponse> {
    let title = page.heading.to_string();
    frame.render(
        Page::new("admin/event_form")
            .data(page)
            .status(status)
            .title(title),
    )
}

fn require_site_admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.organizer.is_site_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /admin/events/new` (site administrators).
pub async fn new_form(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
) -> AppResult<HttpResponse> {
    require_site_admin(&viewer)?;
    let page = FormPage {
        heading: "New event",
        action: "/admin/events".into(),
        form: EventForm::blank(),
        errors: FieldErrors::new(),
        timezones: timezones(),
        slug: None,
    };
    form_page(&Frame::new(&state, &session, &viewer), page, StatusCode::OK)
}

/// `POST /admin/events`.
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<HttpResponse> {
    require_site_admin(&viewer)?;
    let now = state.now();
    let (actor, submitted) = (viewer.actor(), form.clone());
    let result = state
        .write(move |conn| {
            let input = service::parse_form(&submitted).map_err(AppError::Invalid)?;
            service::create(conn, now, &actor, input, false)
        })
        .await;
    after_form(
        result,
        |event| {
            flash(&session, &format!("Created {}.", event.name));
            redirect(&format!("/admin/events/{}/", event.slug))
        },
        |errors| {
            let page = FormPage {
                heading: "New event",
                action: "/admin/events".into(),
                form,
                errors,
                timezones: timezones(),
                slug: None,
            };
            std::future::ready(form_page(
                &Frame::new(&state, &session, &viewer),
                page,
                INVALID,
            ))
        },
    )
    .await
}

/// `GET /admin/events/{slug}/`: the event's admin overview (reviewers too; check-in volunteers
/// go to the desk).
pub async fn overview(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Review>,
) -> AppResult<HttpResponse> {
    let (now, slug) = (state.now(), admin.event.slug.clone());
    let page = state
        .read(move |conn| view::event_page(conn, &slug, now))
        .await?;
    let role = admin
        .viewer
        .role_on(&admin.event.id)
        .map(|r| r.label())
        .unwrap_or("");
    let title = page.name.clone();
    Page::new("admin/event_overview")
        .data(serde_json::json!({ "event": page, "slug": admin.event.slug, "role": role }))
        .title(title)
        .render_event(&state, &session, &admin)
}

/// `GET /admin/events/{slug}/edit`.
pub async fn edit_form(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = admin.event.clone();
    let form = state
        .read(move |conn| {
            let venue = match &event.venue_id {
                Some(id) => queries::venue(conn, id)?,
                None => None,
            };
            Ok(EventForm::from_event(&event, venue.as_ref()))
        })
        .await?;
    let slug = admin.event.slug.clone();
    let page = FormPage {
        heading: "Edit event",
        action: format!("/admin/events/{slug}/edit"),
        form,
        errors: FieldErrors::new(),
        timezones: timezones(),
        slug: Some(slug),
    };
    form_page(
        &Frame::event(&state, &session, &admin),
        page,
        StatusCode::OK,
    )
}

/// `POST /admin/events/{slug}/edit`.
pub async fn update(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<EventForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (actor, event, submitted) = (admin.actor(), admin.event.clone(), form.clone());
    let original_slug = admin.event.slug.clone();
    let mailer = state.mailer.clone();
    let result = state
        .write(move |conn| {
            let input = service::parse_form(&submitted).map_err(AppError::Invalid)?;
            service::update(conn, now, &mailer, &actor, &event, input)
        })
        .await;
    after_form(
        result,
        |event| {
            flash(&session, "Saved.");
            redirect(&format!("/admin/events/{}/", event.slug))
        },
        |errors| {
            let page = FormPage {
                heading: "Edit event",
                action: format!("/admin/events/{original_slug}/edit"),
                form,
                errors,
                timezones: timezones(),
                slug: Some(original_slug),
            };
            std::future::ready(form_page(
                &Frame::event(&state, &session, &admin),
                page,
                INVALID,
            ))
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

/// `GET /admin/events/{slug}/clone` (site administrators: cloning creates an event).
pub async fn clone_form(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    require_site_admin(&admin.viewer)?;
    let event = &admin.event;
    let page = ClonePage {
        source: event.slug.clone(),
        source_name: event.name.clone(),
        form: CloneForm::default(),
        errors: FieldErrors::new(),
    };
    Page::new("admin/event_clone")
        .data(page)
        .title("Clone event")
        .render_event(&state, &session, &admin)
}

/// `POST /admin/events/{slug}/clone`.
pub async fn clone(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<CloneForm>,
) -> AppResult<HttpResponse> {
    require_site_admin(&admin.viewer)?;
    let now = state.now();
    let (actor, source, submitted) = (admin.actor(), admin.event.clone(), form.clone());
    let source_slug = admin.event.slug.clone();
    let result = state
        .write(move |conn| service::clone_event(conn, now, &actor, &source, &submitted))
        .await;
    after_form(
        result,
        |event| {
            flash(
                &session,
                &format!(
                    "Created {} from {}. Check its dates and settings.",
                    event.name, source_slug
                ),
            );
            redirect(&format!("/admin/events/{}/edit", event.slug))
        },
        |errors| {
            let page = ClonePage {
                source: source_slug.clone(),
                source_name: source_slug.clone(),
                form,
                errors,
            };
            std::future::ready(
                Page::new("admin/event_clone")
                    .data(page)
                    .status(INVALID)
                    .title("Clone event")
                    .render_event(&state, &session, &admin),
            )
        },
    )
    .await
}
