//! Rooms and tracks, on one page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::page;
use crate::error::{AppResult, FieldErrors};
use crate::forms::submit;
use crate::programme::queries;
use crate::programme::rooms::{self, RoomForm};
use crate::programme::tracks::{self, TrackForm};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff, NoFields};
use crate::web::render::{after_form, INVALID};

async fn rooms_page(
    staff: &EventStaff,
    form: &RoomForm,
    track_form: &TrackForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (rooms, tracks) = staff
        .read(|conn, cx| {
            Ok((
                queries::rooms_of(conn, &cx.event.id)?,
                queries::tracks_of(conn, &cx.event.id)?,
            ))
        })
        .await?;
    let data = json!({ "rooms": rooms, "tracks": tracks, "form": form, "track_form": track_form, "errors": errors });
    page(
        staff,
        "admin/programme_rooms",
        "Rooms and tracks",
        data,
        status,
    )
}

fn new_track() -> TrackForm {
    TrackForm {
        colour: "#1f6feb".into(),
        ..TrackForm::default()
    }
}

/// `GET …/programme/rooms`.
pub async fn list(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    rooms_page(
        &admin,
        &RoomForm::default(),
        &new_track(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_room(
    staff: &EventStaff,
    id: Option<String>,
    form: RoomForm,
) -> AppResult<HttpResponse> {
    let result = submit(rooms::parse(&form), |input| {
        staff.write(move |conn, cx| rooms::save(conn, cx, id.as_deref(), &input))
    })
    .await;
    let no_track = TrackForm::default();
    after_form(
        result,
        |room| {
            staff.done(
                &format!("Saved room {}.", room.name),
                &urls::rooms(staff.slug()),
            )
        },
        |errors| rooms_page(staff, &form, &no_track, errors, INVALID),
    )
    .await
}

/// `POST …/programme/rooms`.
pub async fn create_room(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<RoomForm>,
) -> AppResult<HttpResponse> {
    save_room(&admin, None, form).await
}

/// `POST …/programme/rooms/{id}`.
pub async fn update_room(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoomForm>,
) -> AppResult<HttpResponse> {
    save_room(&admin, Some(path.into_inner().1), form).await
}

/// `POST …/programme/rooms/{id}/delete`.
pub async fn delete_room(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    admin
        .write(move |conn, cx| rooms::delete(conn, cx, &id))
        .await?;
    Ok(admin.done("Room deleted.", &urls::rooms(admin.slug())))
}

/// `POST /admin/events/{slug}/programme/tracks/{id}/delete`: only an unused track goes.
pub async fn delete_track(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner().1;
    let message = match admin
        .write(move |conn, cx| tracks::delete(conn, cx, &id))
        .await
    {
        Ok(()) => "Track deleted.".to_string(),
        Err(crate::error::AppError::Refused(why)) => why,
        Err(e) => return Err(e),
    };
    Ok(admin.done(&message, &urls::rooms(admin.slug())))
}

async fn save_track(
    staff: &EventStaff,
    id: Option<String>,
    form: TrackForm,
) -> AppResult<HttpResponse> {
    let result = submit(tracks::parse(&form), |input| {
        staff.write(move |conn, cx| tracks::save(conn, cx, id.as_deref(), &input))
    })
    .await;
    let no_room = RoomForm::default();
    after_form(
        result,
        |t| {
            staff.done(
                &format!("Saved track {}.", t.name),
                &urls::rooms(staff.slug()),
            )
        },
        // The rooms page has the room form too: the track form's fields are `track_*`.
        |errors| {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (format!("track_{k}"), v))
                .collect();
            rooms_page(staff, &no_room, &form, errors, INVALID)
        },
    )
    .await
}

/// `POST …/programme/tracks`.
pub async fn create_track(
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TrackForm>,
) -> AppResult<HttpResponse> {
    save_track(&admin, None, form).await
}

/// `POST …/programme/tracks/{id}`.
pub async fn update_track(
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TrackForm>,
) -> AppResult<HttpResponse> {
    save_track(&admin, Some(path.into_inner().1), form).await
}
