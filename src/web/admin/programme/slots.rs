//! Slots: the slot form (new and edit), placing a talk (the form and the drag-and-drop
//! editor), unscheduling, deleting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::page;
use crate::error::{AppResult, FieldErrors};
use crate::programme::model::SlotKind;
use crate::programme::slots::{self, SlotForm};
use crate::programme::{queries, views};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{after_form, INVALID};

async fn form_page(
    staff: &EventStaff,
    id: Option<String>,
    form: SlotForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let choices = staff
        .read(|conn, cx| views::slot_choices(conn, &cx.event))
        .await?;
    let title = if id.is_some() {
        "Edit slot"
    } else {
        "New slot"
    };
    let data = json!({ "id": id, "form": form, "errors": errors, "choices": choices, "timezone": staff.event.timezone });
    page(staff, "admin/programme_slot", title, data, status)
}

/// Prefill of a new slot.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewSlotQuery {
    /// Local start.
    pub starts_at: String,
    /// Room.
    pub room_id: String,
    /// Talk to place.
    pub talk_id: String,
}

/// `GET …/programme/slots/new`.
pub async fn new(
    admin: EventAdmin<need::Organize>,
    query: web::Query<NewSlotQuery>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let start = if query.starts_at.is_empty() {
        crate::values::to_local_input(event.starts_at, event.tz())
    } else {
        query.starts_at.clone()
    };
    let form = SlotForm {
        starts_at: start,
        room_id: query.room_id.clone(),
        talk_id: query.talk_id.clone(),
        kind: SlotKind::Talk.to_string(),
        ..SlotForm::default()
    };
    form_page(&admin, None, form, FieldErrors::new(), StatusCode::OK).await
}

/// `GET …/programme/slots/{id}`.
pub async fn edit(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let sid = id.clone();
    let slot = admin
        .read(move |conn, cx| queries::slot_of(conn, &cx.event.id, &sid))
        .await?;
    let form = views::slot_form(&slot, &admin.event);
    form_page(&admin, Some(id), form, FieldErrors::new(), StatusCode::OK).await
}

async fn save(staff: &EventStaff, id: Option<String>, form: SlotForm) -> AppResult<HttpResponse> {
    let (sid, f) = (id.clone(), form.clone());
    let result = staff
        .write(move |conn, cx| {
            let input = slots::parse_checked(conn, cx, &f)?;
            slots::save(conn, cx, sid.as_deref(), &input)
        })
        .await;
    after_form(
        result,
        |_| {
            staff.done(
                "Slot saved (not public until you release).",
                &urls::programme(staff.slug()),
            )
        },
        |errors| form_page(staff, id, form, errors, INVALID),
    )
    .await
}

/// `POST …/programme/slots`.
pub async fn create(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<SlotForm>,
) -> AppResult<HttpResponse> {
    save(&admin, None, form).await
}

/// `POST …/programme/slots/{id}`: move (new time or room), or place another talk.
pub async fn update(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<SlotForm>,
) -> AppResult<HttpResponse> {
    save(&admin, Some(path.into_inner().1), form).await
}

/// The place form (also posted by the drag-and-drop editor).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    /// The talk to put in the slot.
    pub talk_id: String,
}

/// `POST …/programme/slots/{id}/place`.
pub async fn place(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<PlaceForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| slots::place(conn, cx, &id, &form.talk_id))
        .await?;
    Ok(admin.done(
        "Talk placed (not public until you release).",
        &urls::programme(admin.slug()),
    ))
}

/// Where the drag-and-drop editor drops a slot: a free cell's time and room.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    /// RFC 3339.
    pub starts_at: String,
    /// A room id (empty: every room).
    pub room_id: String,
}

/// `POST …/programme/slots/{id}/move` (the editor's drag of a slot; the slot form does the
/// same without JavaScript).
pub async fn move_slot(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| slots::move_to(conn, cx, &id, &form.starts_at, &form.room_id))
        .await?;
    Ok(admin.done(
        "Slot moved (not public until you release).",
        &urls::programme(admin.slug()),
    ))
}

/// `POST …/programme/slots/{id}/unschedule`.
pub async fn unschedule(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| slots::unschedule(conn, cx, &id))
        .await?;
    Ok(admin.done(
        "The talk is out of its slot.",
        &urls::programme(admin.slug()),
    ))
}

/// `POST …/programme/slots/{id}/delete`.
pub async fn delete(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| slots::delete(conn, cx, &id))
        .await?;
    Ok(admin.done("Slot deleted.", &urls::programme(admin.slug())))
}
