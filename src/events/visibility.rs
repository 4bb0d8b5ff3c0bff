//! Who sees an event and whether it can change: publishing a draft, archiving (read-only) and
//! taking an archived event back, and deleting an event for good after a typed confirmation.

use diesel::prelude::*;
use serde::Deserialize;

use super::model::EventStatus;
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::{events, mail_outbox};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// What a public form of an archived event answers.
pub const ARCHIVED_PUBLIC: &str =
    "This event is archived: its forms, suggestions, feedback and notes are closed.";
/// What an organizer's change to an archived event answers.
pub const ARCHIVED_ADMIN: &str =
    "This event is archived and read-only. Take it out of the archive (on its overview) to change it.";

/// The status form: `publish`, `archive`, `unarchive` or `unpublish`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    /// What to do.
    pub action: String,
}

/// Changes who sees the event: publish a draft (or put it back to draft), archive a published
/// event, or take it out of the archive. Refuses a change that does not fit the status now.
pub fn change(conn: &mut AnyConnection, cx: &EventContext, action: &str) -> AppResult<String> {
    set(conn, cx.now, &cx.actor, &cx.event, action)
}

/// [`change`], for a caller without a request (the command line).
pub fn set(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    actor: &crate::accounts::Actor,
    event: &super::Event,
    action: &str,
) -> AppResult<String> {
    use EventStatus::*;
    let (from, to, done) = match action {
        "publish" => (Draft, Published, "Published: everyone sees the event now."),
        "unpublish" => (
            Published,
            Draft,
            "Back to draft: only the team sees the event.",
        ),
        "archive" => (
            Published,
            Archived,
            "Archived: the event is read-only and its public forms are closed.",
        ),
        "unarchive" => (
            Archived,
            Published,
            "Out of the archive: the event can change again.",
        ),
        _ => return Err(AppError::BadRequest("Unknown status change.".into())),
    };
    if event.status != from {
        return Err(AppError::Refused(format!(
            "The event is {}, so it cannot be changed that way.",
            event.status
        )));
    }
    conn.transaction(|conn| {
        diesel::update(events::table.find(&event.id))
            .set((events::status.eq(to), events::updated_at.eq(now)))
            .execute(conn)?;
        audit::record(
            conn,
            now,
            actor,
            Change::on(&event.id, "event.status", ("event", &event.id)),
            &format!("Status: {from} → {to}"),
        )?;
        Ok::<_, AppError>(done.to_string())
    })
}

/// Deletes the event and everything of it (programme, proposals, registrations, open space,
/// buzz, sponsors…), after the organizer typed its slug. The text of its mail is blanked
/// first (the mail log outlives the event); events naming it as their successor forget it.
/// The audit log keeps one site-wide line.
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, typed_slug: &str) -> AppResult<()> {
    if typed_slug.trim() != cx.event.slug {
        return Err(AppError::field(
            "confirm_slug",
            format!(
                "Type the event's slug, {}, to delete it with everything it holds.",
                cx.event.slug
            ),
        ));
    }
    conn.transaction(|conn| {
        let mail: Vec<String> = mail_outbox::table
            .filter(mail_outbox::event_id.eq(&cx.event.id))
            .select(mail_outbox::id)
            .load(conn)?;
        crate::mail::queries::redact(conn, &mail)?;
        diesel::update(events::table.filter(events::successor_id.eq(&cx.event.id)))
            .set(events::successor_id.eq(None::<String>))
            .execute(conn)?;
        diesel::delete(events::table.find(&cx.event.id)).execute(conn)?;
        audit::record(
            conn,
            cx.now,
            &cx.actor,
            Change {
                event_id: None,
                action: "event.delete",
                entity_type: "event",
                entity_id: Some(&cx.event.id),
            },
            &format!(
                "Deleted event {} ({}) with everything it held",
                cx.event.name, cx.event.slug
            ),
        )?;
        Ok(())
    })
}
