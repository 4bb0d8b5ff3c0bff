//! What the speaker's own page shows: their proposals (with the confirmation link of an
//! accepted one: it is theirs) and the mail sent to them for this event.

use serde::Serialize;

use super::{queries, ProposalState};
use crate::context::EventContext;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::display;
use crate::mail::model::Status as MailStatus;
use crate::programme::Person;

/// One proposal on the speaker's page.
#[derive(Debug, Serialize)]
pub struct OwnProposal {
    /// Proposal id.
    pub id: String,
    /// As the speaker wrote it.
    pub title: String,
    /// Where it stands.
    pub state: ProposalState,
    /// When it was sent, in the event's time zone.
    pub submitted: String,
    /// Accepted, waiting for the speaker to confirm or decline.
    pub needs_confirmation: bool,
    /// The speaker's own confirmation token, while confirmation is awaited.
    pub confirm_token: Option<String>,
    /// Still open to changes (submitted, and the CfP open).
    pub editable: bool,
}

/// One mail in the speaker's list.
#[derive(Debug, Serialize)]
pub struct OwnMail {
    /// As sent (tokens in it are the speaker's own).
    pub subject: String,
    /// When it was queued, in the event's time zone.
    pub when: String,
    /// Whether it went out.
    pub status: MailStatus,
}

/// The speaker's page.
#[derive(Debug, Serialize)]
pub struct SpeakerHome {
    /// Their proposals, newest first.
    pub proposals: Vec<OwnProposal>,
    /// Mail sent to them about this event.
    pub mails: Vec<OwnMail>,
    /// Whether the CfP takes new proposals.
    pub open: bool,
}

/// Builds [`SpeakerHome`] for `me`.
pub fn speaker_home(
    conn: &mut AnyConnection,
    cx: &EventContext,
    me: &Person,
) -> AppResult<SpeakerHome> {
    let (tz, secret) = (cx.event.tz(), cx.mailer.secret());
    let open = cx.event.cfp_open(cx.now);
    let proposals = queries::proposals_of(conn, &cx.event.id, &me.id)?
        .into_iter()
        .map(|p| {
            let waiting = p.state == ProposalState::Accepted;
            OwnProposal {
                needs_confirmation: waiting,
                confirm_token: waiting.then(|| p.confirm_token(secret)).flatten(),
                editable: p.state == ProposalState::Submitted && open,
                submitted: display::datetime(p.submitted_at, tz),
                state: p.state,
                title: p.title,
                id: p.id,
            }
        })
        .collect();
    let mails = queries::mails_to(conn, &cx.event.id, me)?
        .into_iter()
        .map(|m| OwnMail {
            when: display::datetime(m.created_at, tz),
            subject: m.subject,
            status: m.status,
        })
        .collect();
    Ok(SpeakerHome {
        proposals,
        mails,
        open,
    })
}
