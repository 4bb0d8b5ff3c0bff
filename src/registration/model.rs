//! Registration rows, their states and kinds, and the changesets that write them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{answers, questions, registrations};
use crate::db::text_enum;
use crate::mail::credentials::Credential;
use crate::tokens::{self, LinkKind};

text_enum! {
    /// Where a registration stands.
    pub enum Status {
        /// Holds a seat until the email is confirmed (or the hold expires).
        Pending = "pending",
        /// Has a seat.
        Confirmed = "confirmed",
        /// On the waiting list.
        Waiting = "waiting",
        /// Offered a freed seat, until the offer expires.
        Offered = "offered",
        /// Cancelled by the attendee or an organizer.
        Cancelled = "cancelled",
        /// Did not confirm (or accept an offer) in time.
        Expired = "expired",
    }
}

impl Status {
    /// Statuses that hold a seat of the capacity.
    pub const HOLDING: [Status; 3] = [Status::Pending, Status::Offered, Status::Confirmed];

    /// Over: cancelled or expired (registering again starts a new line).
    pub fn is_over(self) -> bool {
        matches!(self, Status::Cancelled | Status::Expired)
    }
}

text_enum! {
    /// Whose registration it is.
    pub enum Kind {
        /// An attendee's: holds one of the event's seats.
        Attendee = "attendee",
        /// A speaker's: given by the event, outside the capacity.
        Speaker = "speaker",
    }
}

text_enum! {
    /// Kinds of question on the registration form.
    pub enum QuestionKind {
        /// Free text.
        Text = "text",
        /// One of the choices.
        Single = "single",
        /// Any of the choices.
        Multiple = "multiple",
        /// A box to tick.
        Checkbox = "checkbox",
    }
}

/// A registration row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = registrations)]
pub struct Registration {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Arrival order (the waiting list's order).
    pub seq: i64,
    /// As the attendee gave it (badge and lists).
    pub name: String,
    /// Email (lower-case).
    pub email: String,
    /// Optional, for the badge.
    pub company: String,
    /// Where it stands.
    pub status: Status,
    /// SHA-256 of the private self-service link's token (derived: see
    /// [`Registration::manage_credential`]).
    #[serde(skip)]
    pub manage_token_hash: String,
    /// SHA-256 of the check-in QR code's token.
    #[serde(skip)]
    pub desk_token_hash: String,
    /// When a pending hold or an offer ends.
    pub expires_at: Option<NaiveDateTime>,
    /// When they confirmed their address (or took an offered seat).
    pub confirmed_at: Option<NaiveDateTime>,
    /// When the desk checked them in; `None` until then.
    pub checked_in_at: Option<NaiveDateTime>,
    /// When they (or an organizer) cancelled.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Code of conduct and privacy note accepted at (on the form). For a registration given to
    /// a speaker, which passed no form, when it was given: the ticket mail links both texts.
    pub terms_accepted_at: NaiveDateTime,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// An attendee's (a seat) or a speaker's (outside the capacity).
    pub kind: Kind,
    /// Generation of the two links' tokens: bumping it revokes both (-1: from before derived
    /// links, rekeyed on start).
    #[serde(skip)]
    pub token_generation: i32,
}

impl Registration {
    /// The private link's credential: its token is derived from the secret key, the id and the
    /// generation, so it can be mailed again (it is the attendee's ticket) without being stored.
    pub fn manage_credential(&self) -> Credential {
        Credential::Link {
            kind: LinkKind::RegistrationManage,
            id: self.id.clone(),
            generation: self.token_generation,
        }
    }

    /// The check-in code's credential (the QR code on the ticket).
    pub fn desk_credential(&self) -> Credential {
        Credential::Link {
            kind: LinkKind::RegistrationDesk,
            id: self.id.clone(),
            generation: self.token_generation,
        }
    }

    /// The hashes stored for a registration's links (generation `generation`).
    pub fn token_hashes(secret: &[u8], id: &str, generation: i32) -> (String, String) {
        (
            tokens::derived_hash(secret, LinkKind::RegistrationManage, id, generation),
            tokens::derived_hash(secret, LinkKind::RegistrationDesk, id, generation),
        )
    }

    /// Whether it holds one of the event's seats now.
    pub fn holds_a_seat(&self) -> bool {
        self.kind == Kind::Attendee && Status::HOLDING.contains(&self.status)
    }
}

/// A change to a registration: only the fields that are `Some` are written (`Some(None)` clears
/// a time). `updated_at` is always set.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = registrations)]
pub struct RegistrationChange {
    /// New status.
    pub status: Option<Status>,
    /// New kind.
    pub kind: Option<Kind>,
    /// New place in the line.
    pub seq: Option<i64>,
    /// New name.
    pub name: Option<String>,
    /// New company.
    pub company: Option<String>,
    /// Hold or offer end.
    pub expires_at: Option<Option<NaiveDateTime>>,
    /// Confirmation.
    pub confirmed_at: Option<Option<NaiveDateTime>>,
    /// Check-in.
    pub checked_in_at: Option<Option<NaiveDateTime>>,
    /// Cancellation.
    pub cancelled_at: Option<Option<NaiveDateTime>>,
    /// Terms accepted (again, on the form).
    pub terms_accepted_at: Option<NaiveDateTime>,
    /// Changed at.
    pub updated_at: NaiveDateTime,
}

impl RegistrationChange {
    /// A change made at `now` that sets nothing yet.
    pub fn at(now: NaiveDateTime) -> RegistrationChange {
        RegistrationChange {
            updated_at: now,
            ..RegistrationChange::default()
        }
    }

    /// Moves to `status`.
    pub fn status(mut self, status: Status) -> RegistrationChange {
        self.status = Some(status);
        self
    }

    /// Sets (or clears) the end of a hold or offer.
    pub fn expires(mut self, at: Option<NaiveDateTime>) -> RegistrationChange {
        self.expires_at = Some(at);
        self
    }
}

/// An organizer's question.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = questions)]
pub struct Question {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// The question.
    pub label: String,
    /// Shown under the label in the form; may be empty.
    pub help_text: String,
    /// What kind of answer it takes.
    pub kind: QuestionKind,
    /// Must be answered.
    pub required: bool,
    /// Choices, one per line.
    pub options: String,
    /// Order.
    pub position: i32,
    /// Last change (the API's `updated_since`).
    pub updated_at: NaiveDateTime,
}

impl Question {
    /// The choices.
    pub fn choices(&self) -> Vec<String> {
        self.options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The editable part of a question (what its form sets).
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = questions)]
pub struct QuestionFields {
    /// The question.
    pub label: String,
    /// Shown under the label; may be empty.
    pub help_text: String,
    /// Free text, one choice, several choices or a checkbox.
    pub kind: QuestionKind,
    /// Must be answered.
    pub required: bool,
    /// Choices, one per line.
    pub options: String,
}

/// An answer.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = answers)]
pub struct Answer {
    /// Random UUID.
    pub id: String,
    /// Registration.
    pub registration_id: String,
    /// Question.
    pub question_id: String,
    /// The answer; multiple choices one per line.
    pub value: String,
}
