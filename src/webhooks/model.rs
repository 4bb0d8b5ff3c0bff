//! Webhook endpoints and the attempt log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{webhook_attempts, webhooks};
use crate::db::text_enum;

text_enum! {
    /// What happened, as a webhook message's `type`.
    pub enum EventType {
        /// A new release of the programme was published.
        ScheduleReleased = "schedule.released",
        /// A speaker submitted a proposal.
        ProposalSubmitted = "proposal.submitted",
        /// Organizers accepted or rejected a proposal.
        ProposalDecided = "proposal.decided",
        /// An accepted speaker confirmed: the proposal is a talk.
        SpeakerConfirmed = "speaker.confirmed",
        /// Someone registered (or was added by the organizers).
        RegistrationCreated = "registration.created",
        /// A registration got its seat (address confirmed, or an offer taken).
        RegistrationConfirmed = "registration.confirmed",
        /// A registration was cancelled.
        RegistrationCancelled = "registration.cancelled",
        /// An attendee was checked in at the desk.
        RegistrationCheckedIn = "registration.checked_in",
        /// A freed seat was offered to someone on the waiting list.
        WaitinglistOffered = "waitinglist.offered",
        /// An open-space topic was placed on the board.
        OpenspaceTopicPlaced = "openspace.topic.placed",
        /// A test message sent from the admin.
        Ping = "ping",
    }
}

impl EventType {
    /// For the admin page.
    pub fn description(self) -> &'static str {
        match self {
            EventType::ScheduleReleased => "a programme release is published",
            EventType::ProposalSubmitted => "a proposal is submitted",
            EventType::ProposalDecided => "a proposal is accepted or rejected",
            EventType::SpeakerConfirmed => "an accepted speaker confirms",
            EventType::RegistrationCreated => "someone registers or is added",
            EventType::RegistrationConfirmed => "a registration gets its seat",
            EventType::RegistrationCancelled => "a registration is cancelled",
            EventType::RegistrationCheckedIn => "an attendee is checked in",
            EventType::WaitinglistOffered => "a seat is offered to someone waiting",
            EventType::OpenspaceTopicPlaced => "an open-space topic is placed",
            EventType::Ping => "a test message (sent from this page)",
        }
    }
}

/// An endpoint of one event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    /// Random UUID.
    pub id: String,
    /// The event whose changes it gets.
    pub event_id: String,
    /// Where messages are posted.
    pub url: String,
    /// `whsec_` and the base64 of the signing key. Shown to the event's organizers only.
    #[serde(skip)]
    pub secret: String,
    /// Subscribed types, space-separated (see [`Webhook::wants`]).
    pub event_types: String,
    /// Disabled endpoints get nothing (messages for them end unsent).
    pub enabled: bool,
    /// The first failure since the last success.
    pub failing_since: Option<NaiveDateTime>,
    /// Why it was disabled, when Ghent disabled it.
    pub disabled_reason: Option<String>,
    /// Who added it.
    pub created_by: Option<String>,
    /// Added at.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl Webhook {
    /// The subscribed types.
    pub fn types(&self) -> Vec<EventType> {
        self.event_types
            .split_whitespace()
            .filter_map(EventType::parse)
            .collect()
    }

    /// Whether it subscribed to `kind` (never `ping`: a ping is sent to one endpoint from its
    /// page, see `endpoints::ping`).
    pub fn wants(&self, kind: EventType) -> bool {
        self.types().contains(&kind)
    }
}

/// One attempt to deliver one message.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    /// Random UUID.
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// The message's `webhook-id`, the same on every attempt.
    pub message_id: String,
    /// The message's type.
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// A 2xx answer.
    pub succeeded: bool,
    /// The HTTP status, when there was an answer.
    pub status_code: Option<i32>,
    /// From sending to the end of the answer.
    pub latency_ms: i32,
    /// The answer's first 500 characters.
    pub response_excerpt: String,
    /// Why there was no answer (refused address, timeout, connection error).
    pub error: Option<String>,
    /// The body sent (for redelivery).
    pub payload: String,
    /// When.
    pub attempted_at: NaiveDateTime,
}
