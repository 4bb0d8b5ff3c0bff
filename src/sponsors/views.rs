//! Sponsors as the event home, the sponsors page and the admin show them: grouped by level,
//! in order, each logo at its content-hash URL.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::manage::{levels, sponsors_of};
use crate::db::schema::images;
use crate::db::AnyConnection;

/// The levels with their sponsors (levels without sponsors left out unless `all`).
pub fn by_level(conn: &mut AnyConnection, event_id: &str, all: bool) -> QueryResult<Vec<Value>> {
    let levels = levels(conn, event_id)?;
    let sponsors = sponsors_of(conn, event_id)?;
    let logo_ids: Vec<String> = sponsors.iter().filter_map(|s| s.logo_id.clone()).collect();
    let logos: Vec<(String, String, i32, i32)> = images::table
        .filter(images::id.eq_any(&logo_ids))
        .select((
            images::id,
            images::content_type,
            images::width,
            images::height,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for l in levels {
        let list: Vec<Value> = sponsors
            .iter()
            .filter(|s| s.level_id == l.id)
            .map(|s| {
                let logo = s.logo_id.as_ref().and_then(|id| logos.iter().find(|(i, ..)| i == id));
                json!({
                    "id": s.id,
                    "name": s.name,
                    "url": s.url,
                    "blurb": s.blurb,
                    "logo": logo.map(|(id, ct, w, h)| json!({ "src": super::images::path(id, ct), "width": w, "height": h })),
                })
            })
            .collect();
        if all || !list.is_empty() {
            out.push(
                json!({ "id": l.id, "name": l.name, "position": l.position, "sponsors": list }),
            );
        }
    }
    Ok(out)
}
