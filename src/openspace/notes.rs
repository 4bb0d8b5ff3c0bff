//! Session notes: a Markdown page per open-space topic and per talk, kept as revisions. A save
//! names the revision it was typed over; when someone saved in between, nothing is overwritten:
//! the editor gets both texts back and decides. Notes are public; they can be edited by the
//! people who may propose topics, until `notes_days` after the event ends.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{NoteRevision, NoteSubject, Participant, TopicState};
use super::participants::may_take_part;
use super::settings;
use crate::context::EventContext;
use crate::db::schema::{session_notes, talks};
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::display;
use crate::forms::Fields;
use crate::values::{parse_int, parse_line, parse_text};

/// What the notes are of: its kind, id and title.
#[derive(Debug, Clone, Serialize)]
pub struct Subject {
    /// Topic or talk.
    pub kind: NoteSubject,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Who convenes or speaks (for the heading).
    pub by: String,
}

/// Finds what a notes page is of: a listed or merged topic, or a confirmed talk of the event.
pub fn subject(
    conn: &mut AnyConnection,
    cx: &EventContext,
    kind: NoteSubject,
    id: &str,
) -> AppResult<Subject> {
    match kind {
        NoteSubject::Topic => {
            let t = super::board::topic_of(conn, &cx.event.id, id)?;
            if t.state == TopicState::Hidden {
                return Err(AppError::NotFound);
            }
            Ok(Subject {
                kind,
                id: t.id,
                title: t.title,
                by: t.convener_name,
            })
        }
        NoteSubject::Talk => {
            let (tid, title): (String, String) = talks::table
                .find(id)
                .filter(talks::event_id.eq(&cx.event.id))
                .filter(talks::state.eq(crate::programme::model::TalkState::Confirmed))
                .select((talks::id, talks::title))
                .first(conn)
                .map_err(AppError::from_lookup)?;
            Ok(Subject {
                kind,
                id: tid,
                title,
                by: String::new(),
            })
        }
    }
}

/// The revisions of a notes page, newest first.
pub fn history(
    conn: &mut AnyConnection,
    kind: NoteSubject,
    id: &str,
) -> QueryResult<Vec<NoteRevision>> {
    session_notes::table
        .filter(session_notes::subject_kind.eq(kind))
        .filter(session_notes::subject_id.eq(id))
        .order(session_notes::revision.desc())
        .select(NoteRevision::as_select())
        .load(conn)
}

/// Until when the event's notes can be edited.
pub fn editable_until(cx: &EventContext, notes_days: i32) -> NaiveDateTime {
    cx.event.ends_at + Duration::days(i64::from(notes_days))
}

/// The notes form, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotesForm {
    /// Markdown.
    pub body: String,
    /// The name the editor gives.
    pub editor: String,
    /// The revision the text was typed over (0 for none).
    pub base: String,
}

/// The notes form, typed.
#[derive(Debug, Clone)]
pub struct NotesInput {
    body: String,
    editor: String,
    base: i32,
}

/// Parses the notes form.
pub fn parse(form: &NotesForm) -> Result<NotesInput, FieldErrors> {
    let mut f = Fields::new();
    let body = f.take("body", parse_text(&form.body, "the notes", 50_000));
    let editor = f.take("editor", parse_line(&form.editor, "your name", 80));
    let base = f.take("base", parse_int(&form.base, "the revision", 0, i32::MAX));
    f.finish(|| {
        Some(NotesInput {
            body: body?,
            editor: editor?,
            base: base?,
        })
    })
}

/// What became of a save.
#[derive(Debug, Clone)]
pub enum Saved {
    /// Saved as this revision.
    Revision(i32),
    /// Someone saved a newer revision since the editor started: theirs, to show beside the
    /// editor's text.
    Conflict(Box<NoteRevision>),
}

/// Saves the notes as a new revision, unless a newer one exists than the one typed over.
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Participant,
    kind: NoteSubject,
    id: &str,
    input: &NotesInput,
) -> AppResult<Saved> {
    let attempt = write_transaction(conn, |conn| {
        let s = settings::current(conn, cx)?;
        if !may_take_part(s.access, p) {
            return Err(AppError::Refused("Notes here are written by registered attendees: open the open space through the link in your registration mail.".into()));
        }
        if cx.now > editable_until(cx, s.notes_days) {
            return Err(AppError::Refused(format!(
                "These notes could be edited until {}; they are kept as the record.",
                display::datetime(editable_until(cx, s.notes_days), cx.event.tz())
            )));
        }
        let subject = subject(conn, cx, kind, id)?;
        if let Some(latest) = history(conn, kind, &subject.id)?.into_iter().next() {
            if latest.revision != input.base {
                return Ok(Saved::Conflict(Box::new(latest)));
            }
        }
        let revision = input.base + 1;
        diesel::insert_into(session_notes::table)
            .values(NoteRevision {
                id: new_id(),
                event_id: cx.event.id.clone(),
                subject_kind: kind,
                subject_id: subject.id.clone(),
                revision,
                body: input.body.clone(),
                editor_name: input.editor.clone(),
                participant_id: Some(p.id.clone()),
                created_at: cx.now,
            })
            .execute(conn)?;
        crate::material::index::reindex_event(conn, &cx.event.id)?;
        Ok(Saved::Revision(revision))
    });
    match attempt {
        // Two saves of the same revision raced on PostgreSQL: the UNIQUE index let one in.
        Err(AppError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => {
            let latest = history(conn, kind, id)?
                .into_iter()
                .next()
                .ok_or(AppError::NotFound)?;
            Ok(Saved::Conflict(Box::new(latest)))
        }
        other => other,
    }
}
