//! The attendee's own data: editing it, downloading it, erasing it; and the purge of every
//! attendee's personal data once the event's retention period is over.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::form::ProfileInput;
use super::lifecycle::{change, fill_seats, save_answers, with_event_locked};
use super::model::{Registration, RegistrationChange};
use super::queries::{answers_of, by_token};
use super::questions;
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::{events, mail_outbox, registrations};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::Event;
use crate::mail::model::{MailKind, Status as MailStatus};
use crate::queue::{self, NewItem};

/// Published when an attendee erased their registration: other domains holding their personal
/// data (the open space's participant, its notes' editor names) erase theirs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AttendeeErased {
    /// The event.
    pub event_id: String,
    /// The registration that is gone.
    pub registration_id: String,
}

impl crate::queue::Task for AttendeeErased {
    const KIND: &'static str = "registration.erased";
    const PRIORITY: i32 = 5;
}

/// Published when an event's personal data was purged: other domains purge theirs.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AttendeesPurged {
    /// The event.
    pub event_id: String,
}

impl crate::queue::Task for AttendeesPurged {
    const KIND: &'static str = "registration.purged";
    const PRIORITY: i32 = 5;
}

/// Changes an attendee's name, company and answers (self-service).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn update_profile(
    conn: &mut AnyConnection,
    cx: &EventContext,
    token: &str,
    input: &ProfileInput,
) -> AppResult<()> {
    let r = by_token(conn, &cx.event.id, token)?;
    conn.transaction(|conn| {
        let edited = RegistrationChange {
            name: Some(input.name.clone()),
            company: Some(input.company.clone()),
            ..RegistrationChange::at(cx.now)
        };
        change(conn, &r.id, &edited)?;
        save_answers(conn, &r.id, &input.answers, true)?;
        Ok(())
    })
}

/// Everything Ghent keeps about an attendee, as JSON (the "download my data" button).
pub fn export_data(conn: &mut AnyConnection, event: &Event, r: &Registration) -> AppResult<Value> {
    let qs = questions::of_event(conn, &event.id)?;
    let given = answers_of(conn, &r.id)?;
    // Every mail of the event to their address: their registration's, and bulk mail.
    let mails: Vec<(MailKind, String, MailStatus, NaiveDateTime)> =
        crate::mail::queries::sent_to(conn, &event.id, &r.email)?
            .into_iter()
            .rev()
            .map(|m| (m.kind, m.subject, m.status, m.created_at))
            .collect();
    Ok(json!({
        "event": { "name": event.name, "slug": event.slug },
        "registration": r,
        "answers": qs.iter().map(|q| json!({ "question": q.label, "answer": given.get(&q.id).cloned().unwrap_or_default() })).collect::<Vec<_>>(),
        "mail": mails.into_iter().map(|(kind, subject, status, at)| json!({ "kind": kind, "subject": subject, "status": status, "queued_at": at })).collect::<Vec<_>>(),
    }))
}

/// The attendee's export, found by their link.
pub fn export_own(conn: &mut AnyConnection, event: &Event, token: &str) -> AppResult<Value> {
    let r = by_token(conn, &event.id, token)?;
    export_data(conn, event, &r)
}

/// Blanks the mail of registrations: nothing left to deliver, nothing personal kept.
fn redact_mail(conn: &mut AnyConnection, registration_ids: &[String]) -> QueryResult<usize> {
    // Their registrations' mail, and whatever else the event sent their addresses (bulk mail).
    let addresses: Vec<(String, String)> = registrations::table
        .filter(registrations::id.eq_any(registration_ids.to_vec()))
        .select((registrations::event_id, registrations::email))
        .load(conn)?;
    let events: Vec<String> = addresses.iter().map(|(e, _)| e.clone()).collect();
    let emails: Vec<String> = addresses.into_iter().map(|(_, a)| a).collect();
    let ids: Vec<String> = mail_outbox::table
        .filter(
            mail_outbox::entity_type
                .eq("registration")
                .and(mail_outbox::entity_id.eq_any(registration_ids.to_vec()))
                .or(mail_outbox::event_id
                    .eq_any(events)
                    .and(mail_outbox::recipient_email.eq_any(emails))),
        )
        .select(mail_outbox::id)
        .load(conn)?;
    crate::mail::queries::redact(conn, &ids)
}

/// Erases an attendee (self-service): the registration, answers and the text of their mail.
/// A seat they held passes on.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn erase(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<()> {
    with_event_locked(conn, &cx.event.id, |conn| {
        let r = by_token(conn, &cx.event.id, token)?;
        redact_mail(conn, std::slice::from_ref(&r.id))?;
        diesel::delete(registrations::table.find(&r.id)).execute(conn)?;
        let erased = AttendeeErased {
            event_id: cx.event.id.clone(),
            registration_id: r.id.clone(),
        };
        queue::enqueue(conn, cx.now, NewItem::of(&erased, cx.now))?;
        fill_seats(conn, cx)?;
        Ok(())
    })
}

/// Anonymises registrations: name, address, company, answers, links and the text of their
/// mail go; the rows stay with their status, kind and times (they are still counted).
pub fn anonymise(conn: &mut AnyConnection, now: NaiveDateTime, ids: &[String]) -> QueryResult<()> {
    redact_mail(conn, ids)?;
    diesel::delete(
        crate::db::schema::answers::table
            .filter(crate::db::schema::answers::registration_id.eq_any(ids)),
    )
    .execute(conn)?;
    for id in ids {
        // Unique per row (the table keeps addresses and link hashes unique per event).
        diesel::update(registrations::table.find(id))
            .set((
                registrations::name.eq(""),
                registrations::email.eq(format!("erased-{id}@invalid")),
                registrations::company.eq(""),
                registrations::manage_token_hash.eq(format!("erased:{id}:manage")),
                registrations::desk_token_hash.eq(format!("erased:{id}:desk")),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Anonymises every attendee of an event (retention, or an organizer's button): names,
/// addresses, companies, answers and links go; the rows stay with their status, kind and
/// times, so attendance figures (registered, confirmed, checked in) survive the purge.
pub fn purge_event(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
) -> AppResult<usize> {
    with_event_locked(conn, &event.id, |conn| {
        let ids: Vec<String> = registrations::table
            .filter(registrations::event_id.eq(&event.id))
            .select(registrations::id)
            .load(conn)?;
        anonymise(conn, now, &ids)?;
        let n = ids.len();
        // The "tell me when it opens" list is personal data of the event too.
        crate::outreach::notices::erase_list(conn, &event.id)?;
        diesel::update(events::table.find(&event.id))
            .set(events::purged_at.eq(Some(now)))
            .execute(conn)?;
        let purged = AttendeesPurged {
            event_id: event.id.clone(),
        };
        queue::enqueue(conn, now, NewItem::of(&purged, now))?;
        audit::record(
            conn,
            now,
            actor,
            Change::on(&event.id, "registration.purge", ("event", &event.id)),
            &format!(
                "Anonymised the personal data of {n} attendees (their registrations stay counted)"
            ),
        )?;
        Ok(n)
    })
}

/// Events whose retention period is over and that still hold personal data.
pub fn due_for_purge(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<Event>> {
    let candidates: Vec<Event> = events::table
        .filter(events::purged_at.is_null())
        .filter(events::ends_at.lt(now))
        .select(Event::as_select())
        .load(conn)?;
    Ok(candidates
        .into_iter()
        .filter(|e| e.ends_at + Duration::days(i64::from(e.retention_days)) <= now)
        .collect())
}
