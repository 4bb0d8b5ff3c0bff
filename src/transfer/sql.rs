//! Rows as JSON objects and back, in each database's own way: `row_to_json` and
//! `json_populate_record` on PostgreSQL, `json_object` and `json_extract` on SQLite (with the
//! columns read from `PRAGMA table_info`). Table and column names come from [`super::tables`]
//! and the database's catalogue, never from a document.

use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{Map, Value};

use super::tables::BINARY;
use crate::db::AnyConnection;

#[derive(QueryableByName)]
struct Json {
    #[diesel(sql_type = Text)]
    json: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_: String,
}

/// A SQLite table's columns and their declared types.
fn columns(conn: &mut diesel::SqliteConnection, table: &str) -> QueryResult<Vec<Column>> {
    diesel::sql_query(format!(
        "SELECT name, type AS type_ FROM pragma_table_info('{table}') ORDER BY cid"
    ))
    .load(conn)
}

fn is_binary(table: &str, column: &str) -> bool {
    BINARY.iter().any(|(t, c)| *t == table && *c == column)
}

/// The rows of `table` that `condition` picks for the event, as JSON objects (binary columns
/// as hex, times as `YYYY-MM-DDTHH:MM:SS[.f]`).
pub fn rows(
    conn: &mut AnyConnection,
    table: &str,
    condition: &str,
    event_id: &str,
) -> QueryResult<Vec<Map<String, Value>>> {
    let texts: Vec<Json> = match conn {
        AnyConnection::Postgresql(c) => diesel::sql_query(format!(
            "SELECT row_to_json(t)::text AS json FROM {table} t WHERE {condition}"
        ))
        .bind::<Text, _>(event_id)
        .load(c)?,
        AnyConnection::Sqlite(c) => {
            let fields = columns(c, table)?
                .iter()
                .map(|col| {
                    let value = if is_binary(table, &col.name) {
                        format!("lower(hex({}))", col.name)
                    } else if col.type_.eq_ignore_ascii_case("TIMESTAMP") {
                        format!("replace({}, ' ', 'T')", col.name)
                    } else {
                        col.name.clone()
                    };
                    format!("'{}', {value}", col.name)
                })
                .collect::<Vec<_>>()
                .join(", ");
            diesel::sql_query(format!(
                "SELECT json_object({fields}) AS json FROM {table} WHERE {condition}"
            ))
            .bind::<Text, _>(event_id)
            .load(c)?
        }
    };
    Ok(texts
        .into_iter()
        .filter_map(|t| match serde_json::from_str(&t.json) {
            Ok(Value::Object(mut row)) => {
                for (_, column) in BINARY.iter().filter(|(t, _)| *t == table) {
                    if let Some(Value::String(s)) = row.get_mut(*column) {
                        *s = s.trim_start_matches("\\x").to_string();
                    }
                }
                Some(row)
            }
            _ => None,
        })
        .collect())
}

/// Inserts one row given as a JSON object. With `shared`, a row whose key is taken already is
/// left as it is (a person or venue the database has); otherwise a clash is an error.
pub fn insert(
    conn: &mut AnyConnection,
    table: &str,
    mut row: Map<String, Value>,
    shared: bool,
) -> QueryResult<usize> {
    match conn {
        AnyConnection::Postgresql(c) => {
            for (_, column) in BINARY.iter().filter(|(t, _)| *t == table) {
                if let Some(Value::String(s)) = row.get_mut(*column) {
                    *s = format!("\\x{s}");
                }
            }
            let conflict = if shared {
                " ON CONFLICT DO NOTHING"
            } else {
                ""
            };
            diesel::sql_query(format!(
                "INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, $1::json){conflict}"
            ))
            .bind::<Text, _>(Value::Object(row).to_string())
            .execute(c)
        }
        AnyConnection::Sqlite(c) => {
            let cols = columns(c, table)?;
            let names = cols
                .iter()
                .map(|col| col.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            let values = cols
                .iter()
                .map(|col| {
                    let v = format!("json_extract($1, '$.{}')", col.name);
                    if is_binary(table, &col.name) {
                        format!("unhex({v})")
                    } else if col.type_.eq_ignore_ascii_case("TIMESTAMP") {
                        format!("replace({v}, 'T', ' ')")
                    } else if col.type_.eq_ignore_ascii_case("BOOLEAN") {
                        // PostgreSQL's documents say true/false; SQLite keeps 1/0.
                        format!("CASE WHEN {v} IN (1, 'true') THEN 1 WHEN {v} IS NULL THEN NULL ELSE 0 END")
                    } else {
                        v
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let verb = if shared { "INSERT OR IGNORE" } else { "INSERT" };
            diesel::sql_query(format!("{verb} INTO {table} ({names}) VALUES ({values})"))
                .bind::<Text, _>(Value::Object(row).to_string())
                .execute(c)
        }
    }
}
