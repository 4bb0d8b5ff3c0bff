//! One event as one JSON document (`ghent export --event SLUG`), and that document read back
//! into another database (`ghent import-event FILE`): the event, its venue and people, the
//! programme and its releases, submission types, questions, open space, sponsors and logos,
//! buzz and mail templates; with `--with-personal-data` also registrations and answers,
//! proposals, open-space participants, votes and notes, feedback and mailing lists. See
//! [`tables::PARTS`] for what is left out.
//!
//! Rows travel as JSON objects keyed by column, so a document from SQLite reads into
//! PostgreSQL and back; ids stay the same (schedule apps keep their favourites).

mod sql;
pub mod tables;

use diesel::Connection;
use serde_json::{json, Map, Value};

use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// The document's `format` field.
pub const FORMAT: &str = "ghent-event";
/// The document's `version` field.
pub const VERSION: i64 = 1;

/// The event with this slug as a document (personal data only when asked for).
pub fn export(conn: &mut AnyConnection, slug: &str, personal: bool) -> AppResult<Value> {
    let event = crate::events::queries::by_slug(conn, slug)?
        .ok_or_else(|| AppError::BadRequest(format!("no event with slug {slug:?}")))?;
    let mut tables = Map::new();
    for part in tables::PARTS.iter().filter(|p| personal || !p.personal) {
        let mut rows = sql::rows(conn, part.table, part.rows, &event.id)?;
        // In a stable order, so that two exports of the same event are the same document.
        rows.sort_by_key(|r| Value::Object(r.clone()).to_string());
        let blank = if personal { &[][..] } else { part.blank };
        for row in &mut rows {
            for column in blank.iter().chain(part.cut) {
                row.insert((*column).to_string(), Value::Null);
            }
        }
        let list = tables
            .entry(part.table.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.extend(rows.into_iter().map(Value::Object));
        }
    }
    Ok(json!({
        "format": FORMAT,
        "version": VERSION,
        "event": { "slug": event.slug, "name": event.name },
        "personal_data": personal,
        "tables": tables,
    }))
}

/// What an import wrote: rows per table, in the order written.
pub type Imported = Vec<(String, usize)>;

/// Reads a document back, in one transaction. Refused as a whole when it is not a Ghent event
/// document of this version, or when the database already has an event with its id or slug.
pub fn import(conn: &mut AnyConnection, doc: &Value) -> AppResult<Imported> {
    if doc["format"] != FORMAT || doc["version"] != VERSION {
        return Err(AppError::BadRequest(format!(
            "not a {FORMAT} document of version {VERSION}"
        )));
    }
    let slug = doc["event"]["slug"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if crate::events::queries::by_slug(conn, &slug)?.is_some() {
        return Err(AppError::Conflict(format!(
            "this database already has an event {slug:?}"
        )));
    }
    let tables = doc["tables"]
        .as_object()
        .ok_or_else(|| AppError::BadRequest("the document has no tables".into()))?;
    conn.transaction(|conn| {
        let mut written: Imported = Vec::new();
        let mut done = std::collections::HashSet::new();
        for part in tables::PARTS {
            // A table listed twice (people) is written once, with every row of the document.
            if !done.insert(part.table) {
                continue;
            }
            let shared = tables::PARTS
                .iter()
                .any(|p| p.table == part.table && p.shared);
            let rows = tables
                .get(part.table)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut n = 0;
            for row in rows {
                if let Value::Object(row) = row {
                    n += sql::insert(conn, part.table, row, shared)?;
                }
            }
            written.push((part.table.to_string(), n));
        }
        let event = crate::events::queries::by_slug(conn, &slug)?
            .ok_or_else(|| AppError::BadRequest("the document holds no event row".into()))?;
        crate::material::index::reindex_event(conn, &event.id)?;
        Ok(written)
    })
}
