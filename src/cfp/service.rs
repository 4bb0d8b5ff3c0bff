//! Call-for-papers rules: submission types, speaker sign-in by mailed link, proposals,
//! decisions with their mail, the speaker's confirmation (which makes the talk), reminders.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::model::{Proposal, ProposalState, SubmissionType};
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::{
    mail_outbox, people, proposal_speakers, proposals, submission_types, talk_people, talks, tracks,
};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, Event};
use crate::jobs::{self, NewJob};
use crate::links::{self, Purpose};
use crate::mail::credentials::{Credential, Sealed};
use crate::mail::outbox::Envelope;
use crate::mail::{Mailer, OutboxMail};
use crate::programme::model::{next_number, Person, Talk, TalkPerson, TALK_KINDS};
use crate::values::{self, EmailAddress};

// ------------------------------------------------------------------ submission types

/// The submission types of an event.
pub fn types_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<SubmissionType>> {
    submission_types::table
        .filter(submission_types::event_id.eq(event_id))
        .order((submission_types::position, submission_types::name))
        .select(SubmissionType::as_select())
        .load(conn)
}

/// The submission type form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TypeForm {
    /// Name.
    pub name: String,
    /// Talk kind.
    pub kind: String,
    /// Minutes.
    pub duration_minutes: String,
}

/// Checks a submission type form: (name, kind, minutes) or the errors per field.
fn parse_type(form: &TypeForm) -> Result<(String, String, i32), FieldErrors> {
    let mut e = FieldErrors::new();
    let name = values::parse_line(&form.name, "a name", 80)
        .map_err(|m| e.insert("name".into(), m))
        .ok();
    if !TALK_KINDS.contains(&form.kind.as_str()) {
        e.insert("kind".into(), "Choose a kind.".into());
    }
    let minutes = values::parse_int(&form.duration_minutes, "the duration", 1, 24 * 60)
        .map_err(|m| e.insert("duration_minutes".into(), m))
        .ok();
    match (name, minutes, e.is_empty()) {
        (Some(name), Some(minutes), true) => Ok((name, form.kind.clone(), minutes)),
        _ => Err(e),
    }
}

/// The submission type `id` of the event.
fn type_of(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<SubmissionType> {
    submission_types::table
        .filter(submission_types::event_id.eq(event_id))
        .filter(submission_types::id.eq(id))
        .select(SubmissionType::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// How many proposals of the event use each submission type, by type id.
pub fn type_use(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<std::collections::HashMap<String, i64>> {
    Ok(proposals::table
        .filter(proposals::event_id.eq(event_id))
        .group_by(proposals::submission_type_id)
        .select((proposals::submission_type_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

fn audit_type(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    t: &SubmissionType,
    action: &str,
    summary: &str,
) -> AppResult<()> {
    audit::record(
        conn,
        now,
        actor,
        Change {
            event_id: Some(&t.event_id),
            action,
            entity_type: "submission_type",
            entity_id: Some(&t.id),
        },
        summary,
    )?;
    Ok(())
}

/// Adds a submission type.
pub fn add_type(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    form: &TypeForm,
) -> AppResult<SubmissionType> {
    let (name, kind, duration_minutes) = parse_type(form).map_err(AppError::Invalid)?;
    let t = SubmissionType {
        id: new_id(),
        event_id: event.id.clone(),
        name,
        kind,
        duration_minutes,
        position: types_of(conn, &event.id)?.len() as i32,
    };
    diesel::insert_into(submission_types::table)
        .values(&t)
        .execute(conn)?;
    audit_type(
        conn,
        now,
        actor,
        &t,
        "cfp.type.add",
        &format!("Added submission type {}", t.name),
    )?;
    Ok(t)
}

/// Changes a submission type. Proposals keep it; talks already confirmed keep the kind and
/// duration they were given.
pub fn update_type(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: &str,
    form: &TypeForm,
) -> AppResult<SubmissionType> {
    let old = type_of(conn, &event.id, id)?;
    let (name, kind, duration_minutes) = parse_type(form).map_err(AppError::Invalid)?;
    diesel::update(submission_types::table.find(&old.id))
        .set((
            submission_types::name.eq(&name),
            submission_types::kind.eq(&kind),
            submission_types::duration_minutes.eq(duration_minutes),
        ))
        .execute(conn)?;
    let t = SubmissionType {
        name,
        kind,
        duration_minutes,
        ..old.clone()
    };
    audit_type(
        conn,
        now,
        actor,
        &t,
        "cfp.type.update",
        &format!(
            "Changed submission type {} ({}, {} min) to {} ({}, {} min)",
            old.name, old.kind, old.duration_minutes, t.name, t.kind, t.duration_minutes
        ),
    )?;
    Ok(t)
}

/// Deletes a submission type no proposal uses; one in use is refused (rename it instead), so
/// no proposal loses its type.
pub fn delete_type(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: &str,
) -> AppResult<SubmissionType> {
    let t = type_of(conn, &event.id, id)?;
    let used = type_use(conn, &event.id)?.get(&t.id).copied().unwrap_or(0);
    if used > 0 {
        let mut e = FieldErrors::new();
        e.insert(
            "type".into(),
            format!(
                "{} is the type of {used} proposal{}, so it stays; you can rename it.",
                t.name,
                if used == 1 { "" } else { "s" }
            ),
        );
        return Err(AppError::Invalid(e));
    }
    diesel::delete(submission_types::table.find(&t.id)).execute(conn)?;
    audit_type(
        conn,
        now,
        actor,
        &t,
        "cfp.type.delete",
        &format!("Deleted submission type {}", t.name),
    )?;
    Ok(t)
}

// ------------------------------------------------------------------ speakers

/// The person with this (normalised) email, created without a name if new.
fn person_for(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    email: &EmailAddress,
) -> QueryResult<Person> {
    if let Some(p) = people::table
        .filter(people::email.eq(email.as_str()))
        .select(Person::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(p);
    }
    let p = Person {
        id: new_id(),
        name: String::new(),
        email: Some(email.as_str().to_string()),
        bio: String::new(),
        photo_url: String::new(),
        website_url: String::new(),
        social: String::new(),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(people::table)
        .values(&p)
        .execute(conn)?;
    Ok(p)
}

/// A person by id.
pub fn person(conn: &mut AnyConnection, id: &str) -> AppResult<Person> {
    people::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

fn event_ctx(mailer: &Mailer, event: &Event) -> Value {
    json!({ "name": event.name, "slug": event.slug, "url": format!("{}/{}/", mailer.base_url, event.slug), "contact_email": event.contact_email })
}

fn envelope<'a>(kind: &'a str, to: &'a str, name: &'a str, event: &'a Event) -> Envelope<'a> {
    let reply_to = (!event.contact_email.is_empty()).then_some(event.contact_email.as_str());
    Envelope::to(kind, to, name).for_event(&event.id, reply_to)
}

/// Mails a sign-in link (single use, one hour) to `email`, creating their speaker profile if
/// needed. At most five links per hour per address; the page answers the same either way.
pub fn request_sign_in(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    email_input: &str,
) -> AppResult<()> {
    let email = EmailAddress::parse(email_input).map_err(|m| AppError::field("email", m))?;
    conn.transaction(|conn| {
        let p = person_for(conn, now, &email)?;
        if links::issued_since(
            conn,
            Purpose::SpeakerSignIn,
            &p.id,
            now - Duration::hours(1),
        )? >= 5
        {
            return Ok(());
        }
        let issued = links::issue(
            conn,
            mailer.secret(),
            now,
            Purpose::SpeakerSignIn,
            &p.id,
            Some(&event.id),
            Duration::hours(1),
        )?;
        let mut sealed = Sealed::new();
        let token = sealed.seal(Credential::sign_in(&issued.id));
        let ctx = json!({
            "recipient": { "name": p.name, "email": email.as_str() },
            "event": event_ctx(mailer, event),
            "site": { "base_url": mailer.base_url },
            "link": format!("{}/{}/cfp/sign-in/{token}", mailer.base_url, event.slug),
            "expires": "in 1 hour",
        });
        mailer.queue(
            conn,
            now,
            envelope("cfp_sign_in", email.as_str(), &p.name, event)
                .about("person", &p.id)
                .sealed(&sealed),
            &ctx,
            Vec::new(),
        )?;
        Ok(())
    })
}

/// Whether a sign-in link is still good (it stays unused).
pub fn sign_in_link_valid(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    token: &str,
) -> AppResult<bool> {
    Ok(links::peek(conn, now, Purpose::SpeakerSignIn, token)?.is_some())
}

/// Uses a sign-in link: the person it was for, or an error if it is used, expired or unknown.
pub fn sign_in(conn: &mut AnyConnection, now: NaiveDateTime, token: &str) -> AppResult<Person> {
    let link = links::consume(conn, now, Purpose::SpeakerSignIn, token)?.ok_or_else(|| {
        AppError::BadRequest(
            "This sign-in link has expired or was already used. Ask for a new one.".into(),
        )
    })?;
    person(conn, &link.subject_id)
}

// ------------------------------------------------------------------ proposals

/// The proposal form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProposalForm {
    /// Title.
    pub title: String,
    /// Submission type id.
    pub submission_type_id: String,
    /// Track id, or empty.
    pub track_id: String,
    /// Abstract.
    pub r#abstract: String,
    /// Description.
    pub description: String,
    /// Notes for the organizers.
    pub notes: String,
    /// Co-speakers' emails, separated by commas or lines.
    pub co_speakers: String,
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
        }
    }
}

struct ProposalInput {
    title: String,
    submission_type_id: String,
    track_id: Option<String>,
    r#abstract: String,
    description: String,
    notes: String,
    co_speakers: Vec<EmailAddress>,
}

fn parse(conn: &mut AnyConnection, event: &Event, form: &ProposalForm) -> AppResult<ProposalInput> {
    let mut e = FieldErrors::new();
    let title = values::parse_line(&form.title, "a title", 200)
        .map_err(|m| e.insert("title".into(), m))
        .ok();
    let known_type: bool = diesel::select(diesel::dsl::exists(
        submission_types::table
            .find(&form.submission_type_id)
            .filter(submission_types::event_id.eq(&event.id)),
    ))
    .get_result(conn)?;
    if !known_type {
        e.insert(
            "submission_type_id".into(),
            "Choose what you propose.".into(),
        );
    }
    let track_id = Some(form.track_id.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &track_id {
        let known: bool = diesel::select(diesel::dsl::exists(
            tracks::table.find(t).filter(tracks::event_id.eq(&event.id)),
        ))
        .get_result(conn)?;
        if !known {
            e.insert("track_id".into(), "Choose one of the tracks.".into());
        }
    }
    let r#abstract = values::parse_text(&form.r#abstract, "the abstract", 3000)
        .map_err(|m| e.insert("abstract".into(), m))
        .ok()
        .filter(|a| !a.is_empty());
    if r#abstract.is_none() && !e.contains_key("abstract") {
        e.insert(
            "abstract".into(),
            "Please write an abstract: a few lines that tell attendees what they will get.".into(),
        );
    }
    let description = values::parse_text(&form.description, "the description", 20_000)
        .map_err(|m| e.insert("description".into(), m))
        .ok();
    let notes = values::parse_text(&form.notes, "the notes", 5000)
        .map_err(|m| e.insert("notes".into(), m))
        .ok();
    let mut co_speakers = Vec::new();
    for raw in form
        .co_speakers
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match EmailAddress::parse(raw) {
            Ok(a) => co_speakers.push(a),
            Err(m) => {
                e.insert("co_speakers".into(), format!("{raw}: {m}"));
            }
        }
    }
    if co_speakers.len() > 5 {
        e.insert("co_speakers".into(), "At most five co-speakers.".into());
    }
    match (title, r#abstract, description, notes, e.is_empty()) {
        (Some(title), Some(r#abstract), Some(description), Some(notes), true) => {
            Ok(ProposalInput {
                title,
                submission_type_id: form.submission_type_id.clone(),
                track_id,
                r#abstract,
                description,
                notes,
                co_speakers,
            })
        }
        _ => Err(AppError::Invalid(e)),
    }
}

fn closed(event: &Event) -> AppError {
    AppError::Conflict(format!(
        "The call for papers of {} is closed: proposals can no longer be submitted or changed.",
        event.name
    ))
}

fn set_speakers(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    proposal_id: &str,
    submitter: &str,
    co: &[EmailAddress],
) -> QueryResult<()> {
    diesel::delete(proposal_speakers::table.filter(proposal_speakers::proposal_id.eq(proposal_id)))
        .execute(conn)?;
    let mut ids = vec![submitter.to_string()];
    for email in co {
        let p = person_for(conn, now, email)?;
        if !ids.contains(&p.id) {
            ids.push(p.id);
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
    Ok(())
}

/// The proposals a person is a speaker of, on one event, newest first.
pub fn proposals_of(
    conn: &mut AnyConnection,
    event_id: &str,
    person_id: &str,
) -> QueryResult<Vec<Proposal>> {
    proposals::table
        .inner_join(proposal_speakers::table)
        .filter(proposals::event_id.eq(event_id))
        .filter(proposal_speakers::person_id.eq(person_id))
        .order(proposals::submitted_at.desc())
        .select(Proposal::as_select())
        .load(conn)
}

/// One proposal the person speaks in, or `NotFound`.
pub fn own_proposal(
    conn: &mut AnyConnection,
    event_id: &str,
    person_id: &str,
    id: &str,
) -> AppResult<Proposal> {
    proposals_of(conn, event_id, person_id)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

/// Co-speakers' emails of a proposal (everyone but the submitter).
pub fn co_speaker_emails(conn: &mut AnyConnection, p: &Proposal) -> QueryResult<Vec<String>> {
    let rows: Vec<Option<String>> = proposal_speakers::table
        .inner_join(people::table)
        .filter(proposal_speakers::proposal_id.eq(&p.id))
        .filter(proposal_speakers::person_id.ne(&p.submitter_id))
        .order(proposal_speakers::position)
        .select(people::email)
        .load(conn)?;
    Ok(rows.into_iter().flatten().collect())
}

/// The speakers of a proposal, in order.
pub fn speakers_of(conn: &mut AnyConnection, proposal_id: &str) -> QueryResult<Vec<Person>> {
    proposal_speakers::table
        .inner_join(people::table)
        .filter(proposal_speakers::proposal_id.eq(proposal_id))
        .order(proposal_speakers::position)
        .select(Person::as_select())
        .load(conn)
}

/// Submits a proposal (the CfP must be open) and mails a receipt.
pub fn submit(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    submitter: &Person,
    form: &ProposalForm,
) -> AppResult<Proposal> {
    if !event.cfp_open(now) {
        return Err(closed(event));
    }
    let input = parse(conn, event, form)?;
    conn.transaction(|conn| {
        let p = Proposal {
            id: new_id(),
            event_id: event.id.clone(),
            submitter_id: submitter.id.clone(),
            submission_type_id: input.submission_type_id.clone(),
            track_id: input.track_id.clone(),
            title: input.title.clone(),
            r#abstract: input.r#abstract.clone(),
            description: input.description.clone(),
            notes: input.notes.clone(),
            state: ProposalState::Submitted.as_str().into(),
            talk_id: None,
            confirm_token_hash: None,
            submitted_at: now,
            updated_at: now,
            decided_at: None,
            confirmed_at: None,
            reminders_sent: 0,
            token_generation: 0,
        };
        diesel::insert_into(proposals::table)
            .values(&p)
            .execute(conn)?;
        set_speakers(conn, now, &p.id, &submitter.id, &input.co_speakers)?;
        if let Some(email) = &submitter.email {
            let ctx = json!({
                "recipient": { "name": submitter.name, "email": email },
                "event": event_ctx(mailer, event),
                "site": { "base_url": mailer.base_url },
                "title": p.title,
                "link": format!("{}/{}/cfp/proposals/{}", mailer.base_url, event.slug, p.id),
                "closes": event.cfp_closes_at.map(|t| display::datetime(t, event.tz())),
            });
            mailer.queue(
                conn,
                now,
                envelope("cfp_receipt", email, &submitter.name, event).about("proposal", &p.id),
                &ctx,
                Vec::new(),
            )?;
        }
        Ok(p)
    })
}

/// Changes a proposal (the CfP must be open and the proposal not yet decided).
pub fn update(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    person: &Person,
    id: &str,
    form: &ProposalForm,
) -> AppResult<Proposal> {
    let p = own_proposal(conn, &event.id, &person.id, id)?;
    if !event.cfp_open(now) {
        return Err(closed(event));
    }
    if p.state() != ProposalState::Submitted {
        return Err(AppError::Conflict(
            "This proposal was decided (or withdrawn) and can no longer be changed.".into(),
        ));
    }
    let input = parse(conn, event, form)?;
    conn.transaction(|conn| {
        diesel::update(proposals::table.find(&p.id))
            .set((
                proposals::title.eq(&input.title),
                proposals::submission_type_id.eq(&input.submission_type_id),
                proposals::track_id.eq(&input.track_id),
                proposals::abstract_.eq(&input.r#abstract),
                proposals::description.eq(&input.description),
                proposals::notes.eq(&input.notes),
                proposals::updated_at.eq(now),
            ))
            .execute(conn)?;
        set_speakers(conn, now, &p.id, &p.submitter_id, &input.co_speakers)?;
        Ok(proposals::table
            .find(&p.id)
            .select(Proposal::as_select())
            .first(conn)?)
    })
}

/// Withdraws a proposal that is not yet confirmed.
pub fn withdraw(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    person: &Person,
    id: &str,
) -> AppResult<()> {
    let p = own_proposal(conn, &event.id, &person.id, id)?;
    if !matches!(
        p.state(),
        ProposalState::Submitted | ProposalState::Accepted
    ) {
        return Err(AppError::Conflict(
            "Only a proposal that is waiting for a decision or a confirmation can be withdrawn."
                .into(),
        ));
    }
    diesel::update(proposals::table.find(&p.id))
        .set((
            proposals::state.eq("withdrawn"),
            proposals::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The speaker profile form: the email is the sign-in and cannot be changed here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    /// Name.
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

/// Saves a speaker's own profile.
pub fn save_profile(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    person: &Person,
    form: &ProfileForm,
) -> AppResult<Person> {
    let full = crate::programme::service::PersonForm {
        name: form.name.clone(),
        email: person.email.clone().unwrap_or_default(),
        bio: form.bio.clone(),
        photo_url: form.photo_url.clone(),
        website_url: form.website_url.clone(),
        social: form.social.clone(),
    };
    let actor = Actor {
        id: None,
        label: person.email.clone().unwrap_or_else(|| "speaker".into()),
    };
    crate::programme::service::save_person(conn, now, &actor, event, Some(&person.id), &full)
}

/// Every mail Ghent sent (or is sending) a person about an event, newest first, with the links
/// that act for them shown as `•••` (the page lists them; it is no way to sign in again).
pub fn mails_to(
    conn: &mut AnyConnection,
    event_id: &str,
    person: &Person,
) -> QueryResult<Vec<OutboxMail>> {
    let Some(email) = &person.email else {
        return Ok(Vec::new());
    };
    mail_outbox::table
        .filter(mail_outbox::event_id.eq(event_id))
        .filter(mail_outbox::recipient_email.eq(email))
        .order(mail_outbox::created_at.desc())
        .select(OutboxMail::as_select())
        .load(conn)
        .map(|mails| mails.into_iter().map(OutboxMail::redacted).collect())
}

// ------------------------------------------------------------------ decisions

fn decision_ctx(
    mailer: &Mailer,
    event: &Event,
    p: &Proposal,
    person: &Person,
    sealed: &mut Sealed,
) -> Value {
    let link = p.confirm_token_hash.as_ref().map(|_| {
        let token = sealed.seal(p.confirm_credential());
        format!("{}/{}/cfp/confirm/{token}", mailer.base_url, event.slug)
    });
    json!({
        "recipient": { "name": person.name, "email": person.email },
        "event": event_ctx(mailer, event),
        "site": { "base_url": mailer.base_url },
        "title": p.title,
        "link": link,
        "proposals_url": format!("{}/{}/cfp/", mailer.base_url, event.slug),
        "reminder": p.reminders_sent,
    })
}

fn mail_speakers(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    p: &Proposal,
    kind: &str,
) -> AppResult<usize> {
    let mut n = 0;
    for person in speakers_of(conn, &p.id)? {
        let Some(email) = person.email.clone() else {
            continue;
        };
        let mut sealed = Sealed::new();
        let ctx = decision_ctx(mailer, event, p, &person, &mut sealed);
        mailer.queue(
            conn,
            now,
            envelope(kind, &email, &person.name, event)
                .about("proposal", &p.id)
                .sealed(&sealed),
            &ctx,
            Vec::new(),
        )?;
        n += 1;
    }
    Ok(n)
}

fn reminder_job(event: &Event, p: &Proposal, now: NaiveDateTime) -> NewJob {
    NewJob::new(
        "cfp.remind",
        json!({ "proposal_id": p.id }),
        now + Duration::days(i64::from(event.confirm_reminder_days)),
    )
    .unique(format!("cfp.remind:{}:{}", p.id, p.reminders_sent))
}

/// Accepts or rejects proposals (one or many). Each speaker gets the decision by mail; an
/// accepted speaker's mail has a link to confirm or decline, and reminders follow until they do.
pub fn decide(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    actor: &Actor,
    event: &Event,
    ids: &[String],
    accept: bool,
) -> AppResult<usize> {
    conn.transaction(|conn| {
        let found: Vec<Proposal> = proposals::table
            .filter(proposals::event_id.eq(&event.id))
            .filter(proposals::id.eq_any(ids))
            .filter(proposals::state.eq_any(["submitted", "rejected", "accepted"]))
            .select(Proposal::as_select())
            .load(conn)?;
        for p in &found {
            let (state, token_hash) = if accept {
                (
                    "accepted",
                    Some(p.confirm_token_hash.clone().unwrap_or_else(|| {
                        crate::tokens::derived_hash(
                            mailer.secret(),
                            crate::tokens::LinkKind::ProposalConfirm,
                            &p.id,
                            p.token_generation,
                        )
                    })),
                )
            } else {
                ("rejected", None)
            };
            if p.state == state {
                continue;
            }
            diesel::update(proposals::table.find(&p.id))
                .set((
                    proposals::state.eq(state),
                    proposals::confirm_token_hash.eq(&token_hash),
                    proposals::decided_at.eq(Some(now)),
                    proposals::updated_at.eq(now),
                ))
                .execute(conn)?;
            let p = proposals::table
                .find(&p.id)
                .select(Proposal::as_select())
                .first(conn)?;
            mail_speakers(
                conn,
                now,
                mailer,
                event,
                &p,
                if accept {
                    "cfp_accepted"
                } else {
                    "cfp_rejected"
                },
            )?;
            if accept {
                jobs::schedule(conn, now, reminder_job(event, &p, now))?;
            }
            audit::record(
                conn,
                now,
                actor,
                Change {
                    event_id: Some(&event.id),
                    action: if accept { "cfp.accept" } else { "cfp.reject" },
                    entity_type: "proposal",
                    entity_id: Some(&p.id),
                },
                &format!(
                    "{} “{}”",
                    if accept { "Accepted" } else { "Rejected" },
                    p.title
                ),
            )?;
        }
        Ok(found.len())
    })
}

/// One proposal of an event, or `NotFound`.
pub fn proposal_of_event(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> AppResult<Proposal> {
    proposals::table
        .find(id)
        .filter(proposals::event_id.eq(event_id))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// Stores the real hashes of confirm links from before derived links (generation -1). Runs on
/// start; does nothing once done.
pub fn rekey_legacy(conn: &mut AnyConnection, secret: &[u8]) -> QueryResult<usize> {
    let ids: Vec<String> = proposals::table
        .filter(proposals::token_generation.eq(-1))
        .select(proposals::id)
        .load(conn)?;
    for id in &ids {
        let hash =
            crate::tokens::derived_hash(secret, crate::tokens::LinkKind::ProposalConfirm, id, 0);
        diesel::update(proposals::table.find(id))
            .set((
                proposals::confirm_token_hash.eq(Some(hash)),
                proposals::token_generation.eq(0),
            ))
            .execute(conn)?;
    }
    Ok(ids.len())
}

/// The accepted proposal a confirm link is for.
pub fn by_confirm_token(
    conn: &mut AnyConnection,
    event_id: &str,
    token: &str,
) -> AppResult<Proposal> {
    proposals::table
        .filter(proposals::event_id.eq(event_id))
        .filter(proposals::confirm_token_hash.eq(crate::tokens::hash_token(token)))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// The speaker confirms (the talk joins the programme, a confirmation mail follows) or declines.
pub fn respond(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    token: &str,
    confirm: bool,
) -> AppResult<Proposal> {
    conn.transaction(|conn| {
        let p = by_confirm_token(conn, &event.id, token)?;
        match (p.state(), confirm) {
            (ProposalState::Confirmed, true) | (ProposalState::Declined, false) => return Ok(p),
            (ProposalState::Accepted, _) => {}
            _ => {
                return Err(AppError::Conflict(
                    "This proposal is no longer waiting for your answer.".into(),
                ))
            }
        }
        if !confirm {
            diesel::update(proposals::table.find(&p.id))
                .set((
                    proposals::state.eq("declined"),
                    proposals::updated_at.eq(now),
                ))
                .execute(conn)?;
            return Ok(proposals::table
                .find(&p.id)
                .select(Proposal::as_select())
                .first(conn)?);
        }
        let kind: SubmissionType = submission_types::table
            .find(&p.submission_type_id)
            .select(SubmissionType::as_select())
            .first(conn)?;
        let talk = Talk {
            id: new_id(),
            number: next_number(conn)?,
            event_id: event.id.clone(),
            title: p.title.clone(),
            abstract_: p.r#abstract.clone(),
            description: p.description.clone(),
            kind: kind.kind.clone(),
            duration_minutes: kind.duration_minutes,
            track_id: p.track_id.clone(),
            language: "en".into(),
            level: String::new(),
            slides_url: String::new(),
            video_url: String::new(),
            state: "confirmed".into(),
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(talks::table)
            .values(&talk)
            .execute(conn)?;
        let speakers = speakers_of(conn, &p.id)?;
        let person_ids: Vec<String> = speakers.iter().map(|s| s.id.clone()).collect();
        for (position, person) in speakers.into_iter().enumerate() {
            diesel::insert_into(talk_people::table)
                .values(TalkPerson {
                    id: new_id(),
                    talk_id: talk.id.clone(),
                    person_id: person.id,
                    role: "speaker".into(),
                    position: position as i32,
                })
                .execute(conn)?;
        }
        diesel::update(proposals::table.find(&p.id))
            .set((
                proposals::state.eq("confirmed"),
                proposals::talk_id.eq(Some(&talk.id)),
                proposals::confirmed_at.eq(Some(now)),
                proposals::updated_at.eq(now),
            ))
            .execute(conn)?;
        let p = proposals::table
            .find(&p.id)
            .select(Proposal::as_select())
            .first(conn)?;
        mail_speakers(conn, now, mailer, event, &p, "cfp_confirmed")?;
        // Speakers at the door: each gets a registration (and its ticket mail) outside the seats.
        crate::registration::service::register_speakers(
            conn,
            now,
            mailer,
            &Actor::system("speaker"),
            event,
            Some(&person_ids),
        )?;
        audit::record(
            conn,
            now,
            &Actor::system("speaker"),
            Change {
                event_id: Some(&event.id),
                action: "cfp.confirm",
                entity_type: "proposal",
                entity_id: Some(&p.id),
            },
            &format!("Speakers confirmed “{}”; it is a talk now", p.title),
        )?;
        Ok(p)
    })
}

/// Sends a reminder for an accepted, unconfirmed proposal (the `cfp.remind` job, or an
/// organizer's button) and schedules the next one. At most five automatic reminders.
pub fn remind(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
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
    if p.state() != ProposalState::Accepted || (automatic && p.reminders_sent >= 5) {
        return Ok(false);
    }
    let event = crate::events::queries::by_id(conn, &p.event_id)?;
    diesel::update(proposals::table.find(&p.id))
        .set((
            proposals::reminders_sent.eq(p.reminders_sent + 1),
            proposals::updated_at.eq(now),
        ))
        .execute(conn)?;
    let p = proposals::table
        .find(&p.id)
        .select(Proposal::as_select())
        .first(conn)?;
    mail_speakers(conn, now, mailer, &event, &p, "cfp_reminder")?;
    if automatic {
        jobs::schedule(conn, now, reminder_job(&event, &p, now))?;
    }
    Ok(true)
}
