//! The demo's buzz (sample data): the reactions to devopsdays Ghent 2009 that the blog post
//! Ghent is named after sends its readers to.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{BuzzItem, BuzzKind, BuzzStatus};
use crate::db::schema::buzz_items;
use crate::db::{new_id, AnyConnection};
use crate::events::Event;

/// Ghent 2009's buzz.
pub fn ghent(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> QueryResult<()> {
    // (kind, title, author, link, date, quote)
    type Sample<'a> = (
        BuzzKind,
        &'a str,
        &'a str,
        &'a str,
        (i32, u32, u32),
        &'a str,
    );
    let items: [Sample; 4] = [
        (
            BuzzKind::Report,
            "devopsdays",
            "Bart Vanbrabant",
            "http://bart.vanbrabant.eu/2009/10/31/devops/",
            (2009, 10, 31),
            "Two days of developers and system administrators in one room.",
        ),
        (
            BuzzKind::Report,
            "devopsdays 2009",
            "Agile Web Operations",
            "http://www.agileweboperations.com/devopsdays-2009/",
            (2009, 11, 2),
            "",
        ),
        (
            BuzzKind::Blog,
            "devopsdays Ghent: a report",
            "Kris Buytaert",
            "",
            (2009, 11, 5),
            "",
        ),
        (
            BuzzKind::Blog,
            "Devopsdays09 - Two Weeks Later",
            "Patrick Debois",
            "",
            (2009, 11, 15),
            "Where we gather all related material, and what comes next.",
        ),
    ];
    for (kind, title, author, url, (y, m, d), quote) in items {
        let on = NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or(event.starts_at);
        let item = BuzzItem {
            id: new_id(),
            event_id: event.id.clone(),
            kind,
            title: title.into(),
            author: author.into(),
            url: url.into(),
            published_on: on,
            quote: quote.into(),
            status: BuzzStatus::Published,
            talk_id: None,
            topic_id: None,
            sample: true,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(buzz_items::table)
            .values(&item)
            .execute(conn)?;
    }
    Ok(())
}
