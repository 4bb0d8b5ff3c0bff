//! Event and venue rows.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{events, venues};
use crate::db::text_enum;

text_enum! {
    /// Who sees an event, and whether it can change.
    pub enum EventStatus {
        /// Seen by its team only, until published.
        Draft = "draft",
        /// Public.
        Published = "published",
        /// Public and read-only: organizers change nothing; public forms are closed.
        Archived = "archived",
    }
}

/// An event row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = events)]
pub struct Event {
    /// Random UUID.
    pub id: String,
    /// URL segment, unique.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// IANA timezone in which the event's times are shown and typed.
    pub timezone: String,
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
    /// Main venue.
    pub venue_id: Option<String>,
    /// Markdown.
    pub description: String,
    /// Seats; `None` = unlimited.
    pub capacity: Option<i32>,
    /// Registration window (UTC); closed when either end is missing.
    pub registration_opens_at: Option<NaiveDateTime>,
    /// See `registration_opens_at`.
    pub registration_closes_at: Option<NaiveDateTime>,
    /// Call-for-papers window (UTC).
    pub cfp_opens_at: Option<NaiveDateTime>,
    /// See `cfp_opens_at`.
    pub cfp_closes_at: Option<NaiveDateTime>,
    /// Markdown shown on the CfP page.
    pub cfp_description: String,
    /// Lowest review score.
    pub review_score_min: i32,
    /// Highest review score.
    pub review_score_max: i32,
    /// Hide speaker names from reviewers.
    pub anonymous_review: bool,
    /// Days between reminders to accepted speakers who have not confirmed.
    pub confirm_reminder_days: i32,
    /// Hours a pending (unconfirmed) registration holds its seat.
    pub pending_expiry_hours: i32,
    /// Hours a waiting-list offer stays open.
    pub offer_expiry_hours: i32,
    /// Days after the end of the event when attendees' personal data is purged.
    pub retention_days: i32,
    /// Organizers' contact address (Reply-To of mail).
    pub contact_email: String,
    /// Code of conduct link shown on forms.
    pub code_of_conduct_url: String,
    /// Demo data: labelled as sample data.
    pub is_sample: bool,
    /// When personal data was purged.
    pub purged_at: Option<NaiveDateTime>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// The event that follows this one (its home points there once this one is over).
    pub successor_id: Option<String>,
    /// Whether attendees may leave feedback on talks that have started.
    pub feedback_enabled: bool,
    /// Draft, published or archived.
    pub status: EventStatus,
}

impl Event {
    /// The event's timezone (UTC if the stored name were ever unknown).
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(Tz::UTC)
    }

    /// Whether registration is open at `now`.
    pub fn registration_open(&self, now: NaiveDateTime) -> bool {
        window_open(self.registration_opens_at, self.registration_closes_at, now)
    }

    /// Whether the call for papers is open at `now`.
    pub fn cfp_open(&self, now: NaiveDateTime) -> bool {
        window_open(self.cfp_opens_at, self.cfp_closes_at, now)
    }

    /// Whether the event is seen by its team only.
    pub fn is_draft(&self) -> bool {
        self.status == EventStatus::Draft
    }

    /// Whether the event is read-only (archived).
    pub fn is_archived(&self) -> bool {
        self.status == EventStatus::Archived
    }

    /// Whether the event is over at `now`.
    pub fn is_past(&self, now: NaiveDateTime) -> bool {
        self.ends_at < now
    }
}

fn window_open(
    opens: Option<NaiveDateTime>,
    closes: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    matches!((opens, closes), (Some(o), Some(c)) if o <= now && now < c)
}

/// A new event row.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = events)]
pub struct EventRow {
    /// URL segment.
    pub slug: String,
    /// As shown on every page and in mail.
    pub name: String,
    /// IANA name (e.g. `Europe/Brussels`): times are entered and shown in it.
    pub timezone: String,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
    /// Venue.
    #[diesel(treat_none_as_null = true)]
    pub venue_id: Option<String>,
    /// Markdown.
    pub description: String,
    /// Seats.
    #[diesel(treat_none_as_null = true)]
    pub capacity: Option<i32>,
    /// Registration opens.
    #[diesel(treat_none_as_null = true)]
    pub registration_opens_at: Option<NaiveDateTime>,
    /// Registration closes.
    #[diesel(treat_none_as_null = true)]
    pub registration_closes_at: Option<NaiveDateTime>,
    /// CfP opens.
    #[diesel(treat_none_as_null = true)]
    pub cfp_opens_at: Option<NaiveDateTime>,
    /// CfP closes.
    #[diesel(treat_none_as_null = true)]
    pub cfp_closes_at: Option<NaiveDateTime>,
    /// CfP text.
    pub cfp_description: String,
    /// Lowest score.
    pub review_score_min: i32,
    /// Highest score.
    pub review_score_max: i32,
    /// Reviewers do not see who proposed a talk.
    pub anonymous_review: bool,
    /// Reminder interval.
    pub confirm_reminder_days: i32,
    /// Pending expiry.
    pub pending_expiry_hours: i32,
    /// Offer expiry.
    pub offer_expiry_hours: i32,
    /// Retention.
    pub retention_days: i32,
    /// Contact.
    pub contact_email: String,
    /// Code of conduct.
    pub code_of_conduct_url: String,
}

/// A venue row. Venues are immutable: editing an event's venue points it at a new row, so that
/// an event cloned from another never changes its sibling's address.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = venues)]
pub struct Venue {
    /// Random UUID.
    pub id: String,
    /// Name, e.g. "Hogeschool Gent".
    pub name: String,
    /// Postal address, one line per line.
    pub address: String,
    /// Web site or map link.
    pub url: String,
    /// Created.
    pub created_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_open_between_their_ends_only() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let (o, c) = (Some(t("2009-11-01 00:00")), Some(t("2010-06-01 00:00")));
        assert!(window_open(o, c, t("2009-11-15 17:24")));
        assert!(!window_open(o, c, t("2009-10-31 23:59")));
        assert!(!window_open(o, c, t("2010-06-01 00:00")));
        assert!(!window_open(None, c, t("2009-11-15 17:24")));
    }
}
