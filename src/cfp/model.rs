//! Rows of the call for papers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{proposals, reviews, submission_types};

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposalState {
    /// Waiting for a decision.
    Submitted,
    /// Withdrawn by the speaker.
    Withdrawn,
    /// Accepted; waiting for the speaker to confirm.
    Accepted,
    /// Rejected.
    Rejected,
    /// Accepted and confirmed: a talk of the programme.
    Confirmed,
    /// Accepted, but the speaker declined.
    Declined,
}

impl ProposalState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Submitted => "submitted",
            ProposalState::Withdrawn => "withdrawn",
            ProposalState::Accepted => "accepted",
            ProposalState::Rejected => "rejected",
            ProposalState::Confirmed => "confirmed",
            ProposalState::Declined => "declined",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<ProposalState> {
        use ProposalState::*;
        [
            Submitted, Withdrawn, Accepted, Rejected, Confirmed, Declined,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A submission type (talk 30 minutes, ignite 5 minutes, workshop…).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = submission_types)]
pub struct SubmissionType {
    /// Id.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Name.
    pub name: String,
    /// Talk kind it becomes.
    pub kind: String,
    /// Minutes.
    pub duration_minutes: i32,
    /// Order.
    pub position: i32,
}

/// A proposal.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = proposals)]
pub struct Proposal {
    /// Id.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// The person who submitted it.
    pub submitter_id: String,
    /// Type.
    pub submission_type_id: String,
    /// Track.
    pub track_id: Option<String>,
    /// Title.
    pub title: String,
    /// Abstract (Markdown; public if confirmed).
    #[diesel(column_name = abstract_)]
    pub r#abstract: String,
    /// Description (Markdown).
    pub description: String,
    /// Notes for the organizers (never public).
    pub notes: String,
    /// See [`ProposalState`].
    pub state: String,
    /// The talk it became.
    pub talk_id: Option<String>,
    /// SHA-256 of the confirm/decline link's token, while accepted (derived, see
    /// [`Proposal::confirm_token`]); `None` before.
    #[serde(skip)]
    pub confirm_token_hash: Option<String>,
    /// Submitted.
    pub submitted_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
    /// Decided.
    pub decided_at: Option<NaiveDateTime>,
    /// Confirmed by the speaker.
    pub confirmed_at: Option<NaiveDateTime>,
    /// Reminders sent so far.
    pub reminders_sent: i32,
    /// Generation of the confirm link (bumping it revokes the link).
    #[serde(skip)]
    pub token_generation: i32,
}

impl Proposal {
    /// The confirm/decline link's credential (its token is derived from the secret key).
    pub fn confirm_credential(&self) -> crate::mail::credentials::Credential {
        crate::mail::credentials::Credential::Link {
            kind: crate::tokens::LinkKind::ProposalConfirm,
            id: self.id.clone(),
            generation: self.token_generation,
        }
    }

    /// The confirm/decline link's token, for the speaker's own page (`None` until accepted).
    pub fn confirm_token(&self, secret: &[u8]) -> Option<String> {
        self.confirm_token_hash
            .as_ref()
            .map(|_| self.confirm_credential().token(secret))
    }

    /// The state as an enum.
    pub fn state(&self) -> ProposalState {
        ProposalState::parse(&self.state).unwrap_or(ProposalState::Withdrawn)
    }
}

/// A review.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = reviews)]
pub struct Review {
    /// Id.
    pub id: String,
    /// Proposal.
    pub proposal_id: String,
    /// Reviewer (organizer account).
    pub reviewer_id: String,
    /// Score in the event's scale.
    pub score: i32,
    /// Comment.
    pub comment: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}
