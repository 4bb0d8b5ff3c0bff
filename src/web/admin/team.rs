//! The event team: owners add organizers and reviewers, change and remove roles.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts::service::{self, TeamMember};
use crate::accounts::{Capability, Role, Viewer};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::view;
use crate::values::EmailAddress;
use crate::web::extractors::{AdminUser, CsrfForm};
use crate::web::render::{after_form, flash, redirect, Page, INVALID};
use crate::web::AppState;

/// The add-member form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AddForm {
    /// Email of the new member.
    pub email: String,
    /// Their name (for a new account).
    pub name: String,
    /// owner, organizer or reviewer.
    pub role: String,
}

/// The change-role form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    /// The new role.
    pub role: String,
}

#[derive(Serialize)]
struct TeamPage {
    slug: String,
    event_name: String,
    members: Vec<TeamMember>,
    form: AddForm,
    errors: FieldErrors,
    viewer_id: String,
}

async fn render_team(
    state: &AppState,
    session: &Session,
    viewer: &Viewer,
    slug: String,
    form: AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let v = viewer.clone();
    let (event, members) = state
        .read(move |conn| {
            let event = view::event_for(conn, &v, &slug, Capability::ManageTeam)?;
            let members = service::team(conn, &event.id)?;
            Ok((event, members))
        })
        .await?;
    let page = TeamPage {
        slug: event.slug,
        event_name: event.name.clone(),
        members,
        form,
        errors,
        viewer_id: viewer.organizer.id.clone(),
    };
    Page::new("admin/team")
        .data(page)
        .status(status)
        .viewer(viewer)
        .title(format!("Team · {}", event.name))
        .render(state, session)
}

/// `GET /admin/events/{slug}/team`.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let form = AddForm {
        role: "organizer".into(),
        ..AddForm::default()
    };
    render_team(
        &state,
        &session,
        &viewer,
        slug.into_inner(),
        form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/events/{slug}/team`: adds a member (creating the account if needed).
pub async fn add(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (v, slug, submitted) = (viewer.clone(), slug.into_inner(), form.clone());
    let path_slug = slug.clone();
    let mailer = state.mailer.clone();
    let result = state
        .write(move |conn| {
            let event = view::event_for(conn, &v, &path_slug, Capability::ManageTeam)?;
            let mut errors = FieldErrors::new();
            let email = EmailAddress::parse(&submitted.email)
                .map_err(|m| errors.insert("email".into(), m))
                .ok();
            let role = Role::parse(&submitted.role);
            if role.is_none() {
                errors.insert("role".into(), "Choose owner, organizer or reviewer.".into());
            }
            let (Some(email), Some(role)) = (email, role) else {
                return Err(AppError::Invalid(errors));
            };
            conn.transaction(|conn| {
                crate::accounts::service::add_member(
                    conn,
                    now,
                    &mailer,
                    &v.actor(),
                    &event,
                    &email,
                    &submitted.name,
                    role,
                )
                .map(|added| (added, event.slug.clone()))
            })
        })
        .await;
    after_form(
        result,
        |(added, slug)| {
            let note = if added.created {
                " They had no account: an invitation with a link to choose a password is on its way."
            } else {
                ""
            };
            flash(&session, &format!("Added {}.{note}", added.organizer.email));
            redirect(&format!("/admin/events/{slug}/team"))
        },
        |errors| render_team(&state, &session, &viewer, slug, form, errors, INVALID),
    )
    .await
}

/// `POST /admin/events/{slug}/team/{organizer_id}/role`.
pub async fn change_role(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (slug, organizer_id) = path.into_inner();
    let v = viewer.clone();
    let slug = state
        .write(move |conn| {
            let event = view::event_for(conn, &v, &slug, Capability::ManageTeam)?;
            let role = Role::parse(&form.role).ok_or_else(|| {
                AppError::BadRequest("Choose owner, organizer or reviewer.".into())
            })?;
            conn.transaction(|conn| {
                service::change_role(conn, now, &v.actor(), &event.id, &organizer_id, role)
            })?;
            Ok(event.slug)
        })
        .await?;
    flash(&session, "Role changed.");
    Ok(redirect(&format!("/admin/events/{slug}/team")))
}

/// `POST /admin/events/{slug}/team/{organizer_id}/remove`.
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    AdminUser(viewer): AdminUser,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (slug, organizer_id) = path.into_inner();
    let v = viewer.clone();
    let slug = state
        .write(move |conn| {
            let event = view::event_for(conn, &v, &slug, Capability::ManageTeam)?;
            conn.transaction(|conn| {
                service::remove_member(conn, now, &v.actor(), &event.id, &organizer_id)
            })?;
            Ok(event.slug)
        })
        .await?;
    flash(&session, "Removed from the team.");
    Ok(redirect(&format!("/admin/events/{slug}/team")))
}
