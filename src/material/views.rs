//! What the library page shows: the filters, one page of results with links to where each
//! result lives, and the pages before and after (the filters kept in their links).

use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{json, Value};

use super::index::MaterialKind;
use super::search::{self, Query};
use crate::db::schema::{buzz_items, events};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::urls;

/// Results per page.
pub const PER_PAGE: i64 = 20;

/// The search as typed.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// Words.
    pub text: String,
    /// Event slug (empty: all).
    pub event: String,
    /// Kind (empty: all).
    pub kind: String,
    /// Track name (empty: all).
    pub track: String,
    /// 1-based page.
    pub page: i64,
}

/// The library's link to `page` of the same search.
fn page_link(input: &Input, page: i64) -> String {
    let pairs = [
        ("q", input.text.as_str()),
        ("event", &input.event),
        ("kind", &input.kind),
        ("track", &input.track),
    ];
    crate::paging::link(&urls::material(), &pairs, page)
}
/// The library page.
pub fn page(conn: &mut AnyConnection, input: &Input) -> AppResult<Value> {
    let all_events: Vec<(String, String, String)> = events::table
        .order(events::starts_at.desc())
        .select((events::id, events::slug, events::name))
        .load(conn)?;
    let event = all_events.iter().find(|(_, s, _)| *s == input.event);
    let q = Query {
        text: input.text.clone(),
        event_id: event.map(|(id, ..)| id.clone()),
        kind: MaterialKind::parse(&input.kind),
        track: (!input.track.is_empty()).then(|| input.track.clone()),
        page: input.page.max(1),
        per_page: PER_PAGE,
    };
    let (hits, total) = search::search(conn, &q)?;
    let by_id: HashMap<&str, (&str, &str)> = all_events
        .iter()
        .map(|(id, s, n)| (id.as_str(), (s.as_str(), n.as_str())))
        .collect();
    let buzz_ids: Vec<&str> = hits
        .iter()
        .filter(|h| h.kind == MaterialKind::Buzz)
        .map(|h| h.ref_id.as_str())
        .collect();
    let buzz_urls: HashMap<String, String> = buzz_items::table
        .filter(buzz_items::id.eq_any(&buzz_ids))
        .select((buzz_items::id, buzz_items::url))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let results: Vec<Value> = hits
        .iter()
        .map(|h| {
            let (slug, name) = by_id.get(h.event_id.as_str()).copied().unwrap_or(("", ""));
            let href = match h.kind {
                MaterialKind::Talk => urls::talk(slug, &h.ref_id),
                MaterialKind::Topic => urls::topic(slug, &h.ref_id),
                MaterialKind::Buzz => buzz_urls.get(&h.ref_id).filter(|u| !u.is_empty()).cloned().unwrap_or_else(|| urls::buzz(slug)),
            };
            json!({ "kind": h.kind.label(), "href": href, "title_html": h.title_html, "snippet_html": h.snippet_html, "event": name, "event_slug": slug })
        })
        .collect();
    let pager = crate::paging::Paging::new(q.page, PER_PAGE, total).view(|p| page_link(input, p));
    Ok(json!({
        "q": input.text, "event": input.event, "kind": input.kind, "track": input.track,
        "searched": !search::words(&input.text).is_empty(),
        "results": results, "total": total, "page": pager.page, "pages": pager.pages,
        "prev": pager.prev, "next": pager.next,
        "events": all_events.iter().map(|(_, s, n)| json!({ "value": s, "label": n })).collect::<Vec<_>>(),
        "kinds": MaterialKind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>(),
        "tracks": search::tracks(conn)?,
    }))
}
