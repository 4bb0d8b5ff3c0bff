//! "Tell me when it opens": visitors leave an address on an event (usually from the home of
//! the event before it, which names it as its successor) and hear once when its registration
//! opens and once when its call for papers opens. Double opt-in: nothing but the confirmation
//! request goes out until the link in it is followed. The link is derived from the secret key
//! (the table keeps its hash); it also leaves the list, which deletes the row. The mails carry
//! a one-click unsubscribe header too, and the event's personal-data purge deletes the list.
//!
//! The announcement is a queue job due when the window opens, queued (unique per event, window
//! and opening time) when a subscription is confirmed and whenever the event is saved; when it
//! runs it mails every confirmed subscriber not yet told, and marks them in the same
//! transaction, so each is told once however often the job is queued or retried.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::{EventContext, JobContext};
use crate::db::schema::{events, notice_subscriptions};
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::{display, Event};
use crate::mail::credentials::{Credential, Sealed};
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::queue::registry::Job;
use crate::queue::{self, NewItem, Task};
use crate::tokens::{self, LinkKind};
use crate::urls;
use crate::values::EmailAddress;

/// Which window opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Registration.
    Registration,
    /// The call for papers.
    Cfp,
}

fn credential(id: &str) -> Credential {
    Credential::Link {
        kind: LinkKind::NoticeSubscription,
        id: id.to_string(),
        generation: 0,
    }
}

fn mail_context(
    cx_event: &Event,
    base: &str,
    link: &str,
    window: Option<Window>,
) -> serde_json::Value {
    let tz = cx_event.tz();
    let open_url = match window {
        Some(Window::Cfp) => urls::cfp(&cx_event.slug),
        _ => urls::register(&cx_event.slug),
    };
    json!({
        "event": { "name": cx_event.name, "slug": cx_event.slug, "dates": display::date_range(cx_event.starts_at, cx_event.ends_at, tz), "url": urls::absolute(base, &urls::event(&cx_event.slug)) },
        "site": { "base_url": base },
        "link": urls::absolute(base, link),
        "open_url": urls::absolute(base, &open_url),
        "cfp": window == Some(Window::Cfp),
    })
}

/// Leaves an address on the event's list (unconfirmed) and mails the confirmation request.
/// The answer is the same whether the address was on the list already or not, so the form
/// does not tell strangers who subscribed.
pub fn subscribe(conn: &mut AnyConnection, cx: &EventContext, email: &str) -> AppResult<()> {
    let email = EmailAddress::parse(email)
        .map_err(|m| AppError::Invalid(FieldErrors::from([("email".to_string(), m)])))?;
    write_transaction(conn, |conn| {
        let existing: Option<(String, Option<NaiveDateTime>)> = notice_subscriptions::table
            .filter(notice_subscriptions::event_id.eq(&cx.event.id))
            .filter(notice_subscriptions::email.eq(email.as_str()))
            .select((notice_subscriptions::id, notice_subscriptions::confirmed_at))
            .first(conn)
            .optional()?;
        let id = match existing {
            Some((_, Some(_))) => return Ok(()),
            Some((id, None)) => id,
            None => {
                let id = new_id();
                diesel::insert_into(notice_subscriptions::table)
                    .values((
                        notice_subscriptions::id.eq(&id),
                        notice_subscriptions::event_id.eq(&cx.event.id),
                        notice_subscriptions::email.eq(email.as_str()),
                        notice_subscriptions::token_hash.eq(tokens::derived_hash(
                            cx.mailer.secret(),
                            LinkKind::NoticeSubscription,
                            &id,
                            0,
                        )),
                        notice_subscriptions::created_at.eq(cx.now),
                    ))
                    .execute(conn)?;
                id
            }
        };
        let mut sealed = Sealed::new();
        let link = urls::notice(&cx.event.slug, &sealed.seal(credential(&id)));
        let ctx = mail_context(&cx.event, &cx.mailer.base_url, &link, None);
        let envelope = Envelope::to(MailKind::NoticeConfirm, email.as_str(), "")
            .for_event(&cx.event.id, None)
            .about("notice_subscription", &id)
            .sealed(&sealed);
        cx.mailer.queue(conn, cx.now, envelope, &ctx, Vec::new())?;
        Ok(())
    })
}

/// A subscription by the token of its link: (id, confirmed).
pub fn by_token(
    conn: &mut AnyConnection,
    event_id: &str,
    token: &str,
) -> AppResult<(String, bool)> {
    let row: (String, Option<NaiveDateTime>) = notice_subscriptions::table
        .filter(notice_subscriptions::event_id.eq(event_id))
        .filter(notice_subscriptions::token_hash.eq(tokens::hash_token(token)))
        .select((notice_subscriptions::id, notice_subscriptions::confirmed_at))
        .first(conn)
        .map_err(AppError::from_lookup)?;
    Ok((row.0, row.1.is_some()))
}

/// Confirms a subscription, and queues the announcements.
pub fn confirm(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let (id, _) = by_token(conn, &cx.event.id, token)?;
        diesel::update(
            notice_subscriptions::table
                .find(&id)
                .filter(notice_subscriptions::confirmed_at.is_null()),
        )
        .set(notice_subscriptions::confirmed_at.eq(Some(cx.now)))
        .execute(conn)?;
        schedule(conn, &cx.event, cx.now)?;
        Ok(())
    })
}

/// Leaves the list: the row is deleted.
pub fn leave(conn: &mut AnyConnection, cx: &EventContext, token: &str) -> AppResult<()> {
    let (id, _) = by_token(conn, &cx.event.id, token)?;
    diesel::delete(notice_subscriptions::table.find(&id)).execute(conn)?;
    Ok(())
}

/// Deletes an event's whole list (its personal-data purge, or an organizer's button).
pub fn erase_list(conn: &mut AnyConnection, event_id: &str) -> QueryResult<usize> {
    diesel::delete(notice_subscriptions::table.filter(notice_subscriptions::event_id.eq(event_id)))
        .execute(conn)
}

/// How many addresses are on the list: (confirmed, waiting for confirmation).
pub fn counts(conn: &mut AnyConnection, event_id: &str) -> QueryResult<(i64, i64)> {
    let all: i64 = notice_subscriptions::table
        .filter(notice_subscriptions::event_id.eq(event_id))
        .count()
        .get_result(conn)?;
    let confirmed: i64 = notice_subscriptions::table
        .filter(notice_subscriptions::event_id.eq(event_id))
        .filter(notice_subscriptions::confirmed_at.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((confirmed, all - confirmed))
}

/// The job that announces an opened window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnnounceOpening {
    /// The event.
    pub event_id: String,
    /// Which window.
    pub window: Window,
}

impl Task for AnnounceOpening {
    const KIND: &'static str = "notice.announce";
}

/// Queues the announcements of the event's windows, due when each opens (now, if open).
pub fn schedule(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> QueryResult<()> {
    for (window, opens) in [
        (Window::Registration, event.registration_opens_at),
        (Window::Cfp, event.cfp_opens_at),
    ] {
        let Some(opens) = opens else { continue };
        let job = AnnounceOpening {
            event_id: event.id.clone(),
            window,
        };
        let key = format!(
            "{}:{}:{window:?}:{}",
            AnnounceOpening::KIND,
            event.id,
            opens.and_utc().timestamp()
        );
        queue::enqueue(conn, now, NewItem::of(&job, opens.max(now)).unique(key))?;
    }
    Ok(())
}

impl Job<JobContext> for AnnounceOpening {
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, cx: &JobContext) -> AppResult<()> {
        write_transaction(conn, |conn| {
            let Some(event) = events::table
                .find(&self.event_id)
                .select(Event::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(());
            };
            let open = match self.window {
                Window::Registration => event.registration_open(now),
                Window::Cfp => event.cfp_open(now),
            };
            if !open {
                // Not open (any more, or yet: a later opening time has a job of its own).
                return Ok(());
            }
            let waiting = notice_subscriptions::table
                .filter(notice_subscriptions::event_id.eq(&event.id))
                .filter(notice_subscriptions::confirmed_at.is_not_null())
                .select((notice_subscriptions::id, notice_subscriptions::email));
            let due: Vec<(String, String)> = match self.window {
                Window::Registration => waiting
                    .filter(notice_subscriptions::registration_sent_at.is_null())
                    .load(conn)?,
                Window::Cfp => waiting
                    .filter(notice_subscriptions::cfp_sent_at.is_null())
                    .load(conn)?,
            };
            for (id, email) in due {
                let row = notice_subscriptions::table.find(&id);
                match self.window {
                    Window::Registration => diesel::update(row)
                        .set(notice_subscriptions::registration_sent_at.eq(Some(now)))
                        .execute(conn)?,
                    Window::Cfp => diesel::update(row)
                        .set(notice_subscriptions::cfp_sent_at.eq(Some(now)))
                        .execute(conn)?,
                };
                if crate::mail::unsubscribe::is_unsubscribed(conn, &event.id, &email)? {
                    continue;
                }
                let mut sealed = Sealed::new();
                let link = urls::notice(&event.slug, &sealed.seal(credential(&id)));
                let unsubscribe = urls::absolute(
                    &cx.mailer.base_url,
                    &urls::unsubscribe(&sealed.seal(Credential::Unsubscribe {
                        event_id: event.id.clone(),
                        email: email.clone(),
                    })),
                );
                let ctx = mail_context(&event, &cx.mailer.base_url, &link, Some(self.window));
                let envelope = Envelope {
                    list_unsubscribe: Some(&unsubscribe),
                    ..Envelope::to(MailKind::NoticeOpened, &email, "")
                        .for_event(&event.id, None)
                        .about("notice_subscription", &id)
                        .sealed(&sealed)
                };
                cx.mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
            }
            Ok(())
        })
    }
}
