//! Full-text search over the library, one function for both backends: FTS5's `bm25` (title
//! weighed ten times the body) on SQLite, `ts_rank` over a tsvector whose title has weight A
//! and body weight B on PostgreSQL. Both stem English words, so "monitoring" finds "monitor".
//! Matches come back marked with private-use characters; [`marked_html`] escapes the text and
//! only then turns the marks into `<mark>`, so nothing of the indexed text reaches the page
//! unescaped.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};
use serde::Serialize;

use super::index::{MaterialKind, MARK_END, MARK_START};
use crate::db::AnyConnection;

/// What a visitor asked for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The words typed.
    pub text: String,
    /// Only this event (its id).
    pub event_id: Option<String>,
    /// Only this kind.
    pub kind: Option<MaterialKind>,
    /// Only this track (by name).
    pub track: Option<String>,
    /// 1-based page.
    pub page: i64,
    /// Results per page.
    pub per_page: i64,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// What it is.
    pub kind: MaterialKind,
    /// The talk, topic or buzz item.
    pub ref_id: String,
    /// Its event.
    pub event_id: String,
    /// The title, HTML-escaped with the matches in `<mark>`.
    pub title_html: String,
    /// A passage of the body around the matches, the same way.
    pub snippet_html: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    ref_id: String,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    snippet: String,
    #[allow(dead_code)]
    #[diesel(sql_type = Double)]
    rank: f64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The words of a query (letters and digits), at most 12: what both engines are asked for,
/// so no operator syntax of either reaches them.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(str::to_lowercase)
        .collect()
}

/// HTML-escapes `s`, then turns the highlighter's marks into `<mark>…</mark>`.
pub fn marked_html(s: &str) -> String {
    let escaped = handlebars::html_escape(s);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut open = false;
    for c in escaped.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// The filters as SQL (after the match condition), numbered from `first`, with their values.
fn filters(q: &Query, first: usize, mark: char) -> (String, Vec<String>) {
    // Draft events are their team's only: the public library leaves them out.
    let mut sql = String::from(" AND event_id IN (SELECT id FROM events WHERE status <> 'draft')");
    let mut values = Vec::new();
    let mut n = first;
    for (column, value) in [
        ("event_id", q.event_id.clone()),
        ("kind", q.kind.map(|k| k.as_str().to_string())),
        ("track", q.track.clone()),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = {mark}{n}"));
            values.push(v);
            n += 1;
        }
    }
    (sql, values)
}

/// One page of results, best first, and how many there are in all.
pub fn search(conn: &mut AnyConnection, q: &Query) -> QueryResult<(Vec<Hit>, i64)> {
    let words = words(&q.text);
    if words.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let per_page = q.per_page.clamp(1, 100);
    let offset = (q.page.max(1) - 1) * per_page;
    let marks = (MARK_START.to_string(), MARK_END.to_string());
    let (rows, total) = match conn {
        AnyConnection::Sqlite(c) => {
            let matched = words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ");
            // `?N` parameters: SQLite numbers `$N` by first appearance, not by N.
            let (f, values) = filters(q, 4, '?');
            let sql = format!(
                "SELECT kind, ref_id, event_id, highlight(material_index, 0, ?2, ?3) AS title, \
                 snippet(material_index, 1, ?2, ?3, '…', 24) AS snippet, \
                 bm25(material_index, 10.0, 1.0) AS rank \
                 FROM material_index WHERE material_index MATCH ?1{f} \
                 ORDER BY rank, title LIMIT {per_page} OFFSET {offset}"
            );
            let mut query = diesel::sql_query(sql)
                .bind::<Text, _>(matched.clone())
                .bind::<Text, _>(marks.0.clone())
                .bind::<Text, _>(marks.1.clone())
                .into_boxed();
            for v in &values {
                query = query.bind::<Text, _>(v.clone());
            }
            let rows: Vec<Row> = query.load(c)?;
            let (f, values) = filters(q, 2, '?');
            let mut count = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM material_index WHERE material_index MATCH ?1{f}"
            ))
            .bind::<Text, _>(matched)
            .into_boxed();
            for v in &values {
                count = count.bind::<Text, _>(v.clone());
            }
            (rows, count.get_result::<Count>(c)?.n)
        }
        AnyConnection::Postgresql(c) => {
            let typed = words.join(" ");
            let (f, values) = filters(q, 3, '$');
            let sql = format!(
                "SELECT kind, ref_id, event_id, \
                 ts_headline('english', title, q, $2 || ', HighlightAll=true') AS title, \
                 ts_headline('english', body, q, $2 || ', MaxWords=30, MinWords=12') AS snippet, \
                 ts_rank(document, q)::float8 AS rank \
                 FROM material_index, plainto_tsquery('english', $1) q WHERE document @@ q{f} \
                 ORDER BY rank DESC, title LIMIT {per_page} OFFSET {offset}"
            );
            let options = format!("StartSel={}, StopSel={}", marks.0, marks.1);
            let mut query = diesel::sql_query(sql)
                .bind::<Text, _>(typed.clone())
                .bind::<Text, _>(options)
                .into_boxed();
            for v in &values {
                query = query.bind::<Text, _>(v.clone());
            }
            let rows: Vec<Row> = query.load(c)?;
            let (f, values) = filters(q, 2, '$');
            let mut count = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM material_index, plainto_tsquery('english', $1) q \
                 WHERE document @@ q{f}"
            ))
            .bind::<Text, _>(typed)
            .into_boxed();
            for v in &values {
                count = count.bind::<Text, _>(v.clone());
            }
            (rows, count.get_result::<Count>(c)?.n)
        }
    };
    let hits = rows
        .into_iter()
        .filter_map(|r| {
            Some(Hit {
                kind: MaterialKind::parse(&r.kind)?,
                ref_id: r.ref_id,
                event_id: r.event_id,
                title_html: marked_html(&r.title),
                snippet_html: marked_html(&r.snippet),
            })
        })
        .collect();
    Ok((hits, total))
}

/// The track names the library holds, for the filter.
pub fn tracks(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct T {
        #[diesel(sql_type = Text)]
        track: String,
    }
    Ok(diesel::sql_query(
        "SELECT DISTINCT track FROM material_index WHERE track <> '' ORDER BY track",
    )
    .load::<T>(conn)?
    .into_iter()
    .map(|t| t.track)
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_mark_elements_and_everything_else_is_escaped() {
        let s = format!("<b>{MARK_START}Kanban{MARK_END}</b> & ops");
        assert_eq!(
            marked_html(&s),
            "&lt;b&gt;<mark>Kanban</mark>&lt;/b&gt; &amp; ops"
        );
        assert_eq!(
            words("Kanban \"ops\" OR NEAR(x)"),
            ["kanban", "ops", "or", "near", "x"]
        );
    }
}
