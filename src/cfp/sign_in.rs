//! Speakers sign in to the call for papers by a mailed link: no password, a single-use link
//! that lasts an hour, at most five per hour per address.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use super::queries::person;
use crate::context::EventContext;
use crate::db::schema::people;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};
use crate::links::{self, Purpose};
use crate::mail::credentials::{Credential, Sealed};
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::programme::model::Person;
use crate::urls;
use crate::values::EmailAddress;

/// The person with this (normalised) email, created without a name if new.
pub fn person_for(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
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
    let p = Person::bare("", Some(email.as_str().to_string()), now);
    diesel::insert_into(people::table)
        .values(&p)
        .execute(conn)?;
    Ok(p)
}

/// Mails a sign-in link (single use, one hour) to `email`, creating their speaker profile if
/// needed. At most five links per hour per address; the page answers the same either way.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn request(conn: &mut AnyConnection, cx: &EventContext, email: &EmailAddress) -> AppResult<()> {
    let (now, mailer, event) = (cx.now, &cx.mailer, &cx.event);
    conn.transaction(|conn| {
        let p = person_for(conn, now, email)?;
        let hour_ago = now - Duration::hours(1);
        if links::issued_since(conn, Purpose::SpeakerSignIn, &p.id, hour_ago)? >= 5 {
            return Ok(());
        }
        let ttl = Duration::hours(1);
        let issued = links::issue(
            conn,
            mailer.secret(),
            now,
            Purpose::SpeakerSignIn,
            &p.id,
            Some(&event.id),
            ttl,
        )?;
        let mut sealed = Sealed::new();
        let link = urls::cfp_sign_in(&event.slug, &sealed.seal(Credential::sign_in(&issued.id)));
        let ctx = json!({
            "recipient": { "name": p.name, "email": email.as_str() },
            "event": mailer.event_context(event),
            "site": { "base_url": mailer.base_url },
            "link": urls::absolute(&mailer.base_url, &link),
            "expires": "in 1 hour",
        });
        let envelope = Envelope::about_event(MailKind::CfpSignIn, email.as_str(), &p.name, event)
            .about("person", &p.id)
            .sealed(&sealed);
        mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
        Ok(())
    })
}

/// Whether a sign-in link is still good (it stays unused).
pub fn link_valid(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<bool> {
    Ok(links::peek(conn, cx.now, Purpose::SpeakerSignIn, token)?.is_some())
}

/// Uses a sign-in link: the person it was for, or a refusal if it is used, expired or unknown.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn sign_in(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<Person> {
    let link = links::consume(conn, cx.now, Purpose::SpeakerSignIn, token)?.ok_or_else(|| {
        AppError::Refused(
            "This sign-in link has expired or was already used. Ask for a new one.".into(),
        )
    })?;
    person(conn, &link.subject_id)
}
