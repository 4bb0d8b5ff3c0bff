//! Speakers' proposals: the form parsed into typed input, submitting (with a receipt), changing
//! and withdrawing while the call is open, and the speaker's own profile.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::model::{Proposal, ProposalFields, ProposalState};
use super::queries::{own_proposal, proposal};
use super::sign_in::person_for;
use crate::accounts::Actor;
use crate::context::EventContext;
use crate::db::schema::{proposal_speakers, proposals, submission_types, tracks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, Event};
use crate::forms::Fields;
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::programme::model::Person;
use crate::urls;
use crate::values::{self, EmailAddress};

/// The proposal form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProposalForm {
    /// As typed; 1 to 200 characters after trimming.
    pub title: String,
    /// One of the event's submission types (its id, from the select).
    pub submission_type_id: String,
    /// Track id, or empty.
    pub track_id: String,
    /// Abstract.
    pub r#abstract: String,
    /// Optional detail for reviewers (Markdown).
    pub description: String,
    /// Notes for the organizers.
    pub notes: String,
    /// Co-speakers' emails, separated by commas or lines.
    pub co_speakers: String,
    /// Checkbox: please do not record the talk.
    pub do_not_record: Option<String>,
}

impl ProposalForm {
    /// The form filled from a proposal.
    pub fn from_proposal(p: &Proposal, co_speakers: &[String]) -> ProposalForm {
        ProposalForm {
            title: p.title.clone(),
            submission_type_id: p.submission_type_id.clone(),
            track_id: p.track_id.clone().unwrap_or_default(),
            r#abstract: p.r#abstract.clone(),
            description: p.description.clone(),
            notes: p.notes.clone(),
            co_speakers: co_speakers.join("\n"),
            do_not_record: p.do_not_record.then(|| "on".to_string()),
        }
    }
}

/// A parsed proposal form.
#[derive(Debug, Clone)]
pub struct ProposalInput {
    /// What is stored on the proposal.
    pub fields: ProposalFields,
    /// Co-speakers, by address (at most five).
    pub co_speakers: Vec<EmailAddress>,
}

/// Parses the proposal form (whether the type and track belong to the event is checked when
/// the proposal is stored).
pub fn parse(form: &ProposalForm) -> Result<ProposalInput, FieldErrors> {
    let mut f = Fields::new();
    let title = f.take("title", values::parse_line(&form.title, "a title", 200));
    let type_id = form.submission_type_id.trim().to_string();
    f.check(
        !type_id.is_empty(),
        "submission_type_id",
        "Choose what you propose.",
    );
    let r#abstract = f.take(
        "abstract",
        values::parse_text(&form.r#abstract, "the abstract", 3000).and_then(|a| {
            if a.is_empty() {
                Err(
                    "Please write an abstract: a few lines that tell attendees what they will get."
                        .into(),
                )
            } else {
                Ok(a)
            }
        }),
    );
    let description = f.take(
        "description",
        values::parse_text(&form.description, "the description", 20_000),
    );
    let notes = f.take("notes", values::parse_text(&form.notes, "the notes", 5000));
    let mut co_speakers = Vec::new();
    for raw in form
        .co_speakers
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if let Some(a) = f.take(
            "co_speakers",
            EmailAddress::parse(raw).map_err(|m| format!("{raw}: {m}")),
        ) {
            co_speakers.push(a);
        }
    }
    f.check(
        co_speakers.len() <= 5,
        "co_speakers",
        "At most five co-speakers.",
    );
    f.finish(|| {
        Some(ProposalInput {
            fields: ProposalFields {
                title: title?,
                submission_type_id: type_id,
                track_id: Some(form.track_id.trim().to_string()).filter(|t| !t.is_empty()),
                r#abstract: r#abstract?,
                description: description?,
                notes: notes?,
            },
            co_speakers,
        })
    })
}

/// Parses the proposal form and checks that its type and track are this event's: every
/// message at once, as the form shows them.
pub fn parse_checked(
    conn: &mut AnyConnection,
    event: &Event,
    form: &ProposalForm,
) -> AppResult<ProposalInput> {
    let mut f = Fields::new();
    let known_type: bool = diesel::select(diesel::dsl::exists(
        submission_types::table
            .find(form.submission_type_id.trim())
            .filter(submission_types::event_id.eq(&event.id)),
    ))
    .get_result(conn)?;
    f.check(known_type, "submission_type_id", "Choose what you propose.");
    if let Some(t) = Some(form.track_id.trim()).filter(|t| !t.is_empty()) {
        let known: bool = diesel::select(diesel::dsl::exists(
            tracks::table.find(t).filter(tracks::event_id.eq(&event.id)),
        ))
        .get_result(conn)?;
        f.check(known, "track_id", "Choose one of the tracks.");
    }
    f.and(parse(form)).map_err(AppError::Invalid)
}

fn closed(event: &Event) -> AppError {
    AppError::Refused(format!(
        "The call for papers of {} is closed: proposals can no longer be submitted or changed.",
        event.name
    ))
}

/// Why a proposal's page is read-only, if it is: a decided (or withdrawn) proposal, or a call
/// for papers that is closed. The page says so instead of offering a form that fails on save.
pub fn read_only_reason(cfp_open: bool, state: Option<ProposalState>) -> Option<String> {
    match state {
        Some(ProposalState::Submitted) | None if cfp_open => None,
        Some(ProposalState::Submitted) | None => Some(
            "The call for papers is closed: proposals can no longer be sent or changed.".into(),
        ),
        Some(ProposalState::Confirmed) => Some(
            "This proposal is a confirmed talk now: it can no longer be changed. Its abstract, slides and video stay yours to edit.".into(),
        ),
        Some(s) => Some(format!(
            "This proposal is {s}: it can no longer be changed."
        )),
    }
}

/// Sets the proposal's speakers (the submitter first); returns the co-speakers who were not on
/// it before, to be told.
fn set_speakers(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    proposal_id: &str,
    submitter: &str,
    co: &[EmailAddress],
) -> QueryResult<Vec<Person>> {
    let before: Vec<String> = proposal_speakers::table
        .filter(proposal_speakers::proposal_id.eq(proposal_id))
        .select(proposal_speakers::person_id)
        .load(conn)?;
    diesel::delete(proposal_speakers::table.filter(proposal_speakers::proposal_id.eq(proposal_id)))
        .execute(conn)?;
    let mut ids = vec![submitter.to_string()];
    let mut added = Vec::new();
    for email in co {
        let p = person_for(conn, now, email)?;
        if !ids.contains(&p.id) {
            ids.push(p.id.clone());
            if !before.contains(&p.id) {
                added.push(p);
            }
        }
    }
    for (position, person_id) in ids.iter().enumerate() {
        diesel::insert_into(proposal_speakers::table)
            .values((
                proposal_speakers::id.eq(new_id()),
                proposal_speakers::proposal_id.eq(proposal_id),
                proposal_speakers::person_id.eq(person_id),
                proposal_speakers::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(added)
}

/// How a mail names a speaker: their name, or their address before they gave one.
fn known_as(p: &Person) -> String {
    match (&p.email, p.name.trim().is_empty()) {
        (Some(email), true) => email.clone(),
        _ => p.name.clone(),
    }
}

/// Mails each newly added co-speaker that they are on the proposal.
fn tell_co_speakers(
    conn: &mut AnyConnection,
    cx: &EventContext,
    submitter: &str,
    title: &str,
    proposal_id: &str,
    added: &[Person],
) -> AppResult<()> {
    let (event, mailer) = (&cx.event, &cx.mailer);
    for p in added {
        let Some(email) = &p.email else { continue };
        let ctx = json!({
            "recipient": { "name": p.name, "email": email },
            "event": mailer.event_context(event),
            "site": { "base_url": mailer.base_url },
            "title": title,
            "submitter": submitter,
            "link": urls::absolute(&mailer.base_url, &urls::cfp(&event.slug)),
        });
        let envelope = Envelope::about_event(MailKind::CfpCoSpeaker, email, &p.name, event)
            .about("proposal", proposal_id);
        mailer.queue(conn, cx.now, envelope, &ctx, Vec::new())?;
    }
    Ok(())
}

/// Submits a proposal from its form (the CfP must be open) and mails a receipt.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn submit(
    conn: &mut AnyConnection,
    cx: &EventContext,
    submitter: &Person,
    form: &ProposalForm,
) -> AppResult<Proposal> {
    let (now, event, mailer) = (cx.now, &cx.event, &cx.mailer);
    if !event.cfp_open(now) {
        return Err(closed(event));
    }
    let input = parse_checked(conn, event, form)?;
    conn.transaction(|conn| {
        let id = new_id();
        let f = &input.fields;
        let p = Proposal {
            id: id.clone(),
            event_id: event.id.clone(),
            submitter_id: submitter.id.clone(),
            submission_type_id: f.submission_type_id.clone(),
            track_id: f.track_id.clone(),
            title: f.title.clone(),
            r#abstract: f.r#abstract.clone(),
            description: f.description.clone(),
            notes: f.notes.clone(),
            state: ProposalState::Submitted,
            talk_id: None,
            confirm_token_hash: None,
            submitted_at: now,
            updated_at: now,
            decided_at: None,
            confirmed_at: None,
            reminders_sent: 0,
            token_generation: 0,
            do_not_record: form.do_not_record.is_some(),
        };
        diesel::insert_into(proposals::table)
            .values(&p)
            .execute(conn)?;
        let added = set_speakers(conn, now, &id, &submitter.id, &input.co_speakers)?;
        tell_co_speakers(conn, cx, &known_as(submitter), &p.title, &id, &added)?;
        if let Some(email) = &submitter.email {
            let ctx = json!({
                "recipient": { "name": submitter.name, "email": email },
                "event": mailer.event_context(event),
                "site": { "base_url": mailer.base_url },
                "title": p.title,
                "link": urls::absolute(&mailer.base_url, &urls::cfp_proposal(&event.slug, &id)),
                "closes": event.cfp_closes_at.map(|t| display::datetime(t, event.tz())),
            });
            let envelope =
                Envelope::about_event(MailKind::CfpReceipt, email, &submitter.name, event)
                    .about("proposal", &id);
            mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
        }
        crate::webhooks::emit_about(
            conn,
            event,
            crate::webhooks::EventType::ProposalSubmitted,
            "proposal",
            &crate::api::repr::ProposalOut::of(&p),
            now,
        )?;
        Ok(p)
    })
}

/// Changes a proposal from its form (the CfP must be open and the proposal not yet decided).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn update(
    conn: &mut AnyConnection,
    cx: &EventContext,
    person: &Person,
    id: &str,
    form: &ProposalForm,
) -> AppResult<Proposal> {
    let p = own_proposal(conn, &cx.event.id, &person.id, id)?;
    if !cx.event.cfp_open(cx.now) {
        return Err(closed(&cx.event));
    }
    if p.state != ProposalState::Submitted {
        return Err(AppError::Refused(
            "This proposal was decided (or withdrawn) and can no longer be changed.".into(),
        ));
    }
    let input = parse_checked(conn, &cx.event, form)?;
    conn.transaction(|conn| {
        diesel::update(proposals::table.find(&p.id))
            .set((
                &input.fields,
                proposals::do_not_record.eq(form.do_not_record.is_some()),
                proposals::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let added = set_speakers(conn, cx.now, &p.id, &p.submitter_id, &input.co_speakers)?;
        tell_co_speakers(
            conn,
            cx,
            &known_as(person),
            &input.fields.title,
            &p.id,
            &added,
        )?;
        Ok(proposal(conn, &p.id)?)
    })
}

/// Withdraws a proposal that is not yet confirmed.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn withdraw(
    conn: &mut AnyConnection,
    cx: &EventContext,
    person: &Person,
    id: &str,
) -> AppResult<()> {
    let p = own_proposal(conn, &cx.event.id, &person.id, id)?;
    if !matches!(p.state, ProposalState::Submitted | ProposalState::Accepted) {
        return Err(AppError::Refused(
            "Only a proposal that is waiting for a decision or a confirmation can be withdrawn."
                .into(),
        ));
    }
    diesel::update(proposals::table.find(&p.id))
        .set((
            proposals::state.eq(ProposalState::Withdrawn),
            proposals::updated_at.eq(cx.now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The speaker profile form: the email is the sign-in and cannot be changed here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    /// How the speaker wants to be named in the programme.
    pub name: String,
    /// Bio (Markdown).
    pub bio: String,
    /// Photo.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links.
    pub social: String,
}

/// Saves a speaker's own profile (the speaker is the one who acts, in the audit log).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save_profile(
    conn: &mut AnyConnection,
    cx: &EventContext,
    person: &Person,
    form: &ProfileForm,
) -> AppResult<Person> {
    let full = crate::programme::people::PersonForm {
        name: form.name.clone(),
        email: person.email.clone().unwrap_or_default(),
        bio: form.bio.clone(),
        photo_url: form.photo_url.clone(),
        website_url: form.website_url.clone(),
        social: form.social.clone(),
    };
    let input = crate::programme::people::parse(&full).map_err(AppError::Invalid)?;
    let actor = Actor {
        id: None,
        label: person.email.clone().unwrap_or_else(|| "speaker".into()),
    };
    let cx = EventContext {
        actor,
        ..cx.clone()
    };
    crate::programme::people::save(conn, &cx, Some(&person.id), &input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proposal_needs_a_title_a_type_and_an_abstract_and_at_most_five_co_speakers() {
        let form = ProposalForm {
            title: "Kanban for ops".into(),
            submission_type_id: "t1".into(),
            r#abstract: "Why *flow* matters.".into(),
            co_speakers: "a@example.org, b@example.org".into(),
            ..ProposalForm::default()
        };
        let input = parse(&form).unwrap();
        assert_eq!(input.co_speakers.len(), 2);
        assert_eq!(input.fields.track_id, None);
        let bad = ProposalForm {
            co_speakers: "a@x.org,b@x.org,c@x.org,d@x.org,e@x.org,f@x.org".into(),
            ..ProposalForm::default()
        };
        let errors = parse(&bad).unwrap_err();
        for field in ["title", "submission_type_id", "abstract", "co_speakers"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let typo = ProposalForm {
            co_speakers: "not-an-address".into(),
            ..form
        };
        assert!(parse(&typo).unwrap_err()["co_speakers"].starts_with("not-an-address:"));
    }
}
