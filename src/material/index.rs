//! The index of the material library: one row per released talk, published buzz item and
//! shown open-space topic (with their notes), rebuilt per event by [`reindex_event`] in the
//! transaction of every change that alters what is indexed (a release, a buzz item, a topic,
//! a note, a slide link). An event's material is small (hundreds of rows), so rebuilding it is
//! simpler than tracking each row, and it can never drift.
//!
//! The index table differs per backend (an FTS5 virtual table, or a table with a generated
//! `tsvector`), so it is not in `schema.rs` and is written with plain SQL here.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::schema::{buzz_items, session_notes};
use crate::db::{text_enum, AnyConnection};
use crate::openspace::model::TopicState;

text_enum! {
    /// What a row of the library is.
    pub enum MaterialKind {
        /// A talk of the released programme (its abstract, speakers, slides and video).
        Talk = "talk",
        /// An open-space topic and its session notes.
        Topic = "topic",
        /// A buzz item: a report, post, thread, video, photos.
        Buzz = "buzz",
    }
}

impl MaterialKind {
    /// As shown in the filter.
    pub fn label(self) -> &'static str {
        match self {
            MaterialKind::Talk => "Talks",
            MaterialKind::Topic => "Open-space topics and notes",
            MaterialKind::Buzz => "Buzz",
        }
    }
}

/// One document of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// What it is.
    pub kind: MaterialKind,
    /// The talk, topic or buzz item id.
    pub ref_id: String,
    /// Its event.
    pub event_id: String,
    /// The track's name (talks, and buzz linked to a talk); "Open space" for topics.
    pub track: String,
    /// Weighed above the body.
    pub title: String,
    /// Everything else that is searchable.
    pub body: String,
}

/// The characters that mark a match in the highlighted text; removed from indexed text, so
/// they only ever come from the database's highlighter.
pub const MARK_START: char = '\u{E000}';
/// See [`MARK_START`].
pub const MARK_END: char = '\u{E001}';

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| *c != MARK_START && *c != MARK_END)
        .collect()
}

/// The latest text of each notes page of an event: (subject id, body).
fn latest_notes(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, i32, String)> = session_notes::table
        .filter(session_notes::event_id.eq(event_id))
        .select((
            session_notes::subject_id,
            session_notes::revision,
            session_notes::body,
        ))
        .order((session_notes::subject_id, session_notes::revision))
        .load(conn)?;
    Ok(rows.into_iter().map(|(s, _, b)| (s, b)).collect())
}

/// Everything of an event the library holds.
pub fn docs(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Doc>> {
    let mut out = Vec::new();
    let notes = latest_notes(conn, event_id)?;
    let release = crate::programme::release::latest(conn, event_id)
        .ok()
        .flatten();
    let mut track_of_talk = std::collections::HashMap::new();
    if let Some(r) = &release {
        let s = &r.snapshot;
        let people = s.people_by_id();
        let material = crate::programme::material::live(conn, event_id)?;
        for t in s.talks.iter().filter(|t| s.slot_of(&t.id).is_some()) {
            let track = t
                .track_id
                .as_deref()
                .and_then(|id| s.tracks.iter().find(|tr| tr.id == id))
                .map(|tr| tr.name.clone())
                .unwrap_or_default();
            track_of_talk.insert(t.id.clone(), track.clone());
            let names = t
                .people
                .iter()
                .filter_map(|r| people.get(r.person_id.as_str()).map(|p| p.name.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut body = format!("{names}\n{}\n{}", t.r#abstract, t.description);
            if let Some(live) = material.get(&t.id) {
                body = format!("{names}\n{}\n{}", live.r#abstract, t.description);
            }
            if let Some(n) = notes.get(&t.id) {
                body.push('\n');
                body.push_str(n);
            }
            out.push(Doc {
                kind: MaterialKind::Talk,
                ref_id: t.id.clone(),
                event_id: event_id.to_string(),
                track,
                title: t.title.clone(),
                body,
            });
        }
    }
    for t in crate::openspace::board::all_topics(conn, event_id)?
        .into_iter()
        .filter(|t| t.state == TopicState::Shown)
    {
        let mut body = format!("{}\n{}", t.convener_name, t.description);
        if let Some(n) = notes.get(&t.id) {
            body.push('\n');
            body.push_str(n);
        }
        out.push(Doc {
            kind: MaterialKind::Topic,
            ref_id: t.id,
            event_id: event_id.to_string(),
            track: "Open space".into(),
            title: t.title,
            body,
        });
    }
    let buzz: Vec<(String, String, String, String, String, Option<String>)> = buzz_items::table
        .filter(buzz_items::event_id.eq(event_id))
        .filter(buzz_items::status.eq(crate::buzz::model::BuzzStatus::Published))
        .select((
            buzz_items::id,
            buzz_items::title,
            buzz_items::author,
            buzz_items::quote,
            buzz_items::kind,
            buzz_items::talk_id,
        ))
        .load(conn)?;
    for (id, title, author, quote, kind, talk_id) in buzz {
        out.push(Doc {
            kind: MaterialKind::Buzz,
            ref_id: id,
            event_id: event_id.to_string(),
            track: talk_id
                .and_then(|t| track_of_talk.get(&t).cloned())
                .unwrap_or_default(),
            title,
            body: format!("{author}\n{quote}\n{kind}"),
        });
    }
    Ok(out)
}

/// Rebuilds the index rows of one event (in the caller's transaction).
pub fn reindex_event(conn: &mut AnyConnection, event_id: &str) -> QueryResult<()> {
    let docs = docs(conn, event_id)?;
    diesel::sql_query("DELETE FROM material_index WHERE event_id = $1")
        .bind::<Text, _>(event_id)
        .execute(conn)?;
    let sql = "INSERT INTO material_index (kind, ref_id, event_id, track, title, body) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    for d in docs {
        diesel::sql_query(sql)
            .bind::<Text, _>(d.kind.as_str())
            .bind::<Text, _>(&d.ref_id)
            .bind::<Text, _>(&d.event_id)
            .bind::<Text, _>(&d.track)
            .bind::<Text, _>(clean(&d.title))
            .bind::<Text, _>(clean(&d.body))
            .execute(conn)?;
    }
    Ok(())
}

/// After a change to what an event publishes beside its release (a talk's material, buzz): the
/// event's live version goes up (cached pages and ETags follow, on every instance) and its
/// library rows are rebuilt, in the caller's transaction.
pub fn published_changed(
    conn: &mut AnyConnection,
    cx: &crate::context::EventContext,
) -> QueryResult<()> {
    crate::openspace::settings::bump_board(conn, cx)?;
    reindex_event(conn, &cx.event.id)
}

/// Rebuilds the index of every event (after `seed`, and by `ghent reindex`).
pub fn reindex_all(conn: &mut AnyConnection) -> QueryResult<usize> {
    use crate::db::schema::events;
    let ids: Vec<String> = events::table.select(events::id).load(conn)?;
    for id in &ids {
        reindex_event(conn, id)?;
    }
    Ok(ids.len())
}
