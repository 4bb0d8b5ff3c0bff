//! A speaker's own data: everything Ghent keeps about them, to download, and erasing their
//! account. Talks they gave are public record and stay, under a name the speaker chooses or
//! anonymised; everything else about them goes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::{
    audit_log, auth_tokens, events, people, proposal_speakers, proposals, registrations,
    talk_people, talks,
};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::programme::model::Person;
use crate::registration::model::Kind;

use super::model::Proposal;

/// The name erased speakers' talks show when they chose none.
pub const ANONYMOUS: &str = "Anonymous speaker";

/// Everything Ghent keeps about a speaker, of every event, as JSON: the profile, proposals
/// (with the notes they wrote to the organizers), talks, the mail sent to them and their
/// speaker registrations. Reviewers' scores and comments are the reviewers' notes and are left
/// out.
pub fn export(conn: &mut AnyConnection, me: &Person) -> AppResult<Value> {
    let proposals: Vec<(Proposal, String)> = proposals::table
        .inner_join(events::table)
        .filter(proposals::id.eq_any(own_proposal_ids(conn, &me.id)?))
        .order(proposals::submitted_at)
        .select((Proposal::as_select(), events::slug))
        .load(conn)?;
    let talks: Vec<(String, String, String, String, String)> = talk_people::table
        .inner_join(talks::table.inner_join(events::table))
        .filter(talk_people::person_id.eq(&me.id))
        .select((
            events::slug,
            talks::title,
            talks::state,
            talks::slides_url,
            talks::video_url,
        ))
        .load(conn)?;
    let mail = match &me.email {
        Some(email) => crate::mail::queries::sent_anywhere_to(conn, email)?,
        None => Vec::new(),
    };
    let registrations: Vec<(String, String, String, NaiveDateTime)> = match &me.email {
        Some(email) => registrations::table
            .inner_join(events::table)
            .filter(registrations::email.eq(email))
            .filter(registrations::kind.eq(Kind::Speaker))
            .select((
                events::slug,
                registrations::name,
                registrations::status,
                registrations::created_at,
            ))
            .load(conn)?,
        None => Vec::new(),
    };
    let availability: Vec<(String, NaiveDateTime, NaiveDateTime)> =
        crate::db::schema::speaker_availability::table
            .inner_join(events::table)
            .filter(crate::db::schema::speaker_availability::person_id.eq(&me.id))
            .select((
                events::slug,
                crate::db::schema::speaker_availability::starts_at,
                crate::db::schema::speaker_availability::ends_at,
            ))
            .load(conn)?;
    Ok(json!({
        "availability": availability.iter().map(|(event, s, e)| json!({ "event": event, "from": s, "to": e })).collect::<Vec<_>>(),
        "profile": {
            "name": me.name, "email": me.email, "bio": me.bio, "photo_url": me.photo_url,
            "website_url": me.website_url, "social": me.social, "created_at": me.created_at,
        },
        "proposals": proposals.iter().map(|(p, event)| json!({
            "event": event, "title": p.title, "abstract": p.r#abstract, "description": p.description,
            "notes": p.notes, "state": p.state, "do_not_record": p.do_not_record,
            "submitted_at": p.submitted_at, "decided_at": p.decided_at, "confirmed_at": p.confirmed_at,
        })).collect::<Vec<_>>(),
        "talks": talks.iter().map(|(event, title, state, slides, video)| json!({
            "event": event, "title": title, "state": state, "slides_url": slides, "video_url": video,
        })).collect::<Vec<_>>(),
        "mail": mail.iter().map(|m| json!({
            "event_id": m.event_id, "kind": m.kind, "subject": m.subject, "status": m.status,
            "queued_at": m.created_at,
        })).collect::<Vec<_>>(),
        "speaker_registrations": registrations.iter().map(|(event, name, status, at)| json!({
            "event": event, "name": name, "status": status, "registered_at": at,
        })).collect::<Vec<_>>(),
    }))
}

/// The erase form: the typed confirmation and the name the speaker's talks keep.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    /// `keep`: their talks show `public_name`; `anonymise`: they show [`ANONYMOUS`].
    pub talks: String,
    /// The name their talks keep (with `keep`).
    pub public_name: String,
    /// Must be `erase`.
    pub confirm: String,
}

/// What the erase form asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    /// The name the talks keep.
    pub public_name: String,
}

/// Checks the erase form.
pub fn parse_erase(form: &EraseForm) -> Result<Erasure, FieldErrors> {
    let mut errors = FieldErrors::new();
    let public_name = match form.talks.as_str() {
        "anonymise" => ANONYMOUS.to_string(),
        "keep" => {
            let name = form.public_name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                errors.insert(
                    "public_name".into(),
                    "Give the name your talks should show (up to 100 characters), or choose \
                     anonymised."
                        .into(),
                );
            }
            name.to_string()
        }
        _ => {
            errors.insert(
                "talks".into(),
                "Choose what your talks show: a name, or anonymised.".into(),
            );
            String::new()
        }
    };
    if form.confirm.trim().to_lowercase() != "erase" {
        errors.insert(
            "confirm".into(),
            "Type erase to confirm: this cannot be undone.".into(),
        );
    }
    if errors.is_empty() {
        Ok(Erasure { public_name })
    } else {
        Err(errors)
    }
}

/// What erasing did, for the confirmation message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    /// Proposals deleted (they were the only speaker, and no talk came of them).
    pub proposals_deleted: usize,
    /// Talks that stay, under the chosen name.
    pub talks_kept: usize,
}

/// Erases a speaker, in one transaction: proposals without a talk go (or lose them, when
/// co-speakers remain), the notes of those with a talk are blanked, their mail is blanked,
/// their sign-in and confirm links die, their speaker registrations are anonymised, and the
/// profile keeps only the chosen public name (it is deleted when no talk needs it).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn erase(
    conn: &mut AnyConnection,
    cx: &EventContext,
    me: &Person,
    input: &Erasure,
) -> AppResult<Erased> {
    conn.transaction(|conn| {
        let mut done = Erased::default();
        for p in proposals::table
            .filter(proposals::id.eq_any(own_proposal_ids(conn, &me.id)?))
            .select(Proposal::as_select())
            .load::<Proposal>(conn)?
        {
            done.proposals_deleted += usize::from(leave_proposal(conn, &p, &me.id)?);
        }
        if let Some(email) = &me.email {
            let mail: Vec<String> = crate::mail::queries::sent_anywhere_to(conn, email)?
                .into_iter()
                .map(|m| m.id)
                .collect();
            crate::mail::queries::redact(conn, &mail)?;
            let speaker_registrations: Vec<String> = registrations::table
                .filter(registrations::email.eq(email))
                .filter(registrations::kind.eq(Kind::Speaker))
                .select(registrations::id)
                .load(conn)?;
            crate::registration::privacy::anonymise(conn, cx.now, &speaker_registrations)?;
        }
        diesel::delete(auth_tokens::table.filter(auth_tokens::subject_id.eq(&me.id)))
            .execute(conn)?;
        diesel::delete(
            crate::db::schema::speaker_availability::table
                .filter(crate::db::schema::speaker_availability::person_id.eq(&me.id)),
        )
        .execute(conn)?;
        done.talks_kept = talk_people::table
            .filter(talk_people::person_id.eq(&me.id))
            .count()
            .get_result::<i64>(conn)? as usize;
        let still_needed = done.talks_kept > 0 || !own_proposal_ids(conn, &me.id)?.is_empty();
        if still_needed {
            diesel::update(people::table.find(&me.id))
                .set((
                    people::name.eq(&input.public_name),
                    people::email.eq(None::<String>),
                    people::bio.eq(""),
                    people::photo_url.eq(""),
                    people::website_url.eq(""),
                    people::social.eq(""),
                    people::updated_at.eq(cx.now),
                ))
                .execute(conn)?;
        } else {
            diesel::delete(people::table.find(&me.id)).execute(conn)?;
        }
        audit::record(
            conn,
            cx.now,
            &cx.actor,
            Change::on(&cx.event.id, "speaker.erase", ("person", &me.id)),
            &format!(
                "A speaker erased their account: {} proposals deleted, {} talks kept as “{}”",
                done.proposals_deleted, done.talks_kept, input.public_name
            ),
        )?;
        // The speaker acted under their address (the audit log's label): it goes too.
        if let Some(email) = &me.email {
            diesel::update(audit_log::table.filter(audit_log::actor_label.eq(email)))
                .set(audit_log::actor_label.eq("erased speaker"))
                .execute(conn)?;
        }
        Ok::<_, AppError>(done)
    })
}

/// Takes the speaker off one proposal: one with a talk keeps them (the talk is public record)
/// without their notes; one with co-speakers passes to the next of them; one of theirs alone
/// is deleted (with its reviews). Returns whether it was deleted.
fn leave_proposal(conn: &mut AnyConnection, p: &Proposal, me: &str) -> AppResult<bool> {
    if p.talk_id.is_some() {
        if p.submitter_id == me {
            diesel::update(proposals::table.find(&p.id))
                .set(proposals::notes.eq(""))
                .execute(conn)?;
        }
        return Ok(false);
    }
    let others: Vec<String> = proposal_speakers::table
        .filter(proposal_speakers::proposal_id.eq(&p.id))
        .filter(proposal_speakers::person_id.ne(me))
        .order(proposal_speakers::position)
        .select(proposal_speakers::person_id)
        .load(conn)?;
    let Some(next) = others.first() else {
        diesel::delete(proposals::table.find(&p.id)).execute(conn)?;
        return Ok(true);
    };
    diesel::delete(
        proposal_speakers::table
            .filter(proposal_speakers::proposal_id.eq(&p.id))
            .filter(proposal_speakers::person_id.eq(me)),
    )
    .execute(conn)?;
    if p.submitter_id == me {
        diesel::update(proposals::table.find(&p.id))
            .set((proposals::submitter_id.eq(next), proposals::notes.eq("")))
            .execute(conn)?;
    }
    Ok(false)
}

/// The proposals a person submitted or speaks on, of every event.
fn own_proposal_ids(conn: &mut AnyConnection, person_id: &str) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = proposals::table
        .filter(proposals::submitter_id.eq(person_id))
        .select(proposals::id)
        .load(conn)?;
    ids.extend(
        proposal_speakers::table
            .filter(proposal_speakers::person_id.eq(person_id))
            .select(proposal_speakers::proposal_id)
            .load::<String>(conn)?,
    );
    ids.sort();
    ids.dedup();
    Ok(ids)
}
