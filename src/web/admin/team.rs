//! The event team: owners add organizers and reviewers, change and remove roles.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::service::{self, TeamMember};
use crate::accounts::Role;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::submit;
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::{after_form, Page, INVALID};

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
    staff: &EventStaff,
    form: AddForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let admin = staff;
    let members = staff
        .read(|conn, cx| Ok(service::team(conn, &cx.event.id)?))
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
    staff.render(
        Page::new("admin/team")
            .data(page)
            .status(status)
            .title(format!("Team · {}", admin.event.name)),
    )
}

/// `GET /admin/events/{slug}/team`.
pub async fn show(admin: EventAdmin<need::ManageTeam>) -> AppResult<HttpResponse> {
    let form = AddForm {
        role: Role::Organizer.as_str().into(),
        ..AddForm::default()
    };
    render_team(&admin, form, FieldErrors::new(), StatusCode::OK).await
}

/// `POST /admin/events/{slug}/team`: adds a member (creating the account if needed).
pub async fn add(
    admin: EventAdmin<need::ManageTeam>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> AppResult<HttpResponse> {
    let parsed = service::parse_member(&form.email, &form.name, &form.role);
    let result = submit(parsed, |input| {
        admin.write(move |conn, cx| service::add_member(conn, cx, &input))
    })
    .await;
    after_form(
        result,
        |added| {
            let note = if added.created {
                " They had no account: an invitation with a link to choose a password is on its way."
            } else {
                ""
            };
            let message = format!("Added {}.{note}", added.organizer.email);
            admin.done(&message, &urls::team(admin.slug()))
        },
        |errors| render_team(&admin, form, errors, INVALID),
    )
    .await
}

/// `POST /admin/events/{slug}/team/{organizer_id}/role`.
pub async fn change_role(
    admin: EventAdmin<need::ManageTeam>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let organizer_id = path.into_inner().1;
    let role =
        Role::parse(&form.role).ok_or_else(|| AppError::BadRequest(service::CHOOSE_ROLE.into()))?;
    admin
        .write(move |conn, cx| service::change_role(conn, cx, &organizer_id, role))
        .await?;
    Ok(admin.done("Role changed.", &urls::team(admin.slug())))
}

/// `POST /admin/events/{slug}/team/{organizer_id}/remove`.
pub async fn remove(
    admin: EventAdmin<need::ManageTeam>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<RoleForm>,
) -> AppResult<HttpResponse> {
    let organizer_id = path.into_inner().1;
    admin
        .write(move |conn, cx| service::remove_member(conn, cx, &organizer_id))
        .await?;
    Ok(admin.done("Removed from the team.", &urls::team(admin.slug())))
}
