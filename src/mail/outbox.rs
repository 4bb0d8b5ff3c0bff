//! Writing mail into the outbox, in the caller's transaction, each message with the queue item
//! of its delivery ([`DeliverMail`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::compose::{one_line, Mailer, Rendered};
use super::credentials::{Credential, Sealed};
use super::model::{AttachmentRow, MailKind, NewAttachment, OutboxMail, Status};
use crate::db::schema::{mail_attachments, mail_outbox};
use crate::db::{new_id, AnyConnection};
use crate::queue::{self, NewItem, Task};

/// Who a mail goes to and what it is about.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// The event, if any (its templates, its mail log, its Reply-To).
    pub event_id: Option<&'a str>,
    /// Mail kind.
    pub kind: MailKind,
    /// Recipient address (already validated).
    pub to_email: &'a str,
    /// Recipient name.
    pub to_name: &'a str,
    /// Reply-To, e.g. the organizers' contact address.
    pub reply_to: Option<&'a str>,
    /// (entity type, id) the mail is about.
    pub entity: Option<(&'a str, &'a str)>,
    /// The bulk mail it belongs to.
    pub bulk_id: Option<&'a str>,
    /// List-Unsubscribe URL (bulk mail only).
    pub list_unsubscribe: Option<&'a str>,
    /// The credentials the rendered text carries as markers (none: `None`).
    pub credentials: Option<&'a Sealed>,
}

impl<'a> Envelope<'a> {
    /// A transactional mail to one person.
    pub fn to(kind: MailKind, to_email: &'a str, to_name: &'a str) -> Envelope<'a> {
        Envelope {
            event_id: None,
            kind,
            to_email,
            to_name,
            reply_to: None,
            entity: None,
            bulk_id: None,
            list_unsubscribe: None,
            credentials: None,
        }
    }

    /// The credentials sealed into the mail's context (see [`super::credentials`]).
    pub fn sealed(mut self, credentials: &'a Sealed) -> Envelope<'a> {
        self.credentials = Some(credentials).filter(|c| !c.is_empty());
        self
    }

    /// A mail to one person about an event, replying to the event's contact address.
    pub fn about_event(
        kind: MailKind,
        to_email: &'a str,
        to_name: &'a str,
        event: &'a crate::events::Event,
    ) -> Envelope<'a> {
        Envelope::to(kind, to_email, to_name).for_event(&event.id, Some(&event.contact_email))
    }

    /// The same, for an event.
    pub fn for_event(mut self, event_id: &'a str, reply_to: Option<&'a str>) -> Envelope<'a> {
        self.event_id = Some(event_id);
        self.reply_to = reply_to.filter(|r| !r.is_empty());
        self
    }

    /// What the mail is about.
    pub fn about(mut self, entity_type: &'a str, entity_id: &'a str) -> Envelope<'a> {
        self.entity = Some((entity_type, entity_id));
        self
    }
}

/// The delivery of one outbox row: the queue item the mail lane ([`super::worker`]) claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverMail {
    /// The outbox row.
    pub mail_id: String,
}

impl Task for DeliverMail {
    const KIND: &'static str = "mail.deliver";
    const PRIORITY: i32 = 10;
    const MAX_ATTEMPTS: i32 = 8;
}

impl DeliverMail {
    /// The unique key of a row's delivery: one waiting item per message.
    pub fn key(mail_id: &str) -> String {
        format!("{}:{mail_id}", Self::KIND)
    }
}

/// The priority of bulk mail: after everything someone is waiting for.
pub const BULK_PRIORITY: i32 = 0;

/// A name safe for a header: no line breaks or control characters.
pub fn header_safe(s: &str) -> String {
    one_line(s)
}

/// Inserts a rendered mail (and its attachments) as `queued`, due now. Returns its id.
pub fn enqueue(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    envelope: Envelope<'_>,
    rendered: Rendered,
    attachments: Vec<NewAttachment>,
) -> QueryResult<String> {
    let id = new_id();
    let row = OutboxMail {
        id: id.clone(),
        event_id: envelope.event_id.map(str::to_string),
        kind: envelope.kind,
        recipient_email: header_safe(envelope.to_email),
        recipient_name: header_safe(envelope.to_name),
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        message_id: format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            mailer.message_id_domain
        ),
        reply_to: envelope.reply_to.map(header_safe),
        list_unsubscribe: envelope.list_unsubscribe.map(str::to_string),
        entity_type: envelope.entity.map(|(t, _)| t.to_string()),
        entity_id: envelope.entity.map(|(_, i)| i.to_string()),
        bulk_id: envelope.bulk_id.map(str::to_string),
        status: Status::Queued,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        sent_at: None,
        credentials: envelope
            .credentials
            .map(Sealed::to_column)
            .unwrap_or_default(),
    };
    diesel::insert_into(mail_outbox::table)
        .values(&row)
        .execute(conn)?;
    // Its delivery waits in the queue; mail someone waits for goes before bulk mail.
    let priority = if envelope.bulk_id.is_some() {
        BULK_PRIORITY
    } else {
        DeliverMail::PRIORITY
    };
    let item = NewItem::of(
        &DeliverMail {
            mail_id: id.clone(),
        },
        now,
    )
    .unique(DeliverMail::key(&id))
    .priority(priority);
    queue::enqueue(conn, now, item)?;
    for (position, a) in attachments.into_iter().enumerate() {
        diesel::insert_into(mail_attachments::table)
            .values(AttachmentRow {
                id: new_id(),
                mail_id: id.clone(),
                filename: header_safe(&a.filename),
                content_type: a.content_type,
                content: a.content,
                position: position as i32,
                render: a.render.to_string(),
            })
            .execute(conn)?;
    }
    Ok(id)
}

/// Queues a copy of a mail as a new message (new Message-ID): an organizer's "resend". Sign-in
/// links in it are issued anew and the old ones revoked, so a link that reached the wrong hands
/// dies; derived links (an attendee's private page, a confirm link) are the same as before.
pub fn resend(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    original: &OutboxMail,
) -> QueryResult<String> {
    let attachments: Vec<AttachmentRow> = mail_attachments::table
        .filter(mail_attachments::mail_id.eq(&original.id))
        .order(mail_attachments::position)
        .select(AttachmentRow::as_select())
        .load(conn)?;
    let sealed = original.sealed();
    let mut renewed = Vec::with_capacity(sealed.items().len());
    for credential in sealed.items() {
        renewed.push(match credential {
            Credential::Link {
                kind: crate::tokens::LinkKind::SignIn,
                id,
                ..
            } => match crate::links::reissue(conn, mailer.secret(), now, id)? {
                Some(new_id) => Credential::sign_in(&new_id),
                None => credential.clone(),
            },
            other => other.clone(),
        });
    }
    let sealed = sealed.with_items(renewed);
    let envelope = Envelope {
        event_id: original.event_id.as_deref(),
        kind: original.kind,
        to_email: &original.recipient_email,
        to_name: &original.recipient_name,
        reply_to: original.reply_to.as_deref(),
        entity: original
            .entity_type
            .as_deref()
            .zip(original.entity_id.as_deref()),
        bulk_id: original.bulk_id.as_deref(),
        list_unsubscribe: original.list_unsubscribe.as_deref(),
        credentials: Some(&sealed),
    };
    let rendered = Rendered {
        subject: original.subject.clone(),
        text: original.text_body.clone(),
        html: original.html_body.clone(),
    };
    let attachments = attachments
        .into_iter()
        .map(|a| NewAttachment {
            filename: a.filename,
            content_type: a.content_type,
            content: a.content,
            render: if a.render == super::model::RENDER_QR_PNG {
                super::model::RENDER_QR_PNG
            } else {
                ""
            },
        })
        .collect();
    enqueue(conn, now, mailer, envelope, rendered, attachments)
}

/// Puts a dead (or failed) mail back in the queue with a fresh set of attempts.
pub fn retry(conn: &mut AnyConnection, now: NaiveDateTime, id: &str) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let n = diesel::update(
            mail_outbox::table
                .find(id)
                .filter(mail_outbox::status.eq_any([Status::Dead, Status::Failed])),
        )
        .set((
            mail_outbox::status.eq(Status::Queued),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
        if n > 0 && queue::revive(conn, now, &DeliverMail::key(id))? == 0 {
            // No item to revive (it was cleaned up): queue a new one.
            let item = NewItem::of(
                &DeliverMail {
                    mail_id: id.to_string(),
                },
                now,
            )
            .unique(DeliverMail::key(id));
            queue::enqueue(conn, now, item)?;
        }
        Ok(n)
    })
}

/// An organizer's resend of one message of their event: a new message (see [`resend`]), in the
/// audit log. Returns the new message's id.
pub fn resend_for(
    conn: &mut AnyConnection,
    cx: &crate::context::EventContext,
    id: &str,
) -> crate::error::AppResult<String> {
    conn.transaction(|conn| {
        let original = super::queries::of_event(conn, &cx.event.id, id)?;
        let new_id = resend(conn, cx.now, &cx.mailer, &original)?;
        let to = original.recipient_email.clone();
        let summary = format!("Resent “{}” to {to}", original.redacted().subject);
        crate::audit::note(conn, cx, "mail.resend", ("mail", &new_id), &summary)?;
        Ok(new_id)
    })
}

/// An organizer puts a dead or failed message of their event back in the queue.
pub fn retry_for(
    conn: &mut AnyConnection,
    cx: &crate::context::EventContext,
    id: &str,
) -> crate::error::AppResult<()> {
    super::queries::of_event(conn, &cx.event.id, id)?;
    retry(conn, cx.now, id)?;
    Ok(())
}

/// A test message to the organizer who asked for it, through the same outbox and transport as
/// every other mail.
pub fn queue_test(
    conn: &mut AnyConnection,
    cx: &crate::context::EventContext,
    to: &str,
    name: &str,
) -> crate::error::AppResult<String> {
    let mailer = &cx.mailer;
    let ctx = serde_json::json!({
        "sent_by": to,
        "recipient": { "name": name, "email": to },
        "event": mailer.event_context(&cx.event),
        "site": { "base_url": mailer.base_url },
    });
    let envelope = Envelope::about_event(MailKind::Test, to, name, &cx.event);
    mailer.queue(conn, cx.now, envelope, &ctx, Vec::new())
}
