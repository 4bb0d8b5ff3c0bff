//! Rows of the call for papers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{proposals, reviews, submission_types};
use crate::db::text_enum;
use crate::programme::model::TalkKind;

text_enum! {
    /// Where a proposal stands.
    pub enum ProposalState {
        /// Waiting for a decision.
        Submitted = "submitted",
        /// Withdrawn by the speaker.
        Withdrawn = "withdrawn",
        /// Accepted; waiting for the speaker to confirm.
        Accepted = "accepted",
        /// Rejected.
        Rejected = "rejected",
        /// Accepted and confirmed: a talk of the programme.
        Confirmed = "confirmed",
        /// Accepted, but the speaker declined.
        Declined = "declined",
    }
}

impl ProposalState {
    /// The states in the order a proposal goes through them (the organizers' filter).
    pub const FLOW: [ProposalState; 6] = [
        ProposalState::Submitted,
        ProposalState::Accepted,
        ProposalState::Confirmed,
        ProposalState::Declined,
        ProposalState::Rejected,
        ProposalState::Withdrawn,
    ];

    /// States an organizer can still decide on (accept or reject).
    pub const DECIDABLE: [ProposalState; 3] = [
        ProposalState::Submitted,
        ProposalState::Rejected,
        ProposalState::Accepted,
    ];
}

/// A submission type (talk 30 minutes, ignite 5 minutes, workshop…).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = submission_types)]
pub struct SubmissionType {
    /// Random UUID; proposals point at it.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Shown to speakers in the form, e.g. "Ignite (5 minutes)".
    pub name: String,
    /// Talk kind it becomes.
    pub kind: TalkKind,
    /// Minutes.
    pub duration_minutes: i32,
    /// Order.
    pub position: i32,
}

/// The editable part of a submission type.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = submission_types)]
pub struct TypeFields {
    /// Shown to speakers in the form; unique in the event.
    pub name: String,
    /// Talk kind it becomes.
    pub kind: TalkKind,
    /// Minutes.
    pub duration_minutes: i32,
}

/// What a speaker writes in a proposal (the form's fields, parsed).
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = proposals, treat_none_as_null = true)]
pub struct ProposalFields {
    /// What the talk would be called in the programme.
    pub title: String,
    /// Submission type.
    pub submission_type_id: String,
    /// Track (`None`: no track).
    pub track_id: Option<String>,
    /// Abstract.
    #[diesel(column_name = abstract_)]
    pub r#abstract: String,
    /// Longer detail for reviewers (Markdown); never public unless accepted.
    pub description: String,
    /// Notes for the organizers.
    pub notes: String,
}

/// A proposal.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = proposals)]
pub struct Proposal {
    /// Random UUID; also the seed of the confirmation token.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// The person who submitted it.
    pub submitter_id: String,
    /// Type.
    pub submission_type_id: String,
    /// Track.
    pub track_id: Option<String>,
    /// Becomes the talk's title when confirmed.
    pub title: String,
    /// Abstract (Markdown; public if confirmed).
    #[diesel(column_name = abstract_)]
    pub r#abstract: String,
    /// Description (Markdown).
    pub description: String,
    /// Notes for the organizers (never public).
    pub notes: String,
    /// Where it stands.
    pub state: ProposalState,
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
    /// The speaker asked for the talk not to be recorded (passed on to the talk).
    pub do_not_record: bool,
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
}

/// A review.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = reviews)]
pub struct Review {
    /// Random UUID (one review per reviewer and proposal).
    pub id: String,
    /// Proposal.
    pub proposal_id: String,
    /// Reviewer (organizer account).
    pub reviewer_id: String,
    /// Score in the event's scale.
    pub score: i32,
    /// Notes for the other reviewers and organizers, never for the speaker.
    pub comment: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Changed.
    pub updated_at: NaiveDateTime,
}
