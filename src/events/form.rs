//! The organizers' event form, parsed once into a typed input: name, slug, timezone, dates and
//! venue; the registration and CfP windows; the review and registration settings.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::model::{Event, EventRow, Venue};
use crate::error::FieldErrors;
use crate::forms::Fields;
use crate::values::{self, EmailAddress, Slug};

/// The event form as typed (all text), kept to show the form again with the input on errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EventForm {
    /// As shown everywhere, e.g. "devopsdays Ghent 2009".
    pub name: String,
    /// The URL part, e.g. `ghent-2009`: lower-case letters, digits and dashes.
    pub slug: String,
    /// IANA timezone.
    pub timezone: String,
    /// Local start.
    pub starts_at: String,
    /// Local end.
    pub ends_at: String,
    /// Optional; empty means no venue block on the page.
    pub venue_name: String,
    /// Free text, one line per address line.
    pub venue_address: String,
    /// Venue link.
    pub venue_url: String,
    /// Seats (empty: unlimited).
    pub capacity: String,
    /// Markdown description.
    pub description: String,
    /// Local time registration opens.
    pub registration_opens_at: String,
    /// Local time registration closes.
    pub registration_closes_at: String,
    /// Local time the CfP opens.
    pub cfp_opens_at: String,
    /// Local time the CfP closes.
    pub cfp_closes_at: String,
    /// CfP description (Markdown).
    pub cfp_description: String,
    /// Organizers' contact email.
    pub contact_email: String,
    /// Code of conduct link.
    pub code_of_conduct_url: String,
    /// Lowest review score.
    pub review_score_min: String,
    /// Highest review score.
    pub review_score_max: String,
    /// Checkbox: "on" when ticked.
    pub anonymous_review: Option<String>,
    /// Reminder interval (days).
    pub confirm_reminder_days: String,
    /// Pending expiry (hours).
    pub pending_expiry_hours: String,
    /// Offer expiry (hours).
    pub offer_expiry_hours: String,
    /// Retention (days after the event).
    pub retention_days: String,
}

impl EventForm {
    /// A blank form with sensible defaults for a new event.
    pub fn blank() -> EventForm {
        EventForm {
            timezone: "Europe/Brussels".into(),
            review_score_min: "0".into(),
            review_score_max: "5".into(),
            confirm_reminder_days: "3".into(),
            pending_expiry_hours: "48".into(),
            offer_expiry_hours: "48".into(),
            retention_days: "90".into(),
            ..EventForm::default()
        }
    }

    /// The form filled from an existing event (times in its timezone).
    pub fn from_event(event: &Event, venue: Option<&Venue>) -> EventForm {
        let tz = event.tz();
        let local =
            |t: Option<NaiveDateTime>| t.map(|t| values::to_local_input(t, tz)).unwrap_or_default();
        EventForm {
            name: event.name.clone(),
            slug: event.slug.clone(),
            timezone: event.timezone.clone(),
            starts_at: values::to_local_input(event.starts_at, tz),
            ends_at: values::to_local_input(event.ends_at, tz),
            venue_name: venue.map(|v| v.name.clone()).unwrap_or_default(),
            venue_address: venue.map(|v| v.address.clone()).unwrap_or_default(),
            venue_url: venue.map(|v| v.url.clone()).unwrap_or_default(),
            capacity: event.capacity.map(|c| c.to_string()).unwrap_or_default(),
            description: event.description.clone(),
            registration_opens_at: local(event.registration_opens_at),
            registration_closes_at: local(event.registration_closes_at),
            cfp_opens_at: local(event.cfp_opens_at),
            cfp_closes_at: local(event.cfp_closes_at),
            cfp_description: event.cfp_description.clone(),
            contact_email: event.contact_email.clone(),
            code_of_conduct_url: event.code_of_conduct_url.clone(),
            review_score_min: event.review_score_min.to_string(),
            review_score_max: event.review_score_max.to_string(),
            anonymous_review: event.anonymous_review.then(|| "on".to_string()),
            confirm_reminder_days: event.confirm_reminder_days.to_string(),
            pending_expiry_hours: event.pending_expiry_hours.to_string(),
            offer_expiry_hours: event.offer_expiry_hours.to_string(),
            retention_days: event.retention_days.to_string(),
        }
    }
}

/// The venue part of a parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueInput {
    /// Trimmed; empty when the event has no venue yet.
    pub name: String,
    /// Lines as typed, trailing blanks removed.
    pub address: String,
    /// Link.
    pub url: String,
}

/// A parsed, valid event form.
#[derive(Debug, Clone)]
pub struct EventInput {
    /// Everything stored on the event row except the venue id.
    pub row: EventRow,
    /// The venue, if a name was given.
    pub venue: Option<VenueInput>,
}

/// A local time that may be left empty.
fn optional_time(
    f: &mut Fields,
    field: &str,
    input: &str,
    tz: Tz,
) -> Option<Option<NaiveDateTime>> {
    if input.trim().is_empty() {
        return Some(None);
    }
    f.take(field, values::parse_local_datetime(input, tz))
        .map(Some)
}

/// An opening window: both ends or neither, and the close after the open.
fn window(
    f: &mut Fields,
    prefix: &str,
    opens: &str,
    closes: &str,
    tz: Tz,
) -> Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let (open_field, close_field) = (format!("{prefix}_opens_at"), format!("{prefix}_closes_at"));
    let o = optional_time(f, &open_field, opens, tz);
    let c = optional_time(f, &close_field, closes, tz);
    let (o_empty, c_empty) = (opens.trim().is_empty(), closes.trim().is_empty());
    if o_empty != c_empty {
        let missing = if o_empty { &open_field } else { &close_field };
        f.fail(
            missing,
            "Give both ends of the window, or leave both empty.",
        );
    }
    if let (Some(Some(o)), Some(Some(c))) = (o, c) {
        f.check(c > o, &close_field, "This must be after the opening time.");
    }
    Some((o?, c?))
}

/// A whole number in a range, or `default` when left empty.
fn number_or(
    f: &mut Fields,
    field: &str,
    input: &str,
    what: &str,
    (min, max): (i32, i32),
    default: i32,
) -> Option<i32> {
    if input.trim().is_empty() {
        Some(default)
    } else {
        f.take(field, values::parse_int(input, what, min, max))
    }
}

/// The review and registration settings.
struct Settings {
    score_min: i32,
    score_max: i32,
    reminder: i32,
    pending: i32,
    offer: i32,
    retention: i32,
}

fn settings(f: &mut Fields, form: &EventForm) -> Option<Settings> {
    let score_min = number_or(
        f,
        "review_score_min",
        &form.review_score_min,
        "the lowest score",
        (-10, 100),
        0,
    );
    let score_max = number_or(
        f,
        "review_score_max",
        &form.review_score_max,
        "the highest score",
        (-10, 100),
        5,
    );
    if let (Some(lo), Some(hi)) = (score_min, score_max) {
        f.check(
            hi > lo,
            "review_score_max",
            "The highest score must be above the lowest.",
        );
    }
    let reminder = number_or(
        f,
        "confirm_reminder_days",
        &form.confirm_reminder_days,
        "the reminder interval",
        (1, 60),
        3,
    );
    let pending = number_or(
        f,
        "pending_expiry_hours",
        &form.pending_expiry_hours,
        "the confirmation time",
        (1, 24 * 30),
        48,
    );
    let offer = number_or(
        f,
        "offer_expiry_hours",
        &form.offer_expiry_hours,
        "the offer time",
        (1, 24 * 30),
        48,
    );
    let retention = number_or(
        f,
        "retention_days",
        &form.retention_days,
        "the retention period",
        (0, 3650),
        90,
    );
    Some(Settings {
        score_min: score_min?,
        score_max: score_max?,
        reminder: reminder?,
        pending: pending?,
        offer: offer?,
        retention: retention?,
    })
}

/// The venue: named, or absent (with no address or link either).
fn venue(f: &mut Fields, form: &EventForm) -> Option<Option<VenueInput>> {
    let name = f.take(
        "venue_name",
        values::parse_optional_line(&form.venue_name, "the venue name", 200),
    );
    let address = f.take(
        "venue_address",
        values::parse_text(&form.venue_address, "the address", 500),
    );
    let url = f.take("venue_url", values::parse_optional_url(&form.venue_url));
    let (name, address, url) = (name?, address?, url?);
    if name.is_empty() {
        f.check(
            address.is_empty() && url.is_empty(),
            "venue_name",
            "Please name the venue, or leave its address empty too.",
        );
        return Some(None);
    }
    Some(Some(VenueInput { name, address, url }))
}

/// When the event happens, where its times are read.
struct When {
    tz: Tz,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
}

fn when(f: &mut Fields, form: &EventForm) -> (Option<When>, Tz) {
    let tz = f.take("timezone", values::parse_timezone(&form.timezone));
    let local = tz.unwrap_or(Tz::UTC);
    let starts = f.take(
        "starts_at",
        values::parse_local_datetime(&form.starts_at, local),
    );
    let ends = f.take(
        "ends_at",
        values::parse_local_datetime(&form.ends_at, local),
    );
    if let (Some(s), Some(e)) = (starts, ends) {
        f.check(e > s, "ends_at", "The event must end after it starts.");
    }
    let when = (|| {
        Some(When {
            tz: tz?,
            starts: starts?,
            ends: ends?,
        })
    })();
    (when, local)
}

/// The texts and links of the event.
struct Texts {
    description: String,
    cfp_description: String,
    contact_email: String,
    code_of_conduct_url: String,
}

fn texts(f: &mut Fields, form: &EventForm) -> Option<Texts> {
    let description = f.take(
        "description",
        values::parse_text(&form.description, "the description", 20_000),
    );
    let cfp_description = f.take(
        "cfp_description",
        values::parse_text(&form.cfp_description, "the call for papers text", 20_000),
    );
    let contact_email = match form.contact_email.trim() {
        "" => Some(String::new()),
        email => f.take(
            "contact_email",
            EmailAddress::parse(email).map(EmailAddress::into_inner),
        ),
    };
    let coc = f.take(
        "code_of_conduct_url",
        values::parse_optional_url(&form.code_of_conduct_url),
    );
    Some(Texts {
        description: description?,
        cfp_description: cfp_description?,
        contact_email: contact_email?,
        code_of_conduct_url: coc?,
    })
}

/// Parses the event form; on error returns a message per field.
pub fn parse(form: &EventForm) -> Result<EventInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 120));
    let slug = f.take("slug", Slug::parse(&form.slug));
    let (when, local) = when(&mut f, form);
    let venue = venue(&mut f, form);
    let capacity = f.take(
        "capacity",
        values::parse_optional_int(&form.capacity, "capacity", 0, 1_000_000),
    );
    let registration = window(
        &mut f,
        "registration",
        &form.registration_opens_at,
        &form.registration_closes_at,
        local,
    );
    let cfp = window(
        &mut f,
        "cfp",
        &form.cfp_opens_at,
        &form.cfp_closes_at,
        local,
    );
    let texts = texts(&mut f, form);
    let settings = settings(&mut f, form);
    let anonymous_review = form
        .anonymous_review
        .as_deref()
        .is_some_and(|v| !v.is_empty());
    f.finish(|| {
        let (w, t, s) = (when?, texts?, settings?);
        let ((registration_opens_at, registration_closes_at), (cfp_opens_at, cfp_closes_at)) =
            (registration?, cfp?);
        Some(EventInput {
            row: EventRow {
                slug: slug?.into_inner(),
                name: name?,
                timezone: w.tz.name().to_string(),
                starts_at: w.starts,
                ends_at: w.ends,
                venue_id: None,
                description: t.description,
                capacity: capacity?,
                registration_opens_at,
                registration_closes_at,
                cfp_opens_at,
                cfp_closes_at,
                cfp_description: t.cfp_description,
                review_score_min: s.score_min,
                review_score_max: s.score_max,
                anonymous_review,
                confirm_reminder_days: s.reminder,
                pending_expiry_hours: s.pending,
                offer_expiry_hours: s.offer,
                retention_days: s.retention,
                contact_email: t.contact_email,
                code_of_conduct_url: t.code_of_conduct_url,
            },
            venue: venue?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ghent_form() -> EventForm {
        EventForm {
            name: "devopsdays Ghent 2009".into(),
            slug: "ghent-2009".into(),
            timezone: "Europe/Brussels".into(),
            starts_at: "2009-10-30T09:00".into(),
            ends_at: "2009-10-31T18:00".into(),
            venue_name: "Hogeschool Gent".into(),
            ..EventForm::blank()
        }
    }

    #[test]
    fn a_valid_form_parses_into_utc_times() {
        let input = parse(&ghent_form()).unwrap();
        assert_eq!(input.row.starts_at.to_string(), "2009-10-30 08:00:00");
        assert_eq!(input.row.review_score_max, 5);
        assert!(input.venue.is_some());
    }

    #[test]
    fn errors_are_reported_per_field() {
        let form = EventForm {
            slug: "admin".into(),
            ends_at: "2009-10-29T09:00".into(),
            capacity: "lots".into(),
            registration_opens_at: "2009-09-01T00:00".into(),
            ..ghent_form()
        };
        let errors = parse(&form).unwrap_err();
        assert!(errors.contains_key("slug"));
        assert!(errors.contains_key("ends_at"));
        assert!(errors.contains_key("capacity"));
        assert!(errors.contains_key("registration_closes_at"));
        assert!(!errors.contains_key("name"));
    }
}
