//! What the API changes, through the same domain commands as the admin pages (the same rules,
//! audit log, mail and webhooks). A PATCH checks `If-Match` inside its transaction, so a
//! stale update is refused even when two clients race.

use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::etag;
use super::read::Programme;
use super::repr::*;
use super::tokens::Caller;
use crate::cfp::decisions::{self, Decision};
use crate::context::EventContext;
use crate::db::{write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::programme::queries::talk_of;
use crate::programme::talks::{self, TalkForm};
use crate::registration::desk::{self, Attendee};
use crate::registration::{attendees, form, lifecycle};

/// Changes to a talk; fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TalkPatch {
    /// Title.
    pub title: Option<String>,
    /// Abstract (Markdown).
    #[serde(rename = "abstract")]
    #[schema(rename = "abstract")]
    pub abstract_: Option<String>,
    /// Length in minutes.
    pub duration_minutes: Option<i32>,
    /// Track UUID, or empty for none.
    pub track_id: Option<String>,
    /// Language code.
    pub language: Option<String>,
    /// Slides address, or empty.
    pub slides_url: Option<String>,
    /// Recording address, or empty.
    pub video_url: Option<String>,
}

/// The talk as the API sends it to the event's team (the working copy), for its ETag.
pub fn live_talk(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    caller: &Caller,
) -> AppResult<TalkOut> {
    Programme::load(conn, Some(caller), &cx.event, &cx.mailer.base_url)?.talk(&cx.event, id)
}

/// Updates a talk if `if_match` (when given) is its current ETag; 412 otherwise.
pub fn update_talk(
    conn: &mut AnyConnection,
    cx: &EventContext,
    caller: &Caller,
    id: &str,
    patch: &TalkPatch,
    if_match: Option<&str>,
) -> AppResult<TalkOut> {
    write_transaction(conn, |conn| {
        let current = live_talk(conn, cx, id, caller)?;
        if let Some(expected) = if_match {
            if !etag::matches(expected, &etag::of(&current)) {
                return Err(AppError::Stale(
                    "The talk changed since you read it: read it again and reapply your change."
                        .into(),
                ));
            }
        }
        let (talk, people) = talk_of(conn, &cx.event.id, id)?;
        let mut f = TalkForm::from_talk(&talk, &people);
        if let Some(v) = &patch.title {
            f.title = v.clone();
        }
        if let Some(v) = &patch.abstract_ {
            f.r#abstract = v.clone();
        }
        if let Some(v) = patch.duration_minutes {
            f.duration_minutes = v.to_string();
        }
        if let Some(v) = &patch.track_id {
            f.track_id = v.clone();
        }
        if let Some(v) = &patch.language {
            f.language = v.clone();
        }
        if let Some(v) = &patch.slides_url {
            f.slides_url = v.clone();
        }
        if let Some(v) = &patch.video_url {
            f.video_url = v.clone();
        }
        let input = talks::parse_checked(conn, cx, &f)?;
        talks::save(conn, cx, Some(id), &input)?;
        live_talk(conn, cx, id, caller)
    })
}

/// A release request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseIn {
    /// What changed, for the changes page and the speakers' mail (may be empty).
    #[serde(default)]
    pub note: String,
}

/// Publishes the working copy as a new release.
pub fn release(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &ReleaseIn,
) -> AppResult<ReleaseOut> {
    let r = crate::programme::release::release(
        conn,
        cx.now,
        Some(&cx.mailer),
        &cx.actor,
        &cx.event,
        &input.note,
    )?;
    Ok(ReleaseOut::of(&r))
}

/// A decision on a proposal.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `accept` or `reject`.
    pub decision: String,
}

/// Accepts or rejects a submitted proposal (the speakers get the same mail as from the admin).
pub fn decide(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    input: &DecisionIn,
) -> AppResult<ProposalOut> {
    let decision = match input.decision.as_str() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => {
            return Err(AppError::field(
                "decision",
                "decision must be accept or reject",
            ))
        }
    };
    conn.transaction(|conn| {
        let n = decisions::decide(conn, cx, &[id.to_string()], decision)?;
        let (p, _) = super::read::proposal(conn, &cx.event.id, id)?;
        if n == 0 {
            return Err(AppError::Refused(format!(
                "This proposal is {} and cannot be decided now.",
                p.state
            )));
        }
        Ok(p)
    })
}

/// Someone the organizers add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    /// Name.
    pub name: String,
    /// Address (one registration per address).
    pub email: String,
    /// Company.
    #[serde(default)]
    pub company: String,
}

/// Adds a registration: confirmed at once while there are seats, else on the waiting list.
pub fn add_registration(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &RegistrationIn,
) -> AppResult<RegistrationOut> {
    let who = form::parse_attendee(&input.name, &input.email, &input.company)
        .map_err(AppError::Invalid)?;
    Ok(RegistrationOut::of(&attendees::add_by_hand(
        conn, cx, &who,
    )?))
}

/// Cancels a registration; its seat passes to the waiting list.
pub fn cancel_registration(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
) -> AppResult<RegistrationOut> {
    conn.transaction(|conn| {
        lifecycle::cancel(conn, cx, id)?;
        super::read::registration(conn, &cx.event.id, id)
    })
}

/// Checks a confirmed attendee in (again: nothing changes).
pub fn check_in(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
) -> AppResult<RegistrationOut> {
    let done = desk::check_in(conn, cx, &Attendee::Id(id.to_string()))?;
    Ok(RegistrationOut::of(&done.registration))
}

/// Field errors of a body that did not parse as JSON of the right shape.
pub fn body_error(e: &serde_json::Error) -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("body".into(), format!("the body is not valid: {e}"));
    AppError::Invalid(fields)
}
