//! Reading the call for papers: submission types, proposals and their speakers, people, the mail
//! a speaker got.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{Proposal, SubmissionType};
use crate::db::schema::{people, proposal_speakers, proposals, submission_types};
use crate::db::{of_event, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::mail::OutboxMail;
use crate::programme::model::Person;
use crate::tokens;

of_event! {
    /// The submission types of an event, in order.
    pub fn types_of(event) -> Vec<SubmissionType>
        from submission_types order (submission_types::position, submission_types::name)
}

of_event! {
    /// The submission type `id` of the event.
    pub fn type_of(event, id) -> SubmissionType from submission_types
}

/// How many proposals of the event use each submission type, by type id.
pub fn type_use(conn: &mut AnyConnection, event_id: &str) -> QueryResult<HashMap<String, i64>> {
    Ok(proposals::table
        .filter(proposals::event_id.eq(event_id))
        .group_by(proposals::submission_type_id)
        .select((proposals::submission_type_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

pub use crate::programme::queries::person;

/// A proposal by id, whatever its event.
pub fn proposal(conn: &mut AnyConnection, id: &str) -> QueryResult<Proposal> {
    proposals::table
        .find(id)
        .select(Proposal::as_select())
        .first(conn)
}

of_event! {
    /// One proposal of an event, or `NotFound`.
    pub fn proposal_of_event(event, id) -> Proposal from proposals
}

/// The accepted proposal a confirm link is for.
pub fn by_confirm_token(
    conn: &mut AnyConnection,
    event_id: &str,
    token: &str,
) -> AppResult<Proposal> {
    proposals::table
        .filter(proposals::event_id.eq(event_id))
        .filter(proposals::confirm_token_hash.eq(tokens::hash_token(token)))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
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
    crate::mail::queries::sent_to(conn, event_id, email)
}
