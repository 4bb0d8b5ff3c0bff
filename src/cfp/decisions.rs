//! Decisions: organizers accept or reject (each speaker mailed through the event's templates);
//! an accepted speaker confirms or declines by a link (confirming makes the talk and gives the
//! speakers registrations), with reminders until they answer.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::model::{Proposal, ProposalState, SubmissionType};
use super::queries::{self, by_confirm_token, speakers_of};
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::context::JobContext;
use crate::db::schema::{proposals, submission_types, talk_people, talks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::mail::credentials::Sealed;
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::mail::Mailer;
use crate::programme::model::{next_number, Level, Person, Talk, TalkPerson, TalkRole, TalkState};
use crate::queue::registry::Job;
use crate::queue::{self, NewItem, Task};
use crate::tokens::{self, LinkKind};
use crate::urls;
use serde::{Deserialize, Serialize};

fn decision_ctx(cx: &EventContext, p: &Proposal, person: &Person, sealed: &mut Sealed) -> Value {
    let (mailer, event) = (&cx.mailer, &cx.event);
    let link = p.confirm_token_hash.as_ref().map(|_| {
        let path = urls::cfp_confirm(&event.slug, &sealed.seal(p.confirm_credential()));
        urls::absolute(&mailer.base_url, &path)
    });
    json!({
        "recipient": { "name": person.name, "email": person.email },
        "event": mailer.event_context(event),
        "site": { "base_url": mailer.base_url },
        "title": p.title,
        "link": link,
        "proposals_url": urls::absolute(&mailer.base_url, &urls::cfp(&event.slug)),
        "reminder": p.reminders_sent,
    })
}

/// Mails every speaker (with an address) of a proposal; returns how many.
fn mail_speakers(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Proposal,
    kind: MailKind,
) -> AppResult<usize> {
    let mut n = 0;
    for person in speakers_of(conn, &p.id)? {
        let Some(email) = person.email.clone() else {
            continue;
        };
        let mut sealed = Sealed::new();
        let ctx = decision_ctx(cx, p, &person, &mut sealed);
        let envelope = Envelope::about_event(kind, &email, &person.name, &cx.event)
            .about("proposal", &p.id)
            .sealed(&sealed);
        cx.mailer.queue(conn, cx.now, envelope, &ctx, Vec::new())?;
        n += 1;
    }
    Ok(n)
}

/// The next reminder to an accepted speaker who has not answered.
fn reminder_job(cx: &EventContext, p: &Proposal) -> NewItem {
    let due = cx.now + Duration::days(i64::from(cx.event.confirm_reminder_days));
    let job = RemindSpeaker {
        proposal_id: p.id.clone(),
    };
    NewItem::of(&job, due).unique(format!(
        "{}:{}:{}",
        RemindSpeaker::KIND,
        p.id,
        p.reminders_sent
    ))
}

/// Reminds an accepted speaker who has not confirmed or declined; the next reminder follows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemindSpeaker {
    /// The proposal.
    pub proposal_id: String,
}

impl Task for RemindSpeaker {
    const KIND: &'static str = "cfp.remind";
}

impl Job<JobContext> for RemindSpeaker {
    fn run(
        &self,
        conn: &mut AnyConnection,
        now: chrono::NaiveDateTime,
        cx: &JobContext,
    ) -> AppResult<()> {
        remind(conn, now, &cx.mailer, &self.proposal_id, true).map(drop)
    }
}

fn record(
    conn: &mut AnyConnection,
    cx: &EventContext,
    actor: &Actor,
    action: &str,
    p: &Proposal,
    summary: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        cx.now,
        actor,
        Change::on(&cx.event.id, action, ("proposal", &p.id)),
        summary,
    )
}

/// What an organizer decides about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Into the programme, once the speaker confirms.
    Accept,
    /// Not this time.
    Reject,
}

impl Decision {
    /// Reads the decide form's `action` (`accept` or `reject`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "accept" => Some(Self::Accept),
            "reject" => Some(Self::Reject),
            _ => None,
        }
    }

    /// The state a proposal takes.
    pub fn state(self) -> ProposalState {
        match self {
            Self::Accept => ProposalState::Accepted,
            Self::Reject => ProposalState::Rejected,
        }
    }

    /// The mail the speakers get.
    pub fn mail(self) -> MailKind {
        match self {
            Self::Accept => MailKind::CfpAccepted,
            Self::Reject => MailKind::CfpRejected,
        }
    }

    /// The audit action and the verb for messages.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::Accept => ("cfp.accept", "Accepted"),
            Self::Reject => ("cfp.reject", "Rejected"),
        }
    }
}

/// Accepts or rejects one proposal (unless it is in that state already).
fn decide_one(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Proposal,
    decision: Decision,
) -> AppResult<()> {
    let (state, accept) = (decision.state(), decision == Decision::Accept);
    if p.state == state {
        return Ok(());
    }
    let token_hash = accept.then(|| {
        p.confirm_token_hash.clone().unwrap_or_else(|| {
            tokens::derived_hash(
                cx.mailer.secret(),
                LinkKind::ProposalConfirm,
                &p.id,
                p.token_generation,
            )
        })
    });
    diesel::update(proposals::table.find(&p.id))
        .set((
            proposals::state.eq(state),
            proposals::confirm_token_hash.eq(&token_hash),
            proposals::decided_at.eq(Some(cx.now)),
            proposals::updated_at.eq(cx.now),
        ))
        .execute(conn)?;
    let p = queries::proposal(conn, &p.id)?;
    mail_speakers(conn, cx, &p, decision.mail())?;
    crate::webhooks::emit_about(
        conn,
        &cx.event,
        crate::webhooks::EventType::ProposalDecided,
        "proposal",
        &crate::api::repr::ProposalOut::of(&p),
        cx.now,
    )?;
    if accept {
        queue::enqueue(conn, cx.now, reminder_job(cx, &p))?;
    }
    let (action, verb) = decision.words();
    let summary = format!("{verb} “{}”", p.title);
    record(conn, cx, &cx.actor, action, &p, &summary)?;
    Ok(())
}

/// Accepts or rejects proposals (one or many). Each speaker gets the decision by mail; an
/// accepted speaker's mail has a link to confirm or decline, and reminders follow until they do.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug, proposals = ids.len(), ?decision))]
pub fn decide(
    conn: &mut AnyConnection,
    cx: &EventContext,
    ids: &[String],
    decision: Decision,
) -> AppResult<usize> {
    conn.transaction(|conn| {
        let found: Vec<Proposal> = proposals::table
            .filter(proposals::event_id.eq(&cx.event.id))
            .filter(proposals::id.eq_any(ids))
            .filter(proposals::state.eq_any(ProposalState::DECIDABLE))
            .select(Proposal::as_select())
            .load(conn)?;
        for p in &found {
            decide_one(conn, cx, p, decision)?;
        }
        Ok(found.len())
    })
}

/// Makes the talk of a confirmed proposal, with its speakers.
fn make_talk(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Proposal,
) -> AppResult<(Talk, Vec<String>)> {
    let kind: SubmissionType = submission_types::table
        .find(&p.submission_type_id)
        .select(SubmissionType::as_select())
        .first(conn)?;
    let talk = Talk {
        id: new_id(),
        number: next_number(conn)?,
        event_id: cx.event.id.clone(),
        title: p.title.clone(),
        abstract_: p.r#abstract.clone(),
        description: p.description.clone(),
        kind: kind.kind,
        duration_minutes: kind.duration_minutes,
        track_id: p.track_id.clone(),
        language: "en".into(),
        level: Level::Unspecified,
        slides_url: String::new(),
        video_url: String::new(),
        state: TalkState::Confirmed,
        created_at: cx.now,
        updated_at: cx.now,
    };
    diesel::insert_into(talks::table)
        .values(&talk)
        .execute(conn)?;
    crate::programme::material::pass_on_recording_choice(conn, &p.id, &talk.id)?;
    let mut person_ids = Vec::new();
    for (position, person) in speakers_of(conn, &p.id)?.into_iter().enumerate() {
        diesel::insert_into(talk_people::table)
            .values(TalkPerson {
                id: new_id(),
                talk_id: talk.id.clone(),
                person_id: person.id.clone(),
                role: TalkRole::Speaker,
                position: position as i32,
            })
            .execute(conn)?;
        person_ids.push(person.id);
    }
    Ok((talk, person_ids))
}

/// The speaker confirms (the talk joins the programme, a confirmation mail follows) or declines.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug, confirm))]
pub fn respond(
    conn: &mut AnyConnection,
    cx: &EventContext,
    token: &str,
    confirm: bool,
) -> AppResult<Proposal> {
    conn.transaction(|conn| {
        let p = by_confirm_token(conn, &cx.event.id, token)?;
        match (p.state, confirm) {
            (ProposalState::Confirmed, true) | (ProposalState::Declined, false) => return Ok(p),
            (ProposalState::Accepted, _) => {}
            _ => {
                return Err(AppError::Refused(
                    "This proposal is no longer waiting for your answer.".into(),
                ))
            }
        }
        if !confirm {
            diesel::update(proposals::table.find(&p.id))
                .set((
                    proposals::state.eq(ProposalState::Declined),
                    proposals::updated_at.eq(cx.now),
                ))
                .execute(conn)?;
            return Ok(queries::proposal(conn, &p.id)?);
        }
        let (talk, person_ids) = make_talk(conn, cx, &p)?;
        diesel::update(proposals::table.find(&p.id))
            .set((
                proposals::state.eq(ProposalState::Confirmed),
                proposals::talk_id.eq(Some(&talk.id)),
                proposals::confirmed_at.eq(Some(cx.now)),
                proposals::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let p = queries::proposal(conn, &p.id)?;
        mail_speakers(conn, cx, &p, MailKind::CfpConfirmed)?;
        // Speakers at the door: each gets a registration (and its ticket mail) outside the seats.
        let speakers = EventContext {
            actor: Actor::system("speaker"),
            ..cx.clone()
        };
        crate::registration::attendees::register_speakers(conn, &speakers, Some(&person_ids))?;
        let summary = format!("Speakers confirmed “{}”; it is a talk now", p.title);
        record(conn, cx, &speakers.actor, "cfp.confirm", &p, &summary)?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::SpeakerConfirmed,
            "proposal",
            &crate::api::repr::ProposalOut::of(&p),
            cx.now,
        )?;
        Ok(p)
    })
}

/// Sends a reminder for an accepted, unconfirmed proposal (the `cfp.remind` job, or an
/// organizer's button) and schedules the next one. At most five automatic reminders.
pub fn remind(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    mailer: &Mailer,
    proposal_id: &str,
    automatic: bool,
) -> AppResult<bool> {
    let Some(p) = proposals::table
        .find(proposal_id)
        .select(Proposal::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(false);
    };
    if p.state != ProposalState::Accepted || (automatic && p.reminders_sent >= 5) {
        return Ok(false);
    }
    let event = crate::events::queries::by_id(conn, &p.event_id)?;
    if automatic && now >= event.starts_at {
        // The event has begun: an unanswered acceptance is moot, the reminders stop.
        return Ok(false);
    }
    let cx = EventContext::new(event, Actor::system("cfp.remind"), now, mailer.clone());
    diesel::update(proposals::table.find(&p.id))
        .set((
            proposals::reminders_sent.eq(p.reminders_sent + 1),
            proposals::updated_at.eq(now),
        ))
        .execute(conn)?;
    let p = queries::proposal(conn, &p.id)?;
    mail_speakers(conn, &cx, &p, MailKind::CfpReminder)?;
    if automatic {
        queue::enqueue(conn, now, reminder_job(&cx, &p))?;
    }
    Ok(true)
}

/// An organizer's reminder for one proposal of their event.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn remind_now(
    conn: &mut AnyConnection,
    cx: &EventContext,
    proposal_id: &str,
) -> AppResult<bool> {
    queries::proposal_of_event(conn, &cx.event.id, proposal_id)?;
    conn.transaction(|conn| remind(conn, cx.now, &cx.mailer, proposal_id, false))
}

/// Stores the real hashes of confirm links from before derived links (generation -1). Runs on
/// start; does nothing once done.
pub fn rekey_legacy(conn: &mut AnyConnection, secret: &[u8]) -> QueryResult<usize> {
    let ids: Vec<String> = proposals::table
        .filter(proposals::token_generation.eq(-1))
        .select(proposals::id)
        .load(conn)?;
    for id in &ids {
        let hash = tokens::derived_hash(secret, LinkKind::ProposalConfirm, id, 0);
        diesel::update(proposals::table.find(id))
            .set((
                proposals::confirm_token_hash.eq(Some(hash)),
                proposals::token_generation.eq(0),
            ))
            .execute(conn)?;
    }
    Ok(ids.len())
}
