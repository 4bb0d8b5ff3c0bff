//! Registration rules. Every function that can take or free a seat runs inside
//! [`with_event_locked`], which serializes them per event, so capacity is never exceeded and
//! the waiting list keeps its order even when hundreds register in the same second.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::model::{Answer, Question, Registration, Status};
use super::questions::{self, RawAnswers};
use super::ticket;
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::{answers, events, mail_outbox, people, registrations, talk_people, talks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, queries as event_queries, Event};
use crate::jobs::{self, NewJob};
use crate::mail::credentials::Sealed;
use crate::mail::outbox::Envelope;
use crate::mail::{Mailer, NewAttachment};
use crate::tokens;
use crate::values::{self, EmailAddress};

diesel::define_sql_function! {
    /// SQL `lower()`, the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Runs `f` with the event locked against other registration changes: a row lock on
/// PostgreSQL (`SELECT … FOR UPDATE`), the database's write lock on SQLite (taken at once).
pub fn with_event_locked<T>(
    conn: &mut AnyConnection,
    event_id: &str,
    f: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<T> {
    crate::db::write_transaction(conn, |conn| {
        if let AnyConnection::Postgresql(pg) = conn {
            diesel::sql_query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::Text, _>(event_id)
                .execute(pg)?;
        }
        f(conn)
    })
}

/// Seats of the capacity held (pending, offered, confirmed attendees; speakers are outside it).
pub fn seats_held(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::kind.eq("attendee"))
        .filter(registrations::status.eq_any(Status::HOLDING))
        .count()
        .get_result(conn)
}

/// A registration by its private token.
pub fn by_token(conn: &mut AnyConnection, event_id: &str, token: &str) -> AppResult<Registration> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::manage_token_hash.eq(tokens::hash_token(token)))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// A registration by id.
pub fn by_id(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Registration> {
    registrations::table
        .find(id)
        .filter(registrations::event_id.eq(event_id))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// Position on the waiting list (1 = next), counting those waiting or holding an offer.
pub fn waiting_position(conn: &mut AnyConnection, r: &Registration) -> QueryResult<i64> {
    registrations::table
        .filter(registrations::event_id.eq(&r.event_id))
        .filter(registrations::status.eq("waiting"))
        .filter(registrations::seq.le(r.seq))
        .count()
        .get_result(conn)
}

// ------------------------------------------------------------------ mail

/// The attendee's private link, sealed into a mail.
fn manage_url(mailer: &Mailer, event: &Event, r: &Registration, sealed: &mut Sealed) -> String {
    format!(
        "{}/{}/registration/{}",
        mailer.base_url,
        event.slug,
        sealed.seal(r.manage_credential())
    )
}

/// The URL in the ticket's QR code: the organizers' check-in page for this attendee. It is not
/// the private manage link, so a photographed badge does not open the attendee's page. `token`
/// is the desk token, or a sealed marker for it in mail.
pub fn desk_url(base_url: &str, event: &Event, token: &str) -> String {
    format!("{base_url}/admin/events/{}/desk/{token}", event.slug)
}

/// A registration by its check-in code (the ticket's QR code).
pub fn by_desk_token(
    conn: &mut AnyConnection,
    event_id: &str,
    token: &str,
) -> AppResult<Registration> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::desk_token_hash.eq(tokens::hash_token(token)))
        .select(Registration::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
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

fn context(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    event: &Event,
    r: &Registration,
    sealed: &mut Sealed,
) -> AppResult<Value> {
    let tz = event.tz();
    let venue = match &event.venue_id {
        Some(id) => event_queries::venue(conn, id)?.map(|v| v.name),
        None => None,
    };
    Ok(json!({
        "recipient": { "name": r.name, "email": r.email },
        "event": {
            "name": event.name, "slug": event.slug, "url": format!("{}/{}/", mailer.base_url, event.slug),
            "dates": display::date_range(event.starts_at, event.ends_at, tz), "starts": display::datetime(event.starts_at, tz),
            "venue": venue, "contact_email": event.contact_email, "code_of_conduct_url": event.code_of_conduct_url,
        },
        "site": { "base_url": mailer.base_url },
        "link": manage_url(mailer, event, r, sealed),
        "expires": r.expires_at.map(|t| display::datetime(t, tz)),
        // Only the waiting-list mail shows a position; counting it costs a scan of the list.
        "position": if r.status() == Status::Waiting { waiting_position(conn, r)? } else { 0 },
        "speaker": r.kind == "speaker",
    }))
}

/// Queues the mail that fits the registration's status now (confirmation request, ticket,
/// waiting-list notice, offer, cancellation). Used on every change and by "resend".
pub fn send_status_mail(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    r: &Registration,
) -> AppResult<String> {
    let mut sealed = Sealed::new();
    let ctx = context(conn, mailer, event, r, &mut sealed)?;
    let (kind, attachments) = match r.status() {
        Status::Pending => ("registration_confirm", Vec::new()),
        Status::Confirmed => {
            let venue = ctx["event"]["venue"].as_str().map(str::to_string);
            let desk = sealed.seal(r.desk_credential());
            let attachments = vec![
                NewAttachment::file(
                    &format!("{}.ics", event.slug),
                    "text/calendar; charset=utf-8",
                    ticket::event_ics(event, venue.as_deref(), &mailer.base_url, now).into_bytes(),
                ),
                // Drawn when the mail is sent, so the outbox holds no working check-in code.
                NewAttachment::qr_png("ticket-qr.png", &desk_url(&mailer.base_url, event, &desk)),
            ];
            ("registration_ticket", attachments)
        }
        Status::Waiting => ("registration_waiting", Vec::new()),
        Status::Offered => ("registration_offer", Vec::new()),
        Status::Cancelled | Status::Expired => ("registration_cancelled", Vec::new()),
    };
    let reply_to = (!event.contact_email.is_empty()).then_some(event.contact_email.as_str());
    let envelope = Envelope::to(kind, &r.email, &r.name)
        .for_event(&event.id, reply_to)
        .about("registration", &r.id)
        .sealed(&sealed);
    mailer.queue(conn, now, envelope, &ctx, attachments)
}

// ------------------------------------------------------------------ registering

/// A parsed registration form.
#[derive(Debug, Clone)]
pub struct RegistrationInput {
    /// Name.
    pub name: String,
    /// Email.
    pub email: EmailAddress,
    /// Company.
    pub company: String,
    /// Question id → value.
    pub answers: BTreeMap<String, String>,
}

/// The form as sent: every field, with repeated keys for multiple choice.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistrationForm {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Company.
    pub company: String,
    /// Terms accepted ("on").
    pub accept: String,
    /// Honeypot: people leave it empty.
    pub website: String,
    /// Question id → values.
    pub answers: RawAnswers,
}

impl RegistrationForm {
    /// Builds the form from URL-encoded pairs (`q_<id>` fields are answers).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> RegistrationForm {
        let mut f = RegistrationForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "email" => f.email = v,
                "company" => f.company = v,
                "accept" => f.accept = v,
                "website" => f.website = v,
                _ => {
                    if let Some(id) = k.strip_prefix("q_") {
                        f.answers.entry(id.to_string()).or_default().push(v);
                    }
                }
            }
        }
        f
    }

    /// True when the honeypot field was filled: a bot.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

/// Checks the form; errors per field.
pub fn parse_form(
    form: &RegistrationForm,
    questions: &[Question],
) -> Result<RegistrationInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let name = values::parse_line(&form.name, "your name", 120)
        .map_err(|m| e.insert("name".into(), m))
        .ok();
    let email = EmailAddress::parse(&form.email)
        .map_err(|m| e.insert("email".into(), m))
        .ok();
    let company = values::parse_optional_line(&form.company, "the company", 120)
        .map_err(|m| e.insert("company".into(), m))
        .ok();
    if form.accept.trim().is_empty() {
        e.insert(
            "accept".into(),
            "Please accept the code of conduct and the privacy note.".into(),
        );
    }
    let answers = match questions::check_answers(questions, &form.answers) {
        Ok(a) => Some(a),
        Err(errors) => {
            e.extend(errors);
            None
        }
    };
    match (name, email, company, answers) {
        (Some(name), Some(email), Some(company), Some(answers)) if e.is_empty() => {
            Ok(RegistrationInput {
                name,
                email,
                company,
                answers,
            })
        }
        _ => Err(e),
    }
}

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

fn save_answers(
    conn: &mut AnyConnection,
    registration_id: &str,
    answers: &BTreeMap<String, String>,
    replace: bool,
) -> QueryResult<()> {
    if replace {
        diesel::delete(answers::table.filter(answers::registration_id.eq(registration_id)))
            .execute(conn)?;
    }
    for (question, value) in answers {
        diesel::insert_into(answers::table)
            .values(Answer {
                id: new_id(),
                registration_id: registration_id.to_string(),
                question_id: question.clone(),
                value: value.clone(),
            })
            .execute(conn)?;
    }
    Ok(())
}

fn expiry_job(r: &Registration) -> Option<NewJob> {
    r.expires_at.map(|due| {
        NewJob::new(
            "registration.expire",
            json!({ "registration_id": r.id }),
            due,
        )
        .unique(format!("registration.expire:{}:{}", r.id, r.status))
    })
}

fn load(conn: &mut AnyConnection, id: &str) -> QueryResult<Registration> {
    registrations::table
        .find(id)
        .select(Registration::as_select())
        .first(conn)
}

/// The next arrival number of an event (call with the event locked).
fn next_seq(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    Ok(registrations::table
        .filter(registrations::event_id.eq(event_id))
        .select(diesel::dsl::max(registrations::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 1)
}

/// A registration to insert; the rest (id, tokens, arrival number, times) is filled in.
struct NewRow<'a> {
    event_id: &'a str,
    name: String,
    email: String,
    company: String,
    status: Status,
    kind: &'static str,
    expires_at: Option<NaiveDateTime>,
}

/// Inserts a new registration at the end of the line (call with the event locked).
fn insert_row(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    secret: &[u8],
    row: NewRow<'_>,
) -> QueryResult<Registration> {
    let id = new_id();
    let (manage_token_hash, desk_token_hash) = Registration::token_hashes(secret, &id, 0);
    let r = Registration {
        id,
        event_id: row.event_id.to_string(),
        seq: next_seq(conn, row.event_id)?,
        name: row.name,
        email: row.email,
        company: row.company,
        status: row.status.as_str().into(),
        manage_token_hash,
        desk_token_hash,
        expires_at: row.expires_at,
        confirmed_at: (row.status == Status::Confirmed).then_some(now),
        checked_in_at: None,
        cancelled_at: None,
        terms_accepted_at: now,
        created_at: now,
        updated_at: now,
        kind: row.kind.into(),
        token_generation: 0,
    };
    diesel::insert_into(registrations::table)
        .values(&r)
        .execute(conn)?;
    Ok(r)
}

/// Registers someone (registration must be open). Pending with a seat while there are seats,
/// else on the waiting list; an address already registered gets its mail again instead.
pub fn register(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    input: &RegistrationInput,
) -> AppResult<Outcome> {
    if !event.registration_open(now) {
        return Err(AppError::BadRequest("Registration is not open.".into()));
    }
    with_event_locked(conn, &event.id, |conn| {
        let existing = registrations::table
            .filter(registrations::event_id.eq(&event.id))
            .filter(registrations::email.eq(input.email.as_str()))
            .select(Registration::as_select())
            .first(conn)
            .optional()?;
        if let Some(r) = &existing {
            if !matches!(r.status(), Status::Cancelled | Status::Expired) {
                send_status_mail(conn, now, mailer, event, r)?;
                return Ok(Outcome::Resent);
            }
        }
        let held = seats_held(conn, &event.id)?;
        let has_seat = event.capacity.is_none_or(|c| held < i64::from(c));
        let (status, expires_at) = if has_seat {
            (
                Status::Pending,
                Some(now + Duration::hours(i64::from(event.pending_expiry_hours))),
            )
        } else {
            (Status::Waiting, None)
        };
        let id = match &existing {
            // Someone who cancelled (or let a hold expire) may register again, at the end of the
            // line, as an attendee: through the form everyone needs one of the seats (a speaker
            // who cancelled gets a speaker's registration again from the organizers).
            Some(old) => {
                diesel::update(registrations::table.find(&old.id))
                    .set((
                        registrations::seq.eq(next_seq(conn, &event.id)?),
                        registrations::kind.eq("attendee"),
                        registrations::name.eq(&input.name),
                        registrations::company.eq(&input.company),
                        registrations::status.eq(status.as_str()),
                        registrations::expires_at.eq(expires_at),
                        registrations::confirmed_at.eq(None::<NaiveDateTime>),
                        registrations::cancelled_at.eq(None::<NaiveDateTime>),
                        registrations::terms_accepted_at.eq(now),
                        registrations::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                old.id.clone()
            }
            None => {
                insert_row(
                    conn,
                    now,
                    mailer.secret(),
                    NewRow {
                        event_id: &event.id,
                        name: input.name.clone(),
                        email: input.email.as_str().to_string(),
                        company: input.company.clone(),
                        status,
                        kind: "attendee",
                        expires_at,
                    },
                )?
                .id
            }
        };
        save_answers(conn, &id, &input.answers, existing.is_some())?;
        let r = load(conn, &id)?;
        if let Some(job) = expiry_job(&r) {
            jobs::schedule(conn, now, job)?;
        }
        send_status_mail(conn, now, mailer, event, &r)?;
        Ok(if has_seat {
            Outcome::Pending
        } else {
            Outcome::Waiting
        })
    })
}

/// Confirms a pending registration (double opt-in) or accepts an offered seat: the attendee
/// now has a seat, and gets the ticket mail.
pub fn confirm(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    token: &str,
) -> AppResult<Registration> {
    with_event_locked(conn, &event.id, |conn| {
        let r = by_token(conn, &event.id, token)?;
        match r.status() {
            Status::Confirmed => return Ok(r),
            Status::Pending | Status::Offered if r.expires_at.is_none_or(|t| t > now) => {}
            Status::Pending | Status::Offered | Status::Expired => {
                return Err(AppError::Conflict(
                    "This registration expired before it was confirmed. You can register again."
                        .into(),
                ))
            }
            Status::Waiting => return Err(AppError::Conflict(
                "You are on the waiting list; you will get a mail when a seat is yours to take."
                    .into(),
            )),
            Status::Cancelled => {
                return Err(AppError::Conflict(
                    "This registration was cancelled. You can register again.".into(),
                ))
            }
        }
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::status.eq("confirmed"),
                registrations::confirmed_at.eq(Some(now)),
                registrations::expires_at.eq(None::<NaiveDateTime>),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        let r = load(conn, &r.id)?;
        send_status_mail(conn, now, mailer, event, &r)?;
        Ok(r)
    })
}

/// Offers free seats to the waiting list, first come first served, each offer open for the
/// event's offer time. Call with the event locked.
pub fn fill_seats(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
) -> AppResult<usize> {
    let Some(capacity) = event.capacity else {
        // Unlimited: everyone waiting gets an offer.
        return offer_next(conn, now, mailer, event, i64::MAX);
    };
    let free = i64::from(capacity) - seats_held(conn, &event.id)?;
    if free <= 0 {
        return Ok(0);
    }
    offer_next(conn, now, mailer, event, free)
}

fn offer_next(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    n: i64,
) -> AppResult<usize> {
    let next: Vec<Registration> = registrations::table
        .filter(registrations::event_id.eq(&event.id))
        .filter(registrations::status.eq("waiting"))
        .order(registrations::seq)
        .limit(n)
        .select(Registration::as_select())
        .load(conn)?;
    let until = now + Duration::hours(i64::from(event.offer_expiry_hours));
    for r in &next {
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::status.eq("offered"),
                registrations::expires_at.eq(Some(until)),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        let r = load(conn, &r.id)?;
        if let Some(job) = expiry_job(&r) {
            jobs::schedule(conn, now, job)?;
        }
        send_status_mail(conn, now, mailer, event, &r)?;
    }
    Ok(next.len())
}

/// Cancels a registration (by the attendee or an organizer) and passes its seat on.
pub fn cancel(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    r: &Registration,
) -> AppResult<()> {
    with_event_locked(conn, &event.id, |conn| {
        let r = load(conn, &r.id)?;
        if matches!(r.status(), Status::Cancelled | Status::Expired) {
            return Ok(());
        }
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::status.eq("cancelled"),
                registrations::cancelled_at.eq(Some(now)),
                registrations::expires_at.eq(None::<NaiveDateTime>),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        let r = load(conn, &r.id)?;
        send_status_mail(conn, now, mailer, event, &r)?;
        fill_seats(conn, now, mailer, event)?;
        Ok(())
    })
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
    let event = event_queries::by_id(conn, &event_id)?;
    with_event_locked(conn, &event.id, |conn| {
        let r = load(conn, registration_id)?;
        let due = r.expires_at.is_some_and(|t| t <= now);
        if !(matches!(r.status(), Status::Pending | Status::Offered) && due) {
            return Ok(());
        }
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::status.eq("expired"),
                registrations::expires_at.eq(None::<NaiveDateTime>),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        let r = load(conn, &r.id)?;
        send_status_mail(conn, now, mailer, &event, &r)?;
        fill_seats(conn, now, mailer, &event)?;
        Ok(())
    })
}

/// Changes an attendee's answers (self-service).
pub fn update_answers(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    token: &str,
    raw: &RawAnswers,
    name: &str,
    company: &str,
) -> AppResult<()> {
    let r = by_token(conn, &event.id, token)?;
    let qs = questions::of_event(conn, &event.id)?;
    let mut e = FieldErrors::new();
    let name = values::parse_line(name, "your name", 120)
        .map_err(|m| e.insert("name".into(), m))
        .ok();
    let company = values::parse_optional_line(company, "the company", 120)
        .map_err(|m| e.insert("company".into(), m))
        .ok();
    let answers = questions::check_answers(&qs, raw)
        .map_err(|errors| e.extend(errors))
        .ok();
    let (Some(name), Some(company), Some(answers), true) = (name, company, answers, e.is_empty())
    else {
        return Err(AppError::Invalid(e));
    };
    conn.transaction(|conn| {
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::name.eq(&name),
                registrations::company.eq(&company),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        save_answers(conn, &r.id, &answers, true)?;
        Ok(())
    })
}

/// Answers of a registration: question id → value.
pub fn answers_of(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> QueryResult<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = answers::table
        .filter(answers::registration_id.eq(registration_id))
        .select((answers::question_id, answers::value))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Everything Ghent keeps about an attendee, as JSON (the "download my data" button).
pub fn export_data(conn: &mut AnyConnection, event: &Event, r: &Registration) -> AppResult<Value> {
    let qs = questions::of_event(conn, &event.id)?;
    let answers = answers_of(conn, &r.id)?;
    let mails: Vec<(String, String, String, NaiveDateTime)> = mail_outbox::table
        .filter(mail_outbox::entity_type.eq("registration"))
        .filter(mail_outbox::entity_id.eq(&r.id))
        .order(mail_outbox::created_at)
        .select((
            mail_outbox::kind,
            mail_outbox::subject,
            mail_outbox::status,
            mail_outbox::created_at,
        ))
        .load(conn)?;
    Ok(json!({
        "event": { "name": event.name, "slug": event.slug },
        "registration": r,
        "answers": qs.iter().map(|q| json!({ "question": q.label, "answer": answers.get(&q.id).cloned().unwrap_or_default() })).collect::<Vec<_>>(),
        "mail": mails.into_iter().map(|(kind, subject, status, at)| json!({ "kind": kind, "subject": subject, "status": status, "queued_at": at })).collect::<Vec<_>>(),
    }))
}

fn redact_mail(conn: &mut AnyConnection, registration_ids: &[String]) -> QueryResult<usize> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::entity_type.eq("registration"))
            .filter(mail_outbox::entity_id.eq_any(registration_ids)),
    )
    .set((
        mail_outbox::recipient_email.eq("erased@invalid"),
        mail_outbox::recipient_name.eq(""),
        mail_outbox::subject.eq("[erased]"),
        mail_outbox::text_body.eq("[erased]"),
        mail_outbox::html_body.eq("[erased]"),
        // Nothing left to deliver.
        mail_outbox::status.eq("dead"),
        mail_outbox::last_error.eq(Some("personal data erased")),
    ))
    .filter(mail_outbox::status.ne("sent"))
    .execute(conn)?;
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::entity_type.eq("registration"))
            .filter(mail_outbox::entity_id.eq_any(registration_ids))
            .filter(mail_outbox::status.eq("sent")),
    )
    .set((
        mail_outbox::recipient_email.eq("erased@invalid"),
        mail_outbox::recipient_name.eq(""),
        mail_outbox::subject.eq("[erased]"),
        mail_outbox::text_body.eq("[erased]"),
        mail_outbox::html_body.eq("[erased]"),
    ))
    .execute(conn)
}

/// Erases an attendee (self-service): the registration, answers and the text of their mail.
/// A seat they held passes on.
pub fn erase(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    event: &Event,
    token: &str,
) -> AppResult<()> {
    with_event_locked(conn, &event.id, |conn| {
        let r = by_token(conn, &event.id, token)?;
        redact_mail(conn, std::slice::from_ref(&r.id))?;
        diesel::delete(registrations::table.find(&r.id)).execute(conn)?;
        fill_seats(conn, now, mailer, event)?;
        Ok(())
    })
}

/// Deletes every attendee's personal data of an event (retention, or an organizer's button).
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
        redact_mail(conn, &ids)?;
        let n = diesel::delete(registrations::table.filter(registrations::event_id.eq(&event.id)))
            .execute(conn)?;
        diesel::update(events::table.find(&event.id))
            .set(events::purged_at.eq(Some(now)))
            .execute(conn)?;
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&event.id),
                action: "registration.purge",
                entity_type: "event",
                entity_id: Some(&event.id),
            },
            &format!("Deleted the personal data of {n} attendees"),
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

// ------------------------------------------------------------------ organizers

/// Counts per status (and checked in).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Pending.
    pub pending: i64,
    /// Confirmed.
    pub confirmed: i64,
    /// Waiting.
    pub waiting: i64,
    /// Offered.
    pub offered: i64,
    /// Cancelled.
    pub cancelled: i64,
    /// Expired.
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
    let rows: Vec<(String, i64)> = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .group_by(registrations::status)
        .select((registrations::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut c = Counts::default();
    for (status, n) in rows {
        match status.as_str() {
            "pending" => c.pending = n,
            "confirmed" => c.confirmed = n,
            "waiting" => c.waiting = n,
            "offered" => c.offered = n,
            "cancelled" => c.cancelled = n,
            _ => c.expired = n,
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
        .filter(registrations::kind.eq("speaker"))
        .filter(registrations::status.ne("cancelled"))
        .count()
        .get_result(conn)?;
    Ok(c)
}

/// The attendee list, filtered by status (`checked_in` and `speaker` are filters too) and a
/// search over name and email, in arrival order.
pub fn list(
    conn: &mut AnyConnection,
    event_id: &str,
    status: Option<&str>,
    search: Option<&str>,
) -> QueryResult<Vec<Registration>> {
    let mut q = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .order(registrations::seq)
        .select(Registration::as_select())
        .into_boxed();
    match status {
        Some("checked_in") => q = q.filter(registrations::checked_in_at.is_not_null()),
        Some("speaker") => q = q.filter(registrations::kind.eq("speaker")),
        Some(s) => q = q.filter(registrations::status.eq(s.to_string())),
        None => {}
    }
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        // lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
        let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
        q = q.filter(
            lower(registrations::name)
                .like(pattern.clone())
                .or(lower(registrations::email).like(pattern)),
        );
    }
    q.load(conn)
}

/// An attendee added by an organizer, as typed.
#[derive(Debug, Clone, Copy)]
pub struct NewAttendee<'a> {
    /// Name.
    pub name: &'a str,
    /// Email.
    pub email: &'a str,
    /// Company.
    pub company: &'a str,
}

/// Adds an attendee by hand: confirmed at once (organizers vouch for them), ticket mailed.
/// Capacity still applies: when full, they join the waiting list.
pub fn add_by_hand(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    actor: &Actor,
    event: &Event,
    who: NewAttendee<'_>,
) -> AppResult<Registration> {
    let mut e = FieldErrors::new();
    let name = values::parse_line(who.name, "a name", 120)
        .map_err(|m| e.insert("name".into(), m))
        .ok();
    let email = EmailAddress::parse(who.email)
        .map_err(|m| e.insert("email".into(), m))
        .ok();
    let company = values::parse_optional_line(who.company, "the company", 120)
        .map_err(|m| e.insert("company".into(), m))
        .ok();
    let (Some(name), Some(email), Some(company)) = (name, email, company) else {
        return Err(AppError::Invalid(e));
    };
    with_event_locked(conn, &event.id, |conn| {
        let exists: bool = diesel::select(diesel::dsl::exists(
            registrations::table
                .filter(registrations::event_id.eq(&event.id))
                .filter(registrations::email.eq(email.as_str())),
        ))
        .get_result(conn)?;
        if exists {
            return Err(AppError::field(
                "email",
                "This address is registered already.",
            ));
        }
        let held = seats_held(conn, &event.id)?;
        let has_seat = event.capacity.is_none_or(|c| held < i64::from(c));
        let r = insert_row(
            conn,
            now,
            mailer.secret(),
            NewRow {
                event_id: &event.id,
                name,
                email: email.into_inner(),
                company,
                status: if has_seat {
                    Status::Confirmed
                } else {
                    Status::Waiting
                },
                kind: "attendee",
                expires_at: None,
            },
        )?;
        send_status_mail(conn, now, mailer, event, &r)?;
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&event.id),
                action: "registration.add",
                entity_type: "registration",
                entity_id: Some(&r.id),
            },
            &format!("Added {} ({})", r.name, r.status),
        )?;
        Ok(r)
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

/// Gives the people of the event's confirmed talks (speakers and moderators: all of them, or
/// those in `only`) a speaker's registration: confirmed at once, outside the capacity, the ticket
/// mailed. Someone registered already keeps their registration, which becomes a speaker's, and
/// a seat they held as an attendee passes to the waiting list. A speaker's registration that
/// exists (even cancelled: they said they will not come) is left alone, so running this again
/// changes nothing. People without an email address (from an imported schedule) are skipped.
pub fn register_speakers(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    actor: &Actor,
    event: &Event,
    only: Option<&[String]>,
) -> AppResult<SpeakerRegistrations> {
    let mut q = talk_people::table
        .inner_join(talks::table)
        .inner_join(people::table)
        .filter(talks::event_id.eq(&event.id))
        .filter(talks::state.eq("confirmed"))
        .select((people::name, people::email))
        .order((talks::number, talk_people::position))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(people::id.eq_any(ids.to_vec()));
    }
    let mut seen = std::collections::HashSet::new();
    let speakers: Vec<(String, String)> = q
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(name, email)| {
            let email = email?.to_lowercase();
            seen.insert(email.clone()).then(|| {
                (
                    if name.trim().is_empty() {
                        email.clone()
                    } else {
                        name
                    },
                    email,
                )
            })
        })
        .collect();
    with_event_locked(conn, &event.id, |conn| {
        let mut done = SpeakerRegistrations::default();
        for (name, email) in speakers {
            let existing = registrations::table
                .filter(registrations::event_id.eq(&event.id))
                .filter(registrations::email.eq(&email))
                .select(Registration::as_select())
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(r) if r.kind == "speaker" => continue,
                Some(r) => {
                    diesel::update(registrations::table.find(&r.id))
                        .set((
                            registrations::kind.eq("speaker"),
                            registrations::status.eq("confirmed"),
                            registrations::confirmed_at.eq(Some(r.confirmed_at.unwrap_or(now))),
                            registrations::expires_at.eq(None::<NaiveDateTime>),
                            registrations::cancelled_at.eq(None::<NaiveDateTime>),
                            registrations::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    done.changed += 1;
                    // Already confirmed: their ticket is valid as it is.
                    if r.status() == Status::Confirmed {
                        continue;
                    }
                    r.id
                }
                None => {
                    done.added += 1;
                    insert_row(
                        conn,
                        now,
                        mailer.secret(),
                        NewRow {
                            event_id: &event.id,
                            name,
                            email,
                            company: String::new(),
                            status: Status::Confirmed,
                            kind: "speaker",
                            expires_at: None,
                        },
                    )?
                    .id
                }
            };
            let r = load(conn, &id)?;
            send_status_mail(conn, now, mailer, event, &r)?;
        }
        if done.changed > 0 {
            fill_seats(conn, now, mailer, event)?;
        }
        if done.added + done.changed > 0 {
            audit::record(
                conn,
                now,
                actor,
                Change {
                    event_id: Some(&event.id),
                    action: "registration.speakers",
                    entity_type: "event",
                    entity_id: Some(&event.id),
                },
                &format!(
                    "Registered speakers: {} added, {} registrations became speakers'",
                    done.added, done.changed
                ),
            )?;
        }
        Ok(done)
    })
}

/// What a check-in did.
#[derive(Debug, Clone, Serialize)]
pub struct CheckIn {
    /// The attendee.
    pub registration: Registration,
    /// When they had already been checked in (a warning), if so.
    pub already: Option<NaiveDateTime>,
}

/// Checks a confirmed attendee in (by desk token or id); a second check-in changes nothing and
/// says when the first was.
pub fn check_in(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    desk_token: Option<&str>,
    id: Option<&str>,
) -> AppResult<CheckIn> {
    conn.transaction(|conn| {
        let mut q = registrations::table
            .filter(registrations::event_id.eq(&event.id))
            .select(Registration::as_select())
            .into_boxed();
        if let Some(t) = desk_token {
            q = q.filter(registrations::desk_token_hash.eq(tokens::hash_token(t)));
        } else if let Some(i) = id {
            q = q.filter(registrations::id.eq(i.to_string()));
        } else {
            return Err(AppError::NotFound);
        }
        let r: Registration = q.first(conn).map_err(AppError::from_lookup)?;
        if r.status() != Status::Confirmed {
            return Err(AppError::Conflict(format!(
                "{} is not confirmed ({}): no check-in.",
                r.name, r.status
            )));
        }
        if let Some(at) = r.checked_in_at {
            return Ok(CheckIn {
                registration: r,
                already: Some(at),
            });
        }
        diesel::update(registrations::table.find(&r.id))
            .set((
                registrations::checked_in_at.eq(Some(now)),
                registrations::updated_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(&event.id),
                action: "registration.check_in",
                entity_type: "registration",
                entity_id: Some(&r.id),
            },
            &format!("Checked in {}", r.name),
        )?;
        Ok(CheckIn {
            registration: load(conn, &r.id)?,
            already: None,
        })
    })
}

/// The attendee list as CSV (with one column per question).
pub fn csv(conn: &mut AnyConnection, event: &Event) -> AppResult<Vec<u8>> {
    let qs = questions::of_event(conn, &event.id)?;
    let rows = list(conn, &event.id, None, None)?;
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
    for r in rows {
        let answers = answers_of(conn, &r.id)?;
        let mut record = vec![
            r.seq.to_string(),
            csv_safe(&r.name),
            r.email.clone(),
            csv_safe(&r.company),
            r.status.clone(),
            r.kind.clone(),
            display::short_datetime(r.created_at, tz),
            r.confirmed_at
                .map(|t| display::short_datetime(t, tz))
                .unwrap_or_default(),
            r.checked_in_at
                .map(|t| display::short_datetime(t, tz))
                .unwrap_or_default(),
        ];
        record.extend(qs.iter().map(|q| {
            csv_safe(
                &answers
                    .get(&q.id)
                    .cloned()
                    .unwrap_or_default()
                    .replace('\n', "; "),
            )
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

    #[test]
    fn the_form_collects_repeated_answers_and_spots_bots() {
        let f = RegistrationForm::from_pairs(vec![
            ("name".into(), "A".into()),
            ("q_1".into(), "ops".into()),
            ("q_1".into(), "dev".into()),
            ("website".into(), "http://spam".into()),
        ]);
        assert_eq!(f.answers["1"], vec!["ops", "dev"]);
        assert!(f.is_bot());
    }
}
