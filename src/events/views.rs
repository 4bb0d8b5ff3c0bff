//! What the event pages show, prepared for the templates: times already in the event's
//! timezone, links shown only when they lead somewhere.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::display;
use super::model::Event;
use super::queries;
use crate::accounts::{Capability, Viewer};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// An event in a list.
#[derive(Debug, Clone, Serialize)]
pub struct EventSummary {
    /// For links (`/{slug}/`).
    pub slug: String,
    /// As shown in the list.
    pub name: String,
    /// "30–31 October 2009".
    pub dates: String,
    /// Machine-readable start.
    pub starts_iso: String,
    /// Venue name, if any.
    pub venue: Option<String>,
    /// Sample data.
    pub is_sample: bool,
}

impl EventSummary {
    fn build(conn: &mut AnyConnection, e: &Event) -> AppResult<EventSummary> {
        let venue = match &e.venue_id {
            Some(id) => queries::venue(conn, id)?.map(|v| v.name),
            None => None,
        };
        Ok(EventSummary {
            slug: e.slug.clone(),
            name: e.name.clone(),
            dates: display::date_range(e.starts_at, e.ends_at, e.tz()),
            starts_iso: display::iso_utc(e.starts_at),
            venue,
            is_sample: e.is_sample,
        })
    }
}

/// The front page: upcoming and past events.
#[derive(Debug, Serialize)]
pub struct IndexPage {
    /// Not yet over, soonest first.
    pub upcoming: Vec<EventSummary>,
    /// Over, latest first.
    pub past: Vec<EventSummary>,
}

/// Builds the front page.
pub fn index(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<IndexPage> {
    let (upcoming, past) = queries::upcoming_and_past(conn, now)?;
    Ok(IndexPage {
        upcoming: upcoming
            .iter()
            .map(|e| EventSummary::build(conn, e))
            .collect::<AppResult<_>>()?,
        past: past
            .iter()
            .map(|e| EventSummary::build(conn, e))
            .collect::<AppResult<_>>()?,
    })
}

/// The venue as shown.
#[derive(Debug, Serialize)]
pub struct VenueView {
    /// Venue name, e.g. "Hogeschool Gent".
    pub name: String,
    /// The address split into lines, for `<address>`.
    pub address_lines: Vec<String>,
    /// Link.
    pub url: String,
}

/// An event's home page.
#[derive(Debug, Serialize)]
pub struct EventPage {
    /// For links (`/{slug}/…`).
    pub slug: String,
    /// The page heading.
    pub name: String,
    /// Markdown description (rendered and sanitized by the template's `markdown` helper).
    pub description: String,
    /// "30–31 October 2009".
    pub dates: String,
    /// "Friday 30 October 2009, 09:00 CET".
    pub starts: String,
    /// Same for the end.
    pub ends: String,
    /// Machine-readable start and end.
    pub starts_iso: String,
    /// See `starts_iso`.
    pub ends_iso: String,
    /// IANA timezone.
    pub timezone: String,
    /// The venue.
    pub venue: Option<VenueView>,
    /// Seats, if limited.
    pub capacity: Option<i32>,
    /// Over.
    pub is_past: bool,
    /// Sample data.
    pub is_sample: bool,
    /// A schedule has been released.
    pub has_programme: bool,
    /// Registration is open now.
    pub registration_open: bool,
    /// "Registration opens …" / "Registration closed …", when not open.
    pub registration_note: Option<String>,
    /// The CfP is open now.
    pub cfp_open: bool,
    /// "Call for papers closes …" / "…opens …".
    pub cfp_note: Option<String>,
    /// Code of conduct link.
    pub code_of_conduct_url: String,
    /// Contact.
    pub contact_email: String,
    /// Life after (and before) the event: its successor, sponsors, the latest buzz.
    pub after: serde_json::Value,
}

/// Builds an event's home page, or `NotFound`.
pub fn event_page(
    conn: &mut AnyConnection,
    slug: &str,
    now: NaiveDateTime,
) -> AppResult<EventPage> {
    let event = queries::by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
    let tz = event.tz();
    let venue = match &event.venue_id {
        Some(id) => queries::venue(conn, id)?.map(|v| VenueView {
            name: v.name,
            address_lines: v
                .address
                .lines()
                .map(str::to_string)
                .filter(|l| !l.trim().is_empty())
                .collect(),
            url: v.url,
        }),
        None => None,
    };
    let has_programme = queries::has_release(conn, &event.id)?;
    let window_note = |what: &str,
                       opens: Option<NaiveDateTime>,
                       closes: Option<NaiveDateTime>,
                       open: bool| match (opens, closes) {
        (Some(_), Some(c)) if open => Some(format!("{what} closes {}.", display::datetime(c, tz))),
        (Some(o), Some(_)) if now < o => {
            Some(format!("{what} opens {}.", display::datetime(o, tz)))
        }
        (Some(_), Some(c)) => Some(format!("{what} closed {}.", display::datetime(c, tz))),
        _ => None,
    };
    let registration_open = event.registration_open(now);
    let cfp_open = event.cfp_open(now);
    Ok(EventPage {
        registration_note: window_note(
            "Registration",
            event.registration_opens_at,
            event.registration_closes_at,
            registration_open,
        ),
        cfp_note: window_note(
            "The call for papers",
            event.cfp_opens_at,
            event.cfp_closes_at,
            cfp_open,
        ),
        slug: event.slug.clone(),
        name: event.name.clone(),
        description: event.description.clone(),
        dates: display::date_range(event.starts_at, event.ends_at, tz),
        starts: display::datetime(event.starts_at, tz),
        ends: display::datetime(event.ends_at, tz),
        starts_iso: display::iso_utc(event.starts_at),
        ends_iso: display::iso_utc(event.ends_at),
        timezone: event.timezone.clone(),
        venue,
        capacity: event.capacity,
        is_past: event.is_past(now),
        is_sample: event.is_sample,
        has_programme,
        registration_open,
        cfp_open,
        code_of_conduct_url: event.code_of_conduct_url.clone(),
        contact_email: event.contact_email.clone(),
        after: super::next::home_extras(conn, &event, now)?,
    })
}

/// An event on the organizer's dashboard.
#[derive(Debug, Serialize)]
pub struct DashboardEvent {
    /// The summary.
    #[serde(flatten)]
    pub summary: EventSummary,
    /// The viewer's role.
    pub role: String,
    /// Where the event's admin starts for them: the overview, or the desk for check-in volunteers.
    pub admin_path: String,
}

/// The organizer's dashboard.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Events the viewer works on (all of them for site administrators).
    pub events: Vec<DashboardEvent>,
    /// May create events.
    pub can_create: bool,
}

/// Builds the dashboard.
pub fn dashboard(conn: &mut AnyConnection, viewer: &Viewer) -> AppResult<Dashboard> {
    let list = if viewer.organizer.is_site_admin {
        queries::all(conn)?
    } else {
        queries::for_organizer(conn, &viewer.organizer.id)?
    };
    let mut events = Vec::with_capacity(list.len());
    for e in &list {
        let role = viewer.role_on(&e.id);
        let admin_path = if viewer.can(&e.id, Capability::Review) {
            crate::urls::admin::event(&e.slug)
        } else {
            crate::urls::admin::desk(&e.slug)
        };
        events.push(DashboardEvent {
            summary: EventSummary::build(conn, e)?,
            role: role.map(|r| r.label()).unwrap_or("").to_string(),
            admin_path,
        });
    }
    Ok(Dashboard {
        events,
        can_create: viewer.organizer.is_site_admin,
    })
}

/// Loads an event by slug for an organizer who needs `cap` on it: `NotFound` if there is no
/// such event, `Forbidden` if the viewer lacks the capability.
pub fn event_for(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    slug: &str,
    cap: Capability,
) -> AppResult<Event> {
    let event = queries::by_slug(conn, slug)?.ok_or(AppError::NotFound)?;
    if !viewer.can(&event.id, cap) {
        return Err(AppError::Forbidden);
    }
    Ok(event)
}
