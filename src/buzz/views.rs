//! What the buzz pages show: the public list, the latest items for the event home, and the
//! organizers' page with the moderation queue.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::model::{BuzzItem, BuzzKind, BuzzStatus};
use crate::db::schema::buzz_items;
use crate::db::AnyConnection;
use crate::events::display;
use crate::events::Event;

/// Published items of an event, newest first (`limit` of them, or all).
pub fn published(
    conn: &mut AnyConnection,
    event_id: &str,
    limit: Option<i64>,
) -> QueryResult<Vec<BuzzItem>> {
    let q = buzz_items::table
        .filter(buzz_items::event_id.eq(event_id))
        .filter(buzz_items::status.eq(BuzzStatus::Published))
        .order((
            buzz_items::published_on.desc(),
            buzz_items::created_at.desc(),
        ))
        .select(BuzzItem::as_select());
    match limit {
        Some(n) => q.limit(n).load(conn),
        None => q.load(conn),
    }
}

/// One item as a page shows it.
pub fn item_json(item: &BuzzItem, event: &Event) -> Value {
    json!({
        "id": item.id,
        "title": item.title,
        "author": item.author,
        "url": item.url,
        "kind": item.kind.as_str(),
        "kind_label": item.kind.label(),
        "quote": item.quote,
        "date": display::date(item.published_on, chrono_tz::Tz::UTC),
        "date_iso": item.published_on.date().to_string(),
        "sample": item.sample,
        "status": item.status.as_str(),
        "about": item.talk_id.as_ref().map(|t| format!("talk:{t}")).or(item.topic_id.as_ref().map(|t| format!("topic:{t}"))).unwrap_or_default(),
        "event_slug": event.slug,
    })
}

/// The kinds, for the form's select.
pub fn kinds() -> Value {
    BuzzKind::ALL
        .iter()
        .map(|k| json!({ "value": k.as_str(), "label": k.label() }))
        .collect()
}

/// The public buzz page.
pub fn public_page(conn: &mut AnyConnection, event: &Event) -> QueryResult<Value> {
    let items = published(conn, &event.id, None)?;
    Ok(json!({
        "items": items.iter().map(|i| item_json(i, event)).collect::<Vec<_>>(),
        "kinds": kinds(),
    }))
}

/// The organizers' page: the waiting suggestions, then everything else, and the talks and
/// topics an item can be linked to.
pub fn admin_page(
    conn: &mut AnyConnection,
    event: &Event,
    (requested, per_page): (i64, i64),
) -> QueryResult<(Value, crate::paging::Paging)> {
    let all: Vec<BuzzItem> = buzz_items::table
        .filter(buzz_items::event_id.eq(&event.id))
        .order((
            buzz_items::published_on.desc(),
            buzz_items::created_at.desc(),
        ))
        .select(BuzzItem::as_select())
        .load(conn)?;
    let (waiting, rest): (Vec<_>, Vec<_>) =
        all.iter().partition(|i| i.status == BuzzStatus::Suggested);
    // Suggestions waiting for moderation are all shown; the rest a page at a time.
    let (rest, paging) = crate::paging::slice(rest, requested, per_page);
    let data = json!({
        "waiting": waiting.iter().map(|i| item_json(i, event)).collect::<Vec<_>>(),
        "items": rest.iter().map(|i| item_json(i, event)).collect::<Vec<_>>(),
        "kinds": kinds(),
        "about": about_choices(conn, event)?,
    });
    Ok((data, paging))
}

/// What a buzz item can be about, for the form's select: nothing, a talk, an open-space topic.
pub fn about_choices(conn: &mut AnyConnection, event: &Event) -> QueryResult<Vec<Value>> {
    use crate::db::schema::talks;
    let talks: Vec<(String, String)> = talks::table
        .filter(talks::event_id.eq(&event.id))
        .order(talks::title)
        .select((talks::id, talks::title))
        .load(conn)?;
    let topics = crate::openspace::board::shown_topics(conn, &event.id)?;
    let mut about = vec![json!({ "value": "", "label": "Nothing in particular" })];
    about.extend(
        talks
            .iter()
            .map(|(id, t)| json!({ "value": format!("talk:{id}"), "label": format!("Talk: {t}") })),
    );
    about.extend(topics.iter().map(|t| json!({ "value": format!("topic:{}", t.id), "label": format!("Open space: {}", t.title) })));
    Ok(about)
}
