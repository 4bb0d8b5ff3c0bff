//! Organizers editing the programme: the overview (draft grid, conflicts, release), rooms and
//! tracks, speakers, talks and slots. The drag-and-drop grid posts to the same `place` route as
//! the form that works without JavaScript.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::programme::service::{self, PersonForm, RoomForm, SlotForm, TalkForm, TrackForm};
use crate::programme::{release, views};
use crate::web::extractors::{need, CsrfForm, EventAdmin, NoFields};
use crate::web::render::{after_form, flash, redirect, Frame, Page, INVALID};
use crate::web::AppState;

fn base(event: &Event) -> String {
    format!("/admin/events/{}/programme", event.slug)
}

/// Renders an admin programme page with the event's slug and name added to `data`.
fn page(
    f: &Frame<'_>,
    event: &Event,
    template: &str,
    title: &str,
    mut data: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    if let Some(map) = data.as_object_mut() {
        map.insert("slug".into(), json!(event.slug));
        map.insert("event_name".into(), json!(event.name));
        map.insert("base".into(), json!(base(event)));
    }
    f.render(
        Page::new(template)
            .data(data)
            .status(status)
            .title(format!("{title} · {}", event.name)),
    )
}

/// `GET …/programme/`: the draft grid, conflicts, unscheduled talks, release.
pub async fn overview(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let e = event.clone();
    let o = state.read(move |conn| views::overview(conn, &e)).await?;
    page(
        &Frame::event(&state, &session, &admin),
        event,
        "admin/programme",
        "Programme",
        json!({ "o": o }),
        StatusCode::OK,
    )
}

/// The release form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReleaseForm {
    /// A note shown on the changes page.
    pub note: String,
}

/// `POST …/programme/release`: version N, changelog, speaker mails.
pub async fn release(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<ReleaseForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, mailer, actor, e) = (
        state.now(),
        state.mailer.clone(),
        admin.actor(),
        event.clone(),
    );
    let r = state
        .write(move |conn| release::release(conn, now, Some(&mailer), &actor, &e, &form.note))
        .await?;
    state.programme_cache.invalidate(&event.slug);
    flash(
        &session,
        &format!(
            "Released version {}. It is public now; speakers of changed talks are being mailed.",
            r.version
        ),
    );
    Ok(redirect(&format!("{}/", base(event))))
}

// ------------------------------------------------------------ rooms and tracks

async fn rooms_page(
    f: &Frame<'_>,
    event: &Event,
    form: &RoomForm,
    track_form: &TrackForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let e = event.clone();
    let (rooms, tracks) = f
        .state
        .read(move |conn| {
            Ok((
                service::rooms_of(conn, &e.id)?,
                service::tracks_of(conn, &e.id)?,
            ))
        })
        .await?;
    page(
        f,
        event,
        "admin/programme_rooms",
        "Rooms and tracks",
        json!({ "rooms": rooms, "tracks": tracks, "form": form, "track_form": track_form, "errors": errors }),
        status,
    )
}

/// `GET …/programme/rooms`.
pub async fn rooms(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    rooms_page(
        &Frame::event(&state, &session, &admin),
        event,
        &RoomForm::default(),
        &TrackForm {
            colour: "#1f6feb".into(),
            ..TrackForm::default()
        },
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_room_common(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::Organize>,
    id: Option<String>,
    form: RoomForm,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f) = (state.now(), admin.actor(), event.clone(), form.clone());
    let result = state
        .write(move |conn| service::save_room(conn, now, &actor, &e, id.as_deref(), &f))
        .await;
    let (frame, no_track) = (Frame::event(state, session, admin), TrackForm::default());
    after_form(
        result,
        |room| {
            flash(session, &format!("Saved room {}.", room.name));
            redirect(&format!("{}/rooms", base(event)))
        },
        |errors| rooms_page(&frame, event, &form, &no_track, errors, INVALID),
    )
    .await
}

/// `POST …/programme/rooms`.
pub async fn create_room(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<RoomForm>,
) -> AppResult<HttpResponse> {
    save_room_common(&state, &session, &admin, None, form).await
}

/// `POST …/programme/rooms/{id}`.
pub async fn update_room(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoomForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    save_room_common(&state, &session, &admin, Some(id), form).await
}

/// `POST …/programme/rooms/{id}/delete`.
pub async fn delete_room(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    state
        .write(move |conn| {
            conn.transaction(|conn| service::delete_room(conn, now, &actor, &e, &id))
        })
        .await?;
    flash(&session, "Room deleted.");
    Ok(redirect(&format!("{}/rooms", base(event))))
}

async fn save_track_common(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::Organize>,
    id: Option<String>,
    form: TrackForm,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f) = (state.now(), admin.actor(), event.clone(), form.clone());
    let result = state
        .write(move |conn| service::save_track(conn, now, &actor, &e, id.as_deref(), &f))
        .await;
    let (frame, no_room) = (Frame::event(state, session, admin), RoomForm::default());
    after_form(
        result,
        |track| {
            flash(session, &format!("Saved track {}.", track.name));
            redirect(&format!("{}/rooms", base(event)))
        },
        // The rooms page has the room form too: the track form's fields are `track_*`.
        |errors| {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (format!("track_{k}"), v))
                .collect();
            rooms_page(&frame, event, &no_room, &form, errors, INVALID)
        },
    )
    .await
}

/// `POST …/programme/tracks`.
pub async fn create_track(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TrackForm>,
) -> AppResult<HttpResponse> {
    save_track_common(&state, &session, &admin, None, form).await
}

/// `POST …/programme/tracks/{id}`.
pub async fn update_track(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TrackForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    save_track_common(&state, &session, &admin, Some(id), form).await
}

// ------------------------------------------------------------ speakers

#[derive(Serialize)]
struct PersonPage {
    form: PersonForm,
    errors: FieldErrors,
    id: Option<String>,
}

async fn speakers_page(
    f: &Frame<'_>,
    event: &Event,
    form: PersonForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let e = event.clone();
    let people = f
        .state
        .read(move |conn| Ok(service::people_of(conn, &e.id)?))
        .await?;
    page(
        f,
        event,
        "admin/programme_speakers",
        "Speakers",
        json!({ "people": people, "form": form, "errors": errors }),
        status,
    )
}

/// `GET …/programme/speakers`.
pub async fn speakers(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    speakers_page(
        &Frame::event(&state, &session, &admin),
        event,
        PersonForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST …/programme/speakers`: a new speaker (or the existing profile with that email).
pub async fn create_speaker(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f) = (state.now(), admin.actor(), event.clone(), form.clone());
    let result = state
        .write(move |conn| service::save_person(conn, now, &actor, &e, None, &f))
        .await;
    let frame = Frame::event(&state, &session, &admin);
    after_form(
        result,
        |p| {
            flash(
                &session,
                &format!("{} is in the speaker list; add them to a talk.", p.name),
            );
            redirect(&format!("{}/speakers/{}", base(event), p.id))
        },
        |errors| speakers_page(&frame, event, form, errors, INVALID),
    )
    .await
}

/// `GET …/programme/speakers/{id}`.
pub async fn speaker(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let pid = id.clone();
    let person = state
        .read(move |conn| {
            use crate::db::schema::people;
            use diesel::prelude::*;
            people::table
                .find(&pid)
                .select(crate::programme::Person::as_select())
                .first(conn)
                .map_err(AppError::from_lookup)
        })
        .await?;
    let data = PersonPage {
        form: views::person_form(&person),
        errors: FieldErrors::new(),
        id: Some(id),
    };
    page(
        &Frame::event(&state, &session, &admin),
        event,
        "admin/programme_speaker",
        &person.name,
        serde_json::to_value(data).unwrap_or_default(),
        StatusCode::OK,
    )
}

/// `POST …/programme/speakers/{id}`.
pub async fn update_speaker(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e, f, pid) = (
        state.now(),
        admin.actor(),
        event.clone(),
        form.clone(),
        id.clone(),
    );
    let result = state
        .write(move |conn| service::save_person(conn, now, &actor, &e, Some(&pid), &f))
        .await;
    after_form(
        result,
        |p| {
            flash(&session, &format!("Saved {}.", p.name));
            redirect(&format!("{}/speakers", base(event)))
        },
        |errors| {
            let data = PersonPage {
                form,
                errors,
                id: Some(id),
            };
            std::future::ready(page(
                &Frame::event(&state, &session, &admin),
                event,
                "admin/programme_speaker",
                "Speaker",
                serde_json::to_value(data).unwrap_or_default(),
                INVALID,
            ))
        },
    )
    .await
}

// ------------------------------------------------------------ talks

/// `GET …/programme/talks`.
pub async fn talks(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let e = event.clone();
    let rows = state.read(move |conn| views::talk_rows(conn, &e)).await?;
    page(
        &Frame::event(&state, &session, &admin),
        event,
        "admin/programme_talks",
        "Talks",
        json!({ "rows": rows }),
        StatusCode::OK,
    )
}

async fn talk_form_page(
    f: &Frame<'_>,
    event: &Event,
    id: Option<String>,
    form: TalkForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let e = event.clone();
    let choices = f
        .state
        .read(move |conn| views::talk_choices(conn, &e))
        .await?;
    let rows = views::person_rows(&form);
    page(
        f,
        event,
        "admin/programme_talk",
        if id.is_some() {
            "Edit talk"
        } else {
            "New talk"
        },
        json!({ "id": id, "form": form, "errors": errors, "choices": choices, "people_rows": rows }),
        status,
    )
}

/// `GET …/programme/talks/new`.
pub async fn new_talk(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    talk_form_page(
        &Frame::event(&state, &session, &admin),
        event,
        None,
        TalkForm::blank(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET …/programme/talks/{id}`.
pub async fn edit_talk(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (e, tid) = (event.clone(), id.clone());
    let (talk, people) = state
        .read(move |conn| service::talk_of(conn, &e.id, &tid))
        .await?;
    talk_form_page(
        &Frame::event(&state, &session, &admin),
        event,
        Some(id),
        views::talk_form(&talk, &people),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_talk_common(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::Organize>,
    id: Option<String>,
    form: TalkForm,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f, tid) = (
        state.now(),
        admin.actor(),
        event.clone(),
        form.clone(),
        id.clone(),
    );
    let result = state
        .write(move |conn| {
            conn.transaction(|conn| service::save_talk(conn, now, &actor, &e, tid.as_deref(), &f))
        })
        .await;
    let frame = Frame::event(state, session, admin);
    after_form(
        result,
        |talk| {
            flash(session, &format!("Saved “{}”.", talk.title));
            redirect(&format!("{}/talks", base(event)))
        },
        |errors| talk_form_page(&frame, event, id, form, errors, INVALID),
    )
    .await
}

/// `POST …/programme/talks`.
pub async fn create_talk(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<TalkForm>,
) -> AppResult<HttpResponse> {
    save_talk_common(&state, &session, &admin, None, form).await
}

/// `POST …/programme/talks/{id}`.
pub async fn update_talk(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<TalkForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    save_talk_common(&state, &session, &admin, Some(id), form).await
}

// ------------------------------------------------------------ slots

async fn slot_form_page(
    f: &Frame<'_>,
    event: &Event,
    id: Option<String>,
    form: SlotForm,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let e = event.clone();
    let choices = f
        .state
        .read(move |conn| views::slot_choices(conn, &e))
        .await?;
    page(
        f,
        event,
        "admin/programme_slot",
        if id.is_some() {
            "Edit slot"
        } else {
            "New slot"
        },
        json!({ "id": id, "form": form, "errors": errors, "choices": choices, "timezone": event.timezone }),
        status,
    )
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
pub async fn new_slot(
    state: web::Data<AppState>,
    session: Session,
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
        kind: "talk".into(),
        ..SlotForm::default()
    };
    slot_form_page(
        &Frame::event(&state, &session, &admin),
        event,
        None,
        form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET …/programme/slots/{id}`.
pub async fn edit_slot(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (e, sid) = (event.clone(), id.clone());
    let slot = state
        .read(move |conn| service::slot_of(conn, &e.id, &sid))
        .await?;
    slot_form_page(
        &Frame::event(&state, &session, &admin),
        event,
        Some(id),
        views::slot_form(&slot, event),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn save_slot_common(
    state: &AppState,
    session: &Session,
    admin: &EventAdmin<need::Organize>,
    id: Option<String>,
    form: SlotForm,
) -> AppResult<HttpResponse> {
    let event = &admin.event;
    let (now, actor, e, f, sid) = (
        state.now(),
        admin.actor(),
        event.clone(),
        form.clone(),
        id.clone(),
    );
    let result = state
        .write(move |conn| {
            conn.transaction(|conn| service::save_slot(conn, now, &actor, &e, sid.as_deref(), &f))
        })
        .await;
    let frame = Frame::event(state, session, admin);
    after_form(
        result,
        |_| {
            flash(session, "Slot saved (not public until you release).");
            redirect(&format!("{}/", base(event)))
        },
        |errors| slot_form_page(&frame, event, id, form, errors, INVALID),
    )
    .await
}

/// `POST …/programme/slots`.
pub async fn create_slot(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<SlotForm>,
) -> AppResult<HttpResponse> {
    save_slot_common(&state, &session, &admin, None, form).await
}

/// `POST …/programme/slots/{id}`: move (new time or room), or place another talk.
pub async fn update_slot(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<SlotForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    save_slot_common(&state, &session, &admin, Some(id), form).await
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
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<PlaceForm>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    state
        .write(move |conn| {
            conn.transaction(|conn| service::place(conn, now, &actor, &e, &id, &form.talk_id))
        })
        .await?;
    flash(&session, "Talk placed (not public until you release).");
    Ok(redirect(&format!("{}/", base(event))))
}

/// `POST …/programme/slots/{id}/unschedule`.
pub async fn unschedule(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    state
        .write(move |conn| conn.transaction(|conn| service::unschedule(conn, now, &actor, &e, &id)))
        .await?;
    flash(&session, "The talk is out of its slot.");
    Ok(redirect(&format!("{}/", base(event))))
}

/// `POST …/programme/slots/{id}/delete`.
pub async fn delete_slot(
    state: web::Data<AppState>,
    session: Session,
    admin: EventAdmin<need::Organize>,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let (_, id) = path.into_inner();
    let event = &admin.event;
    let (now, actor, e) = (state.now(), admin.actor(), event.clone());
    state
        .write(move |conn| {
            conn.transaction(|conn| service::delete_slot(conn, now, &actor, &e, &id))
        })
        .await?;
    flash(&session, "Slot deleted.");
    Ok(redirect(&format!("{}/", base(event))))
}
