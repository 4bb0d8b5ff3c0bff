//! Importing a frab `schedule.xml` into an event (`ghent import-schedule`, and the admin's
//! "Import schedule.xml"): rooms, tracks, people, talks and slots.
//!
//! An import is a merge, so running it twice changes nothing: a talk or slot of the file is
//! matched to the event's row of the same guid (the file's guids are kept when they are free,
//! so schedule apps keep their favourites), then — when the file's guid could not be kept
//! because it is not a UUID or another event has it — to the event's talk of the same title or
//! slot of the same title and start; a match is updated field by field, anything else is
//! added. Nothing of the event is deleted. A dry run does all of it in a transaction that is
//! rolled back, and says what would change.

mod merge;
mod parse;
pub mod uploads;

use chrono::NaiveDateTime;
use diesel::Connection;

use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::events::Event;

/// Whether an import writes, or only says what it would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Change the event.
    Apply,
    /// Change nothing; report what applying would change.
    DryRun,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rooms created.
    pub rooms: usize,
    /// Tracks created.
    pub tracks: usize,
    /// People created.
    pub people: usize,
    /// Talks created.
    pub talks: usize,
    /// Talks of the event the file changed.
    pub talks_updated: usize,
    /// Slots created.
    pub slots: usize,
    /// Slots of the event the file changed.
    pub slots_updated: usize,
    /// Items of the file that matched the event exactly.
    pub unchanged: usize,
    /// One sentence per change, in the file's order.
    pub changes: Vec<String>,
    /// Whether the changes were written (false for a dry run).
    pub applied: bool,
}

impl ImportSummary {
    /// Whether the file changes anything.
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }

    /// One line of figures, as the CLI prints it and the audit log keeps it.
    pub fn headline(&self) -> String {
        format!(
            "{} new talks, {} updated; {} new slots, {} updated; {} unchanged; \
             {} new rooms, {} new tracks, {} new people",
            self.talks,
            self.talks_updated,
            self.slots,
            self.slots_updated,
            self.unchanged,
            self.rooms,
            self.tracks,
            self.people
        )
    }
}

/// Why the import's transaction ended early: a failure, or a dry run that must roll back.
enum Stop {
    Failed(AppError),
    DryRun(ImportSummary),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Failed(e.into())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Stop::Failed(e)
    }
}

/// Merges a frab schedule into `event`, in one transaction (see the module's documentation).
/// A file that cannot be read, or an item without a readable date or duration, is refused as a
/// whole with a message that names it.
#[tracing::instrument(skip_all, fields(event = %event.slug, bytes = xml.len(), ?mode))]
pub fn import_frab_xml(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    xml: &str,
    mode: Mode,
) -> AppResult<ImportSummary> {
    let parsed = parse::parse(xml).map_err(AppError::BadRequest)?;
    if parsed.items.is_empty() && parsed.rooms.is_empty() {
        return Err(AppError::BadRequest(
            "The file holds no rooms and no talks: is it a frab schedule.xml?".into(),
        ));
    }
    let outcome = conn.transaction::<ImportSummary, Stop, _>(|conn| {
        let mut import = merge::Import::new(event, now);
        import.rooms(conn, &parsed)?;
        import.tracks(conn, &parsed)?;
        for item in &parsed.items {
            import.item(conn, item)?;
        }
        let mut summary = import.summary;
        if mode == Mode::DryRun {
            return Err(Stop::DryRun(summary));
        }
        if summary.changed() {
            audit::record(
                conn,
                now,
                actor,
                Change::on(&event.id, "schedule.import", ("event", &event.id)),
                &format!("Imported a frab schedule: {}", summary.headline()),
            )?;
        }
        summary.applied = true;
        Ok(summary)
    });
    match outcome {
        Ok(summary) | Err(Stop::DryRun(summary)) => Ok(summary),
        Err(Stop::Failed(e)) => Err(e),
    }
}
