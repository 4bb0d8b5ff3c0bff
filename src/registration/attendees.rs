//! The organizers' side of registration: counts, the attendee list and its CSV, adding someone
//! by hand, cancelling and resending for them, and registrations for the speakers of confirmed
//! talks.

use diesel::prelude::*;
use serde::Serialize;

use super::form::AttendeeInput;
use super::lifecycle::{self, change, insert_row, with_event_locked, NewRow};
use super::model::{Kind, Registration, RegistrationChange, Status};
use super::notices::send_status_mail;
use super::queries::{self, answers_of, by_id, seats_held, ListFilter};
use super::questions;
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{people, registrations, talk_people, talks};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::events::display;
use crate::programme::model::TalkState;

/// Counts per status (and checked in).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Holding a seat until they confirm their address.
    pub pending: i64,
    /// With a seat.
    pub confirmed: i64,
    /// On the waiting list.
    pub waiting: i64,
    /// Offered a freed seat, not yet taken.
    pub offered: i64,
    /// Cancelled by themselves or an organizer.
    pub cancelled: i64,
    /// Let a hold or an offer run out.
    pub expired: i64,
    /// Confirmed and checked in.
    pub checked_in: i64,
    /// Seats of the capacity held by attendees (pending, offered, confirmed).
    pub seats_held: i64,
    /// Speakers' registrations (not cancelled), outside the capacity.
    pub speakers: i64,
}

/// Counts for an event.
pub fn counts(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Counts> {
    let rows: Vec<(Status, i64)> = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .group_by(registrations::status)
        .select((registrations::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut c = Counts::default();
    for (status, n) in rows {
        match status {
            Status::Pending => c.pending = n,
            Status::Confirmed => c.confirmed = n,
            Status::Waiting => c.waiting = n,
            Status::Offered => c.offered = n,
            Status::Cancelled => c.cancelled = n,
            Status::Expired => c.expired = n,
        }
    }
    c.checked_in = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::checked_in_at.is_not_null())
        .count()
        .get_result(conn)?;
    c.seats_held = seats_held(conn, event_id)?;
    c.speakers = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::kind.eq(Kind::Speaker))
        .filter(registrations::status.ne(Status::Cancelled))
        .count()
        .get_result(conn)?;
    Ok(c)
}

/// Adds an attendee by hand: confirmed at once (organizers vouch for them), ticket mailed.
/// Capacity still applies: when full, they join the waiting list.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn add_by_hand(
    conn: &mut AnyConnection,
    cx: &EventContext,
    who: &AttendeeInput,
) -> AppResult<Registration> {
    with_event_locked(conn, &cx.event.id, |conn| {
        if queries::by_email(conn, &cx.event.id, who.email.as_str())?.is_some() {
            return Err(AppError::field(
                "email",
                "This address is registered already.",
            ));
        }
        let held = seats_held(conn, &cx.event.id)?;
        let has_seat = cx.event.capacity.is_none_or(|c| held < i64::from(c));
        let status = if has_seat {
            Status::Confirmed
        } else {
            Status::Waiting
        };
        let row = NewRow {
            name: who.name.clone(),
            email: who.email.as_str().to_string(),
            company: who.company.clone(),
            status,
            kind: Kind::Attendee,
            expires_at: None,
        };
        let r = insert_row(conn, cx, row)?;
        send_status_mail(conn, cx, &r)?;
        crate::webhooks::emit_about(
            conn,
            &cx.event,
            crate::webhooks::EventType::RegistrationCreated,
            "registration",
            &crate::api::repr::RegistrationOut::of(&r),
            cx.now,
        )?;

        record(
            conn,
            cx,
            "registration.add",
            &r.id,
            &format!("Added {} ({})", r.name, r.status),
        )?;
        Ok(r)
    })
}

fn record(
    conn: &mut AnyConnection,
    cx: &EventContext,
    action: &str,
    id: &str,
    summary: &str,
) -> QueryResult<()> {
    audit::note(conn, cx, action, ("registration", id), summary)
}

/// An organizer cancels a registration; its seat passes on. Returns the attendee's name.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn cancel_for(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<String> {
    conn.transaction(|conn| {
        let r = lifecycle::cancel(conn, cx, id)?;
        record(
            conn,
            cx,
            "registration.cancel",
            &r.id,
            &format!("Cancelled {}", r.name),
        )?;
        Ok(r.name)
    })
}

/// An organizer sends the mail that fits the registration's status again. Returns the name.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn resend(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<String> {
    conn.transaction(|conn| {
        let r = by_id(conn, &cx.event.id, id)?;
        send_status_mail(conn, cx, &r)?;
        Ok(r.name)
    })
}

/// What [`register_speakers`] did.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct SpeakerRegistrations {
    /// New speaker registrations.
    pub added: usize,
    /// Registrations that were there already (as an attendee's) and became a speaker's.
    pub changed: usize,
}

/// The people (name, address) of the event's confirmed talks, once each, in programme order.
fn speakers_of_talks(
    conn: &mut AnyConnection,
    event_id: &str,
    only: Option<&[String]>,
) -> QueryResult<Vec<(String, String)>> {
    let mut q = talk_people::table
        .inner_join(talks::table)
        .inner_join(people::table)
        .filter(talks::event_id.eq(event_id))
        .filter(talks::state.eq(TalkState::Confirmed))
        .select((people::name, people::email))
        .order((talks::number, talk_people::position))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(people::id.eq_any(ids.to_vec()));
    }
    let mut seen = std::collections::HashSet::new();
    Ok(q.load::<(String, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(name, email)| {
            let email = email?.to_lowercase();
            let name = if name.trim().is_empty() {
                email.clone()
            } else {
                name
            };
            seen.insert(email.clone()).then_some((name, email))
        })
        .collect())
}

/// Gives the people of the event's confirmed talks (speakers and moderators: all of them, or
/// those in `only`) a speaker's registration: confirmed at once, outside the capacity, the ticket
/// mailed. Someone registered already keeps their registration, which becomes a speaker's, and
/// a seat they held as an attendee passes to the waiting list. A speaker's registration that
/// exists (even cancelled: they said they will not come) is left alone, so running this again
/// changes nothing. People without an email address (from an imported schedule) are skipped.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn register_speakers(
    conn: &mut AnyConnection,
    cx: &EventContext,
    only: Option<&[String]>,
) -> AppResult<SpeakerRegistrations> {
    let speakers = speakers_of_talks(conn, &cx.event.id, only)?;
    with_event_locked(conn, &cx.event.id, |conn| {
        let mut done = SpeakerRegistrations::default();
        for (name, email) in speakers {
            let r = match queries::by_email(conn, &cx.event.id, &email)? {
                Some(r) if r.kind == Kind::Speaker => continue,
                Some(r) => {
                    done.changed += 1;
                    let speaker = RegistrationChange {
                        kind: Some(Kind::Speaker),
                        confirmed_at: Some(Some(r.confirmed_at.unwrap_or(cx.now))),
                        cancelled_at: Some(None),
                        ..RegistrationChange::at(cx.now)
                            .status(Status::Confirmed)
                            .expires(None)
                    };
                    let was_confirmed = r.status == Status::Confirmed;
                    let r = change(conn, &r.id, &speaker)?;
                    // Already confirmed: their ticket is valid as it is.
                    if was_confirmed {
                        continue;
                    }
                    r
                }
                None => {
                    done.added += 1;
                    let row = NewRow {
                        name,
                        email,
                        company: String::new(),
                        status: Status::Confirmed,
                        kind: Kind::Speaker,
                        expires_at: None,
                    };
                    insert_row(conn, cx, row)?
                }
            };
            send_status_mail(conn, cx, &r)?;
        }
        if done.changed > 0 {
            lifecycle::fill_seats(conn, cx)?;
        }
        if done.added + done.changed > 0 {
            let summary = format!(
                "Registered speakers: {} added, {} registrations became speakers'",
                done.added, done.changed
            );
            audit::note(
                conn,
                cx,
                "registration.speakers",
                ("event", &cx.event.id),
                &summary,
            )?;
        }
        Ok(done)
    })
}

/// The attendee list as CSV (with one column per question): every row the list's filter and
/// search show, on all its pages.
pub fn csv(
    conn: &mut AnyConnection,
    cx: &EventContext,
    filter: ListFilter,
    search: Option<&str>,
) -> AppResult<Vec<u8>> {
    let event = &cx.event;
    let qs = questions::of_event(conn, &event.id)?;
    let rows = queries::list(conn, &event.id, filter, search)?;
    let tz = event.tz();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "seq",
        "name",
        "email",
        "company",
        "status",
        "kind",
        "registered",
        "confirmed",
        "checked in",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(qs.iter().map(|q| q.label.clone()));
    let io = |e: csv::Error| AppError::Internal(e.into());
    w.write_record(&header).map_err(io)?;
    let when = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| display::short_datetime(t, tz))
            .unwrap_or_default()
    };
    for r in rows {
        let given = answers_of(conn, &r.id)?;
        let mut record = vec![
            r.seq.to_string(),
            csv_safe(&r.name),
            r.email.clone(),
            csv_safe(&r.company),
            r.status.to_string(),
            r.kind.to_string(),
            display::short_datetime(r.created_at, tz),
            when(r.confirmed_at),
            when(r.checked_in_at),
        ];
        record.extend(qs.iter().map(|q| {
            let answer = given.get(&q.id).cloned().unwrap_or_default();
            csv_safe(&answer.replace('\n', "; "))
        }));
        w.write_record(&record).map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))
}

/// Keeps a spreadsheet from running a typed formula (`=HYPERLINK(…)`): cells that start with
/// a formula character get a leading apostrophe.
pub fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_start_formulas() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("Gene Kim"), "Gene Kim");
    }
}
