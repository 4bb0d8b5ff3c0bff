//! The mail a registration's status calls for: the confirmation request, the ticket (with the
//! event's `.ics` and the check-in QR code), the waiting-list notice, an offer, a cancellation.

use serde_json::{json, Value};

use super::model::{Kind, Registration, Status};
use super::queries::waiting_position;
use super::ticket;
use crate::context::EventContext;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::{display, queries as event_queries};
use crate::mail::credentials::Sealed;
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::mail::NewAttachment;
use crate::urls;

/// The template data of a registration's mail; its private link is sealed into `sealed`.
fn context(
    conn: &mut AnyConnection,
    cx: &EventContext,
    r: &Registration,
    sealed: &mut Sealed,
) -> AppResult<Value> {
    let (event, base) = (&cx.event, &cx.mailer.base_url);
    let tz = event.tz();
    let venue = match &event.venue_id {
        Some(id) => event_queries::venue(conn, id)?.map(|v| v.name),
        None => None,
    };
    let link = urls::registration(&event.slug, &sealed.seal(r.manage_credential()));
    Ok(json!({
        "recipient": { "name": r.name, "email": r.email },
        "event": {
            "name": event.name, "slug": event.slug, "url": urls::absolute(base, &urls::event(&event.slug)),
            "dates": display::date_range(event.starts_at, event.ends_at, tz), "starts": display::datetime(event.starts_at, tz),
            "venue": venue, "contact_email": event.contact_email, "code_of_conduct_url": event.code_of_conduct_url,
        },
        "site": { "base_url": base },
        "link": urls::absolute(base, &link),
        "expires": r.expires_at.map(|t| display::datetime(t, tz)),
        // Only the waiting-list mail shows a position; counting it costs a scan of the list.
        "position": if r.status == Status::Waiting { waiting_position(conn, r)? } else { 0 },
        "speaker": r.kind == Kind::Speaker,
    }))
}

/// Queues the mail that fits the registration's status now. Used on every change and by
/// "resend"; returns the outbox id.
pub fn send_status_mail(
    conn: &mut AnyConnection,
    cx: &EventContext,
    r: &Registration,
) -> AppResult<String> {
    let (event, mailer) = (&cx.event, &cx.mailer);
    let mut sealed = Sealed::new();
    let ctx = context(conn, cx, r, &mut sealed)?;
    let (kind, attachments) = match r.status {
        Status::Pending => (MailKind::RegistrationConfirm, Vec::new()),
        Status::Confirmed => {
            let venue = ctx["event"]["venue"].as_str().map(str::to_string);
            let desk = sealed.seal(r.desk_credential());
            let ics = ticket::event_ics(event, venue.as_deref(), &mailer.base_url, cx.now);
            let attachments = vec![
                NewAttachment::file(
                    &format!("{}.ics", event.slug),
                    "text/calendar; charset=utf-8",
                    ics.into_bytes(),
                ),
                // Drawn when the mail is sent, so the outbox holds no working check-in code.
                NewAttachment::qr_png(
                    "ticket-qr.png",
                    &urls::absolute(
                        &mailer.base_url,
                        &urls::admin::desk_ticket(&event.slug, &desk),
                    ),
                ),
            ];
            (MailKind::RegistrationTicket, attachments)
        }
        Status::Waiting => (MailKind::RegistrationWaiting, Vec::new()),
        Status::Offered => (MailKind::RegistrationOffer, Vec::new()),
        Status::Cancelled | Status::Expired => (MailKind::RegistrationCancelled, Vec::new()),
    };
    let reply_to = (!event.contact_email.is_empty()).then_some(event.contact_email.as_str());
    let envelope = Envelope::to(kind, &r.email, &r.name)
        .for_event(&event.id, reply_to)
        .about("registration", &r.id)
        .sealed(&sealed);
    mailer.queue(conn, cx.now, envelope, &ctx, attachments)
}
