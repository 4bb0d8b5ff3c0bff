//! The event team: owners add organizers and reviewers, change and remove roles.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts::service::{self, TeamMember};
use crate::accounts::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::values::EmailAddress;
use crate::web::extractors::{need, CsrfForm, EventAdmin};
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
    /// owner, organizer, reviewer or check_in.
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
    roles: Vec<RoleOption>,
}

#[derive(Serialize)]
struct RoleOption {
    value: &'static str,
    label: &'static str,
}

async fn render_team(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::ManageTeam>,
    form: AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let event_id = admin.event.id.clone();
    let members = state
        .read(move |conn| Ok(service::team(conn, &event_id)?))
        .await?;
    let page = TeamPage {
        slug: admin.event.slug.clone(),
        event_name: admin.event.name.clone(),
        members,
        form,
        errors,
        viewer_id: admin.viewer.organizer.id.clone(),
        roles: Role::ALL
            .iter()
            .map(|r| RoleOption {
                value: r.as_str(),
                label: r.label(),
            })
            .collect(),
    };
    Page::new("admin/team")
        .data(page)
        .status(status)
        .title(format!("Team · {}", admin.event.name))
        .render_event(state, session, admin)
}

/// `GET /admin/events/{slug}/team`.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::ManageTeam>,
) -> AppResult<HttpResponse> {
    let form = AddForm {
        role: "organizer".into(),
        ..AddForm::default()
    };
    render_team(
        &state,
        &session,
        &admin,
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
    admin: EventAdmin<need::ManageTeam>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (actor, event, submitted) = (admin.actor(), admin.event.clone(), form.clone());
    let mailer = state.mailer.clone();
    let result = state
        .write(move |conn| {
            let mut errors = FieldErrors::new();
            let email = EmailAddress::parse(&submitted.email)
                .map_err(|m| errors.insert("email".into(), m))
                .ok();
            let role = Role::parse(&submitted.role);
            if role.is_none() {
                errors.insert("role".into(), CHOOSE_ROLE.into());
            }
            let (Some(email), Some(role)) = (email, role) else {
                return Err(AppError::Invalid(errors));
            };
            conn.transaction(|conn| {
                service::add_member(
                    conn,
                    now,
                    &mailer,
                    &actor,
                    &event,
                    &email,
                    &submitted.name,
                    role,
                )
            })
        })
        .await;
    let slug = admin.event.slug.clone();
    after_form(
        result,
        |added| {
            let note = if added.created {
                " They had no account: an invitation with a link to choose a password is on its way."
            } else {
                ""
            };
            flash(&session, &format!("Added {}.{note}", added.organizer.email));
            redirect(&format!("/admin/events/{slug}/team"))
        },
        |errors| render_team(&state, &session, &admin, form, errors, INVALID),
    )
    .await
}

const CHOOSE_ROLE: &str = "Choose owner, organizer, reviewer or check-in volunteer.";

/// `POST /admin/events/{slug}/team/{organizer_id}/role`.
pub async fn change_role(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::ManageTeam>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (_, organizer_id) = path.into_inner();
    let (actor, event_id) = (admin.actor(), admin.event.id.clone());
    let role = Role::parse(&form.role).ok_or_else(|| AppError::BadRequest(CHOOSE_ROLE.into()))?;
    state
        .write(move |conn| {
            conn.transaction(|conn| {
                service::change_role(conn, now, &actor, &event_id, &organizer_id, role)
            })
        })
        .await?;
    flash(&session, "Role changed.");
    Ok(redirect(&format!(
        "/admin/events/{}/team",
        admin.event.slug
    )))
}

/// `POST /admin/events/{slug}/team/{organizer_id}/remove`.
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::ManageTeam>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let now = state.now();
    let (_, organizer_id) = path.into_inner();
    let (actor, event_id) = (admin.actor(), admin.event.id.clone());
    state
        .write(move |conn| {
            conn.transaction(|conn| {
                service::remove_member(conn, now, &actor, &event_id, &organizer_id)
            })
        })
        .await?;
    flash(&session, "Removed from the team.");
    Ok(redirect(&format!(
        "/admin/events/{}/team",
        admin.event.slug
    )))
}
