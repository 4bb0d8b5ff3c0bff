//! Organizers editing the programme: the overview (draft grid, conflicts, release), and one
//! file per thing edited, as in the domain: [`rooms`] (and tracks), [`people`], [`talks`],
//! [`slots`]; [`import`] takes a schedule.xml in. The drag-and-drop grid posts to the same `place` route as the form that works
//! without JavaScript.

pub mod availability;
pub mod import;
pub mod people;
pub mod rooms;
pub mod slots;
pub mod talks;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{AppError, AppResult};
use crate::programme::{release, views};
use crate::urls::admin as urls;
use crate::web::extractors::{need, CsrfForm, EventAdmin, EventStaff};
use crate::web::render::Page;

/// Renders an admin programme page: `data` gets the base of the programme's admin paths.
fn page(
    staff: &EventStaff,
    template: &str,
    title: &str,
    mut data: Value,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    if let Some(map) = data.as_object_mut() {
        map.insert(
            "base".into(),
            json!(urls::prefix(staff.slug(), "programme")),
        );
    }
    staff.render(
        Page::new(template)
            .data(data)
            .status(status)
            .title(format!("{title} · {}", staff.event.name)),
    )
}

/// `GET …/programme/`: the draft grid, conflicts, unscheduled talks, release.
pub async fn overview(admin: EventAdmin<need::Organize>) -> AppResult<HttpResponse> {
    let o = admin
        .read(|conn, cx| views::overview(conn, &cx.event))
        .await?;
    page(
        &admin,
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
    admin: EventAdmin<need::Organize>,
    CsrfForm(form): CsrfForm<ReleaseForm>,
) -> AppResult<HttpResponse> {
    let r = admin
        .write(move |conn, cx| {
            release::release(
                conn,
                cx.now,
                Some(&cx.mailer),
                &cx.actor,
                &cx.event,
                &form.note,
            )
        })
        .await;
    let r = match r {
        Err(AppError::Refused(why)) => return Ok(admin.done(&why, &urls::programme(admin.slug()))),
        other => other?,
    };
    admin.ctx.programme_cache.invalidate(admin.slug());
    let message = format!(
        "Released version {}. It is public now; speakers of changed talks are being mailed.",
        r.version
    );
    Ok(admin.done(&message, &urls::programme(admin.slug())))
}
