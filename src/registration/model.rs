//! Registration rows and statuses.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{answers, questions, registrations};
use crate::mail::credentials::Credential;
use crate::tokens::{self, LinkKind};

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Holds a seat until the email is confirmed (or the hold expires).
    Pending,
    /// Has a seat.
    Confirmed,
    /// On the waiting list.
    Waiting,
    /// Offered a freed seat, until the offer expires.
    Offered,
    /// Cancelled by the attendee or an organizer.
    Cancelled,
    /// Did not confirm (or accept an offer) in time.
    Expired,
}

impl Status {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Confirmed => "confirmed",
            Status::Waiting => "waiting",
            Status::Offered => "offered",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Confirmed,
            Status::Waiting,
            Status::Offered,
            Status::Cancelled,
            Status::Expired,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Statuses that hold a seat.
    pub const HOLDING: [&'static str; 3] = ["pending", "offered", "confirmed"];
}

/// A registration row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = registrations)]
pub struct Registration {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Arrival order.
    pub seq: i64,
    /// Name.
    pub name: String,
    /// Email (lower-case).
    pub email: String,
    /// Company.
    pub company: String,
    /// See [`Status`].
    pub status: String,
    /// SHA-256 of the private self-service link's token (derived: see
    /// [`Registration::manage_credential`]).
    #[serde(skip)]
    pub manage_token_hash: String,
    /// SHA-256 of the check-in QR code's token.
    #[serde(skip)]
    pub desk_token_hash: String,
    /// When a pending hold or an offer ends.
    pub expires_at: Option<NaiveDateTime>,
    /// Confirmed at.
    pub confirmed_at: Option<NaiveDateTime>,
    /// Checked in at.
    pub checked_in_at: Option<NaiveDateTime>,
    /// Cancelled at.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Code of conduct and privacy note accepted at (on the form). For a registration given to
    /// a speaker, which passed no form, when it was given: the ticket mail links both texts.
    pub terms_accepted_at: NaiveDateTime,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// `attendee` (holds a seat of the capacity) or `speaker` (a speaker's, outside it).
    pub kind: String,
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

    /// The status as an enum (unknown values read as expired).
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Expired)
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
    /// Help text.
    pub help_text: String,
    /// text, single, multiple or checkbox.
    pub kind: String,
    /// Must be answered.
    pub required: bool,
    /// Choices, one per line.
    pub options: String,
    /// Order.
    pub position: i32,
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
