//! A registration's life: registering (a seat while there are seats, else the waiting list),
//! confirming, offers of freed seats in arrival order, cancelling, expiring. Every function that
//! can take or free a seat runs inside [`with_event_locked`], which serializes them per event,
//! so capacity is never exceeded and the waiting list keeps its order even when hundreds
//! register in the same second.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::form::RegistrationInput;
use super::model::{Kind, Registration, RegistrationChange, Status};
use super::notices::send_status_mail;
use super::queries::{self, load, seats_held};
use crate::context::EventContext;
use crate::db::schema::{answers, registrations};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::{queries as event_queries, Event};
use crate::queue::{self, NewItem, Task};

use super::jobs::ExpireHold;
use crate::mail::Mailer;

pub use crate::events::lifecycle::with_event_locked;

/// What registering did. The visitor sees the same page whatever it is, so the page reveals
/// nothing about who is registered; the mail says what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new registration holds a seat until confirmed.
    Pending,
    /// A new registration is on the waiting list.
    Waiting,
    /// The address was registered already: its mail was sent again.
    Resent,
}

/// Stores the answers of a registration (replacing those it had).
pub(super) fn save_answers(
    conn: &mut AnyConnection,
    registration_id: &str,
    given: &std::collections::BTreeMap<String, String>,
    replace: bool,
) -> QueryResult<()> {
    if replace {
        diesel::delete(answers::table.filter(answers::registration_id.eq(registration_id)))
            .execute(conn)?;
    }
    for (question, value) in given {
        diesel::insert_into(answers::table)
            .values(super::model::Answer {
                id: new_id(),
                registration_id: registration_id.to_string(),
                question_id: question.clone(),
                value: value.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

/// The job that ends a pending hold or an offer when its time is up.
/// The job that ends a hold or an offer when it runs out.
fn expiry_job(r: &Registration) -> Option<NewItem> {
    r.expires_at.map(|due| {
        let job = ExpireHold {
            registration_id: r.id.clone(),
        };
        NewItem::of(&job, due).unique(format!("{}:{}:{}", ExpireHold::KIND, r.id, r.status))
    })
}

/// A registration to insert; the rest (id, link hashes, arrival number, times) is filled in.
pub(super) struct NewRow {
    pub name: String,
    pub email: String,
    pub company: String,
    pub status: Status,
    pub kind: Kind,
    pub expires_at: Option<NaiveDateTime>,
}

/// Inserts a new registration at the end of the line (call with the event locked).
pub(super) fn insert_row(
    conn: &mut AnyConnection,
    cx: &EventContext,
    row: NewRow,
) -> QueryResult<Registration> {
    let id = new_id();
    let (manage_token_hash, desk_token_hash) =
        Registration::token_hashes(cx.mailer.secret(), &id, 0);
    let now = cx.now;
    let r = Registration {
        id,
        event_id: cx.event.id.clone(),
        seq: queries::next_seq(conn, &cx.event.id)?,
        name: row.name,
        email: row.email,
        company: row.company,
        status: row.status,
        manage_token_hash,
        desk_token_hash,
        expires_at: row.expires_at,
        confirmed_at: (row.status == Status::Confirmed).then_some(now),
        checked_in_at: None,
        cancelled_at: None,
        terms_accepted_at: now,
        created_at: now,
        updated_at: now,
        kind: row.kind,
        token_generation: 0,
    };
    diesel::insert_into(registrations::table)
        .values(&r)
        .execute(conn)?;
    Ok(r)
}

/// Writes a change to a registration and reads it back.
pub(super) fn change(
    conn: &mut AnyConnection,
    id: &str,
    change: &RegistrationChange,
) -> QueryResult<Registration> {
    diesel::update(registrations::table.find(id))
        .set(change)
        .execute(conn)?;
    load(conn, id)
}

/// Checks a submitted form against the event's questions, then [`register`]s it.
pub fn register_form(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &super::form::RegistrationForm,
) -> AppResult<Outcome> {
    let qs = super::questions::of_event(conn, &cx.event.id)?;
    let input = super::form::parse(form, &qs).map_err(AppError::Invalid)?;
    register(conn, cx, &input)
}

/// Registers someone (registration must be open). Pending with a seat while there are seats,
/// else on the waiting list; an address already registered gets its mail again instead.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn register(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &RegistrationInput,
) -> AppResult<Outcome> {
    let (event, now) = (&cx.event, cx.now);
    if !event.registration_open(now) {
        return Err(AppError::Refused("Registration is not open.".into()));
    }
    with_event_locked(conn, &event.id, |conn| {
        let existing = queries::by_email(conn, &event.id, input.email.as_str())?;
        if let Some(r) = existing.as_ref().filter(|r| !r.status.is_over()) {
            send_status_mail(conn, cx, r)?;
            return Ok(Outcome::Resent);
        }
        let held = seats_held(conn, &event.id)?;
        let has_seat = event.capacity.is_none_or(|c| held < i64::from(c));
        let (status, expires_at) = if has_seat {
            let hold = Duration::hours(i64::from(event.pending_expiry_hours));
            (Status::Pending, Some(now + hold))
        } else {
            (Status::Waiting, None)
        };
        let r = match &existing {
            // Someone who cancelled (or let a hold expire) may register again, at the end of the
            // line, as an attendee: through the form everyone needs one of the seats (a speaker
            // who cancelled gets a speaker's registration again from the organizers).
            Some(old) => {
                let again = RegistrationChange {
                    seq: Some(queries::next_seq(conn, &event.id)?),
                    kind: Some(Kind::Attendee),
                    name: Some(input.name.clone()),
                    company: Some(input.company.clone()),
                    confirmed_at: Some(None),
                    cancelled_at: Some(None),
                    terms_accepted_at: Some(now),
                    ..RegistrationChange::at(now)
                        .status(status)
                        .expires(expires_at)
                };
                change(conn, &old.id, &again)?
            }
            None => insert_row(
                conn,
                cx,
                NewRow {
                    name: input.name.clone(),
                    email: input.email.as_str().to_string(),
                    company: input.company.clone(),
                    status,
                    kind: Kind::Attendee,
                    expires_at,
                },
            )?,
        };
        save_answers(conn, &r.id, &input.answers, existing.is_some())?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::RegistrationCreated,
            "registration",
            &crate::api::repr::RegistrationOut::of(&r),
            cx.now,
        )?;

        if let Some(job) = expiry_job(&r) {
            queue::enqueue(conn, now, job)?;
        }
        send_status_mail(conn, cx, &r)?;
        Ok(if has_seat {
            Outcome::Pending
        } else {
            Outcome::Waiting
        })
    })
}

/// Confirms a pending registration (double opt-in) or accepts an offered seat: the attendee
/// now has a seat, and gets the ticket mail.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn confirm(
    conn: &mut AnyConnection,
    cx: &EventContext,
    token: &str,
) -> AppResult<Registration> {
    let now = cx.now;
    with_event_locked(conn, &cx.event.id, |conn| {
        let r = queries::by_token(conn, &cx.event.id, token)?;
        let refused = |m: &str| Err(AppError::Refused(m.into()));
        match r.status {
            Status::Confirmed => return Ok(r),
            Status::Pending | Status::Offered if r.expires_at.is_none_or(|t| t > now) => {}
            Status::Pending | Status::Offered | Status::Expired => {
                return refused(
                    "This registration expired before it was confirmed. You can register again.",
                )
            }
            Status::Waiting => return refused(
                "You are on the waiting list; you will get a mail when a seat is yours to take.",
            ),
            Status::Cancelled => {
                return refused("This registration was cancelled. You can register again.")
            }
        }
        let confirmed = RegistrationChange {
            confirmed_at: Some(Some(now)),
            ..RegistrationChange::at(now)
                .status(Status::Confirmed)
                .expires(None)
        };
        let r = change(conn, &r.id, &confirmed)?;
        send_status_mail(conn, cx, &r)?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::RegistrationConfirmed,
            "registration",
            &crate::api::repr::RegistrationOut::of(&r),
            cx.now,
        )?;

        Ok(r)
    })
}

/// Offers free seats to the waiting list, first come first served, each offer open for the
/// event's offer time. Call with the event locked.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn fill_seats(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<usize> {
    let free = match cx.event.capacity {
        // Unlimited: everyone waiting gets an offer.
        None => i64::MAX,
        Some(capacity) => i64::from(capacity) - seats_held(conn, &cx.event.id)?,
    };
    if free <= 0 {
        return Ok(0);
    }
    let next = queries::next_waiting(conn, &cx.event.id, free)?;
    let until = cx.now + Duration::hours(i64::from(cx.event.offer_expiry_hours));
    for r in &next {
        let offer = RegistrationChange::at(cx.now)
            .status(Status::Offered)
            .expires(Some(until));
        let r = change(conn, &r.id, &offer)?;
        if let Some(job) = expiry_job(&r) {
            queue::enqueue(conn, cx.now, job)?;
        }
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::WaitinglistOffered,
            "registration",
            &crate::api::repr::RegistrationOut::of(&r),
            cx.now,
        )?;

        send_status_mail(conn, cx, &r)?;
    }
    Ok(next.len())
}

/// Cancels a registration (by the attendee or an organizer) and passes its seat on. Returns it
/// as it was before (nothing happens to one that is over already).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn cancel(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<Registration> {
    with_event_locked(conn, &cx.event.id, |conn| {
        let r = queries::by_id(conn, &cx.event.id, id)?;
        if r.status.is_over() {
            return Ok(r);
        }
        let cancelled = RegistrationChange {
            cancelled_at: Some(Some(cx.now)),
            ..RegistrationChange::at(cx.now)
                .status(Status::Cancelled)
                .expires(None)
        };
        let after = change(conn, &r.id, &cancelled)?;
        send_status_mail(conn, cx, &after)?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::RegistrationCancelled,
            "registration",
            &crate::api::repr::RegistrationOut::of(&after),
            cx.now,
        )?;

        fill_seats(conn, cx)?;
        Ok(r)
    })
}

/// The attendee cancels through their private link.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn cancel_own(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<()> {
    let r = queries::by_token(conn, &cx.event.id, token)?;
    cancel(conn, cx, &r.id).map(|_| ())
}

/// The `registration.expire` job: a pending hold or an offer that ran out frees its seat, which
/// passes to the next person waiting. Does nothing if the registration moved on meanwhile.
pub fn expire(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    registration_id: &str,
) -> AppResult<()> {
    let Some(event_id) = registrations::table
        .find(registration_id)
        .select(registrations::event_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(());
    };
    let event: Event = event_queries::by_id(conn, &event_id)?;
    let cx = EventContext::new(
        event,
        crate::accounts::Actor::system("registration.expire"),
        now,
        mailer.clone(),
    );
    with_event_locked(conn, &cx.event.id, |conn| {
        let r = load(conn, registration_id)?;
        let due = r.expires_at.is_some_and(|t| t <= now);
        if !(matches!(r.status, Status::Pending | Status::Offered) && due) {
            return Ok(());
        }
        let expired = RegistrationChange::at(now)
            .status(Status::Expired)
            .expires(None);
        let r = change(conn, &r.id, &expired)?;
        send_status_mail(conn, &cx, &r)?;
        fill_seats(conn, &cx)?;
        Ok(())
    })
}

/// Stores the real hashes of registrations from before derived links (generation -1): their
/// links are derived from the secret key from now on. Runs on start; does nothing once done.
pub fn rekey_legacy(conn: &mut AnyConnection, secret: &[u8]) -> QueryResult<usize> {
    let ids: Vec<String> = registrations::table
        .filter(registrations::token_generation.eq(-1))
        .select(registrations::id)
        .load(conn)?;
    for id in &ids {
        let (manage, desk) = Registration::token_hashes(secret, id, 0);
        diesel::update(registrations::table.find(id))
            .set((
                registrations::manage_token_hash.eq(manage),
                registrations::desk_token_hash.eq(desk),
                registrations::token_generation.eq(0),
            ))
            .execute(conn)?;
    }
    Ok(ids.len())
}
