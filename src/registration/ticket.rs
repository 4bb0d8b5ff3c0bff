//! What a ticket carries besides its QR code ([`crate::qr`]): an `.ics` of the event.

use chrono::NaiveDateTime;
use icalendar::{Calendar, Component, EventLike};

use crate::events::Event;

/// An `.ics` with the event, for the ticket mail.
pub fn event_ics(event: &Event, venue: Option<&str>, base_url: &str, now: NaiveDateTime) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("ghent")
        .split(['/', ':'])
        .next()
        .unwrap_or("ghent");
    let mut e = icalendar::Event::new();
    e.uid(&format!("{}@{host}", event.id))
        .timestamp(now.and_utc())
        .summary(&event.name)
        .url(&crate::urls::absolute(
            base_url,
            &crate::urls::event(&event.slug),
        ))
        .starts(event.starts_at.and_utc())
        .ends(event.ends_at.and_utc());
    if let Some(v) = venue {
        e.location(v);
    }
    let mut cal = Calendar::new();
    cal.name(&event.name).push(e.done());
    cal.done().to_string()
}
