//! Outbox rows and their statuses.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::credentials::Sealed;
use crate::db::schema::{mail_attachments, mail_outbox, mail_templates};
use crate::db::text_enum;

text_enum! {
    /// Where a message is in its life.
    pub enum Status {
        /// Waiting for the worker.
        Queued = "queued",
        /// Claimed by a worker (with a lease).
        Sending = "sending",
        /// Accepted by the SMTP server (or written to a file).
        Sent = "sent",
        /// The last attempt failed; another is scheduled.
        Failed = "failed",
        /// Every attempt failed; an organizer may retry it.
        Dead = "dead",
        /// Written to the log only: nothing left the server.
        Logged = "logged",
        /// Never to be sent: its recipient erased their personal data first. Not retryable.
        Withdrawn = "withdrawn",
    }
}

impl Status {
    /// Can be retried by an organizer.
    pub fn retryable(self) -> bool {
        matches!(self, Status::Dead | Status::Failed)
    }
}

text_enum! {
    /// Every kind of mail Ghent sends; each has `templates/mail/<kind>/{subject,text,html}.hbs`.
    pub enum MailKind {
        /// Test message sent from the admin to check delivery.
        Test = "test",
        /// Link to set a new organizer password.
        PasswordReset = "password_reset",
        /// Invitation to an event's team, with a link to set a password.
        TeamInvite = "team_invite",
        /// To a speaker whose talk was added, moved or cancelled in a new release.
        ScheduleChange = "schedule_change",
        /// Asks a new registrant to confirm their address (double opt-in).
        RegistrationConfirm = "registration_confirm",
        /// The ticket: private page link, QR code and calendar file.
        RegistrationTicket = "registration_ticket",
        /// Tells a registrant they are on the waiting list, with their place.
        RegistrationWaiting = "registration_waiting",
        /// Offers a freed seat to the next person waiting, with a deadline.
        RegistrationOffer = "registration_offer",
        /// Confirms that a registration was cancelled or expired.
        RegistrationCancelled = "registration_cancelled",
        /// A speaker's single-use sign-in link to the call for papers.
        CfpSignIn = "cfp_sign_in",
        /// Receipt of a submitted proposal.
        CfpReceipt = "cfp_receipt",
        /// Acceptance, with the link to confirm or decline.
        CfpAccepted = "cfp_accepted",
        /// Rejection of a proposal.
        CfpRejected = "cfp_rejected",
        /// Thanks a speaker for confirming: the proposal is a talk now.
        CfpConfirmed = "cfp_confirmed",
        /// Reminds an accepted speaker who has not confirmed.
        CfpReminder = "cfp_reminder",
        /// Tells someone they were added as a co-speaker of a proposal.
        CfpCoSpeaker = "cfp_co_speaker",
        /// A message an organizer wrote to a group.
        Bulk = "bulk",
        /// Asks someone who wants to hear when an event opens to confirm their address.
        NoticeConfirm = "notice_confirm",
        /// Tells a subscriber that an event's registration or call for papers opened.
        NoticeOpened = "notice_opened",
        /// Tells an event's owners that Ghent disabled a webhook endpoint that kept failing.
        WebhookDisabled = "webhook_disabled",
    }
}

impl MailKind {
    /// What it is, for the template editor.
    pub fn description(self) -> &'static str {
        match self {
            MailKind::Test => "Test message sent from the admin to check delivery",
            MailKind::PasswordReset => "Link to set a new organizer password",
            MailKind::TeamInvite => "Invitation to an event's team, with a link to set a password",
            MailKind::ScheduleChange => {
                "To a speaker whose talk was added, moved or cancelled in a new release"
            }
            MailKind::RegistrationConfirm => {
                "Asks a new registrant to confirm their address (double opt-in)"
            }
            MailKind::RegistrationTicket => {
                "The ticket: private page link, QR code and calendar file"
            }
            MailKind::RegistrationWaiting => {
                "Tells a registrant they are on the waiting list, with their place"
            }
            MailKind::RegistrationOffer => {
                "Offers a freed seat to the next person waiting, with a deadline"
            }
            MailKind::RegistrationCancelled => {
                "Confirms that a registration was cancelled or expired"
            }
            MailKind::CfpSignIn => "A speaker's single-use sign-in link to the call for papers",
            MailKind::CfpReceipt => "Receipt of a submitted proposal",
            MailKind::CfpAccepted => "Acceptance, with the link to confirm or decline",
            MailKind::CfpRejected => "Rejection of a proposal",
            MailKind::CfpConfirmed => "Thanks a speaker for confirming: the proposal is a talk now",
            MailKind::CfpReminder => "Reminds an accepted speaker who has not confirmed",
            MailKind::CfpCoSpeaker => "Tells someone they were added as a co-speaker of a proposal",
            MailKind::Bulk => "A message an organizer wrote to a group",
            MailKind::NoticeConfirm => {
                "Asks someone who wants to hear when the event opens to confirm their address"
            }
            MailKind::NoticeOpened => {
                "Tells a subscriber that registration or the call for papers opened"
            }
            MailKind::WebhookDisabled => {
                "Tells the event's owners that a webhook endpoint kept failing and was disabled"
            }
        }
    }

    /// Transactional mail (tickets, confirmations) carries no unsubscribe link.
    pub fn transactional(self) -> bool {
        !matches!(self, MailKind::Bulk | MailKind::NoticeOpened)
    }

    /// Whether organizers may override its templates per event.
    pub fn per_event(self) -> bool {
        !matches!(
            self,
            MailKind::Test | MailKind::PasswordReset | MailKind::Bulk
        )
    }

    /// Whether it has templates of its own (bulk mail is written by organizers).
    pub fn has_templates(self) -> bool {
        self != MailKind::Bulk
    }
}

/// An outbox row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = mail_outbox)]
pub struct OutboxMail {
    /// Random UUID.
    pub id: String,
    /// The event it belongs to.
    pub event_id: Option<String>,
    /// What kind of mail it is.
    pub kind: MailKind,
    /// Recipient address.
    pub recipient_email: String,
    /// Recipient name (may be empty).
    pub recipient_name: String,
    /// Rendered subject (one line).
    pub subject: String,
    /// Rendered text part.
    pub text_body: String,
    /// Rendered HTML part.
    pub html_body: String,
    /// `<…@…>`, fixed when queued so a repeated delivery carries the same id.
    pub message_id: String,
    /// Reply-To address.
    pub reply_to: Option<String>,
    /// List-Unsubscribe URL (bulk mail only).
    pub list_unsubscribe: Option<String>,
    /// Kind of thing the mail is about (e.g. `registration`).
    pub entity_type: Option<String>,
    /// Its id.
    pub entity_id: Option<String>,
    /// The bulk mail it is part of.
    pub bulk_id: Option<String>,
    /// Where it is in its life.
    pub status: Status,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When the worker may (next) try (its queue item's due time, shown in the mail log).
    pub next_attempt_at: NaiveDateTime,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: NaiveDateTime,
    /// Accepted by the server at.
    pub sent_at: Option<NaiveDateTime>,
    /// The credentials the message carries, sealed ([`super::credentials::Sealed`], JSON; empty
    /// for none). The bodies hold markers where their tokens go.
    #[serde(skip)]
    pub credentials: String,
}

impl OutboxMail {
    /// The credentials the message carries.
    pub fn sealed(&self) -> Sealed {
        Sealed::from_column(&self.credentials)
    }

    /// Whether the message carries a credential (a link that acts for its recipient).
    pub fn carries_credential(&self) -> bool {
        !self.credentials.is_empty()
    }

    /// The message as anyone but its recipient may see it: every credential shown as `•••`.
    /// Every page, export and log line that shows a stored mail shows this.
    pub fn redacted(mut self) -> OutboxMail {
        let sealed = self.sealed();
        self.subject = sealed.redact(&self.subject);
        self.text_body = sealed.redact(&self.text_body);
        self.html_body = sealed.redact(&self.html_body);
        self.list_unsubscribe = self.list_unsubscribe.map(|u| sealed.redact(&u));
        self
    }

    /// The message as it is sent, with working tokens (the delivery worker only).
    pub fn revealed(&self, secret: &[u8]) -> OutboxMail {
        let sealed = self.sealed();
        let mut out = self.clone();
        out.subject = sealed.reveal(secret, &self.subject);
        out.text_body = sealed.reveal(secret, &self.text_body);
        out.html_body = sealed.reveal(secret, &self.html_body);
        out.list_unsubscribe = self
            .list_unsubscribe
            .as_ref()
            .map(|u| sealed.reveal(secret, u));
        out
    }
}

/// An attachment row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_attachments)]
pub struct AttachmentRow {
    /// Random UUID.
    pub id: String,
    /// The mail.
    pub mail_id: String,
    /// File name shown to the recipient.
    pub filename: String,
    /// MIME type, e.g. `text/calendar`.
    pub content_type: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Order.
    pub position: i32,
    /// `""`: send `content` as it is; `"qr_png"`: `content` is a URL (with credential markers)
    /// rendered as a QR code when the mail is sent, so the stored row holds no token.
    pub render: String,
}

/// An attachment to queue with a mail.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// File name.
    pub filename: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes (for a QR code: the URL to encode).
    pub content: Vec<u8>,
    /// See [`AttachmentRow::render`].
    pub render: &'static str,
}

/// How an attachment is made when its mail is sent.
pub const RENDER_QR_PNG: &str = "qr_png";

impl NewAttachment {
    /// A file sent as it is.
    pub fn file(filename: &str, content_type: &str, content: Vec<u8>) -> NewAttachment {
        NewAttachment {
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            content,
            render: "",
        }
    }

    /// A PNG QR code of `url`, drawn when the mail is sent (the URL may hold sealed credentials).
    pub fn qr_png(filename: &str, url: &str) -> NewAttachment {
        NewAttachment {
            filename: filename.to_string(),
            content_type: "image/png".to_string(),
            content: url.as_bytes().to_vec(),
            render: RENDER_QR_PNG,
        }
    }
}

/// A per-event template override.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_templates)]
pub struct TemplateOverride {
    /// Random UUID.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// Mail kind.
    pub kind: MailKind,
    /// Subject template.
    pub subject: String,
    /// Text body template.
    pub text_body: String,
    /// HTML body template.
    pub html_body: String,
    /// Saved at.
    pub updated_at: NaiveDateTime,
    /// Saved by.
    pub updated_by: Option<String>,
}
