//! The check-in desk: an attendee found by the ticket's QR code or by search, checked in once
//! (a second check-in says when the first was).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Registration, RegistrationChange, Status};
use super::queries;
use crate::audit;
use crate::context::EventContext;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// What a check-in did.
#[derive(Debug, Clone, Serialize)]
pub struct CheckIn {
    /// The attendee.
    pub registration: Registration,
    /// When they had already been checked in (a warning), if so.
    pub already: Option<NaiveDateTime>,
}

/// Whom the desk checks in.
#[derive(Debug, Clone)]
pub enum Attendee {
    /// By registration id (the search's button, the QR page's button).
    Id(String),
    /// By the check-in code of the ticket's QR code.
    Code(String),
}

/// Checks a confirmed attendee in; a second check-in changes nothing and says when the first
/// was.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn check_in(conn: &mut AnyConnection, cx: &EventContext, who: &Attendee) -> AppResult<CheckIn> {
    conn.transaction(|conn| {
        let r = match who {
            Attendee::Id(id) => queries::by_id(conn, &cx.event.id, id)?,
            Attendee::Code(code) => queries::by_desk_token(conn, &cx.event.id, code)?,
        };
        if r.status != Status::Confirmed {
            return Err(AppError::Refused(format!(
                "{} is not confirmed ({}): no check-in.",
                r.name, r.status
            )));
        }
        if let Some(at) = r.checked_in_at {
            return Ok(CheckIn {
                registration: r,
                already: Some(at),
            });
        }
        let checked = RegistrationChange {
            checked_in_at: Some(Some(cx.now)),
            ..RegistrationChange::at(cx.now)
        };
        let r = super::lifecycle::change(conn, &r.id, &checked)?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::RegistrationCheckedIn,
            "registration",
            &crate::api::repr::RegistrationOut::of(&r),
            cx.now,
        )?;

        audit::note(
            conn,
            cx,
            "registration.check_in",
            ("registration", &r.id),
            &format!("Checked in {}", r.name),
        )?;
        Ok(CheckIn {
            registration: r,
            already: None,
        })
    })
}
