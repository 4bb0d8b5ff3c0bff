//! Related material of a talk or open-space topic: first what the organizers linked to it
//! (buzz items: reports, posts, videos, links), then its notes page, then what shares its track
//! (the talk pages build that part from the release they render).

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::buzz::model::BuzzStatus;
use crate::db::schema::buzz_items;
use crate::db::AnyConnection;

/// A buzz item linked to a talk or topic.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Linked {
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Link (empty for a mention without one).
    pub url: String,
    /// Its kind's label ("Report", "Video"…).
    pub kind: String,
}

/// (talk id, topic id, title, author, url, kind) of a linked buzz item.
type LinkedRow = (
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

/// Published buzz items of an event linked to a talk or topic, by that talk's or topic's id,
/// newest first.
pub fn linked_buzz(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<HashMap<String, Vec<Linked>>> {
    let rows: Vec<LinkedRow> = buzz_items::table
        .filter(buzz_items::event_id.eq(event_id))
        .filter(buzz_items::status.eq(BuzzStatus::Published))
        .filter(
            buzz_items::talk_id
                .is_not_null()
                .or(buzz_items::topic_id.is_not_null()),
        )
        .order(buzz_items::published_on.desc())
        .select((
            buzz_items::talk_id,
            buzz_items::topic_id,
            buzz_items::title,
            buzz_items::author,
            buzz_items::url,
            buzz_items::kind,
        ))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Linked>> = HashMap::new();
    for (talk, topic, title, author, url, kind) in rows {
        let label = crate::buzz::model::BuzzKind::parse(&kind)
            .map(|k| k.label().to_string())
            .unwrap_or(kind);
        let item = Linked {
            title,
            author,
            url,
            kind: label,
        };
        if let Some(id) = talk.or(topic) {
            out.entry(id).or_default().push(item);
        }
    }
    Ok(out)
}
