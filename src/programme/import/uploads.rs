//! A schedule.xml uploaded in the admin: kept with a dry run's preview until the organizer
//! applies it (or uploads another), so the applied file is exactly the one previewed.

use diesel::prelude::*;

use super::{import_frab_xml, ImportSummary, Mode};
use crate::context::EventContext;
use crate::db::schema::schedule_uploads;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};

/// The largest schedule.xml accepted (frab files of large conferences are a few MB).
pub const MAX_BYTES: usize = 4 << 20;

/// A staged upload and what applying it would change.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The upload's id (the "Apply" form names it).
    pub id: String,
    /// The file's name, as uploaded.
    pub filename: String,
    /// The dry run's figures and changes.
    pub summary: ImportSummary,
}

/// Checks an uploaded file, dry-runs it against the event and keeps it for [`apply`]
/// (replacing the event's earlier upload). A file that is missing, too large, not UTF-8 or
/// not a readable frab file is refused on the `schedule` field, and nothing is kept.
pub fn stage(
    conn: &mut AnyConnection,
    cx: &EventContext,
    filename: &str,
    bytes: Option<&[u8]>,
) -> AppResult<Preview> {
    let bytes = bytes
        .filter(|b| !b.is_empty())
        .ok_or_else(|| AppError::field("schedule", "Choose a schedule.xml file to import."))?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field(
            "schedule",
            format!(
                "The file is larger than {} MB; a frab schedule.xml is much smaller.",
                MAX_BYTES >> 20
            ),
        ));
    }
    let xml = std::str::from_utf8(bytes)
        .map_err(|_| AppError::field("schedule", "The file is not UTF-8 text (not XML)."))?;
    let summary = import_frab_xml(conn, cx.now, &cx.actor, &cx.event, xml, Mode::DryRun).map_err(
        |e| match e {
            AppError::BadRequest(m) => AppError::field("schedule", m),
            e => e,
        },
    )?;
    let id = new_id();
    conn.transaction(|conn| {
        diesel::delete(
            schedule_uploads::table.filter(schedule_uploads::event_id.eq(cx.event_id())),
        )
        .execute(conn)?;
        diesel::insert_into(schedule_uploads::table)
            .values((
                schedule_uploads::id.eq(&id),
                schedule_uploads::event_id.eq(cx.event_id()),
                schedule_uploads::filename.eq(filename),
                schedule_uploads::xml.eq(xml),
                schedule_uploads::created_at.eq(cx.now),
            ))
            .execute(conn)
    })?;
    Ok(Preview {
        id,
        filename: filename.to_string(),
        summary,
    })
}

/// Applies a staged upload of this event and forgets it. An upload that is gone (applied
/// already, or replaced by a newer one) is refused with a message, not applied twice.
pub fn apply(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<ImportSummary> {
    conn.transaction(|conn| {
        let xml: String = schedule_uploads::table
            .filter(schedule_uploads::id.eq(id))
            .filter(schedule_uploads::event_id.eq(cx.event_id()))
            .select(schedule_uploads::xml)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::Refused(
                    "This upload was applied already or replaced by a newer one; upload the \
                     file again to see what it would change."
                        .into(),
                )
            })?;
        let summary = import_frab_xml(conn, cx.now, &cx.actor, &cx.event, &xml, Mode::Apply)?;
        diesel::delete(schedule_uploads::table.find(id)).execute(conn)?;
        Ok(summary)
    })
}
