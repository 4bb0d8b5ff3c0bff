//! Mail templates: the sample data each kind's preview is rendered from, and the per-event
//! overrides organizers save (checked by rendering before they are stored). The kinds
//! themselves are [`MailKind`]; each has `templates/mail/<kind>/{subject,text,html}.hbs`.

use super::compose::{Mailer, Rendered, Sources};
use super::model::{MailKind, TemplateOverride};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::mail_templates;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use diesel::prelude::*;
use serde_json::{json, Value};

/// Kinds organizers may override per event.
pub fn overridable() -> impl Iterator<Item = MailKind> {
    MailKind::ALL.iter().copied().filter(|k| k.per_event())
}

/// Sample data for previews and for validating an override: the same names the real mail gets.
pub fn sample_context(kind: MailKind, base_url: &str) -> Value {
    let event = json!({
        "name": "devopsdays Ghent 2009",
        "slug": "ghent-2009",
        "url": format!("{base_url}/ghent-2009/"),
        "dates": "30–31 October 2009",
        "starts": "Friday 30 October 2009, 09:00 CET",
        "venue": "Ghent, Belgium",
        "contact_email": "organizers@ghent.example",
        "code_of_conduct_url": "https://ghent.example/conduct",
    });
    let recipient = json!({ "name": "Patrick Debois", "email": "patrick@example.org" });
    let mut ctx =
        json!({ "event": event, "recipient": recipient, "site": { "base_url": base_url } });
    use MailKind::*;
    let extra = match kind {
        PasswordReset => {
            json!({ "link": format!("{base_url}/password/reset/SAMPLE-TOKEN"), "expires": "in 1 hour" })
        }
        TeamInvite => {
            json!({ "link": format!("{base_url}/password/reset/SAMPLE-TOKEN"), "role": "organizer", "invited_by": "Kris Buytaert", "expires": "in 7 days" })
        }
        Test => json!({ "sent_by": "organizer@ghent.example" }),
        CfpSignIn | CfpReceipt | CfpAccepted | CfpRejected | CfpConfirmed | CfpReminder
        | CfpCoSpeaker => json!({
            "submitter": "Rachel Davies",
            "title": "Non-Functional Requirements: do user stories really help?",
            "link": format!("{base_url}/ghent-2009/cfp/confirm/SAMPLE-TOKEN"),
            "proposals_url": format!("{base_url}/ghent-2009/cfp/"),
            "expires": "in 1 hour",
            "closes": "Wednesday 30 September 2009, 23:59 CEST",
            "reminder": 1,
        }),
        RegistrationConfirm
        | RegistrationTicket
        | RegistrationWaiting
        | RegistrationOffer
        | RegistrationCancelled => json!({
            "link": format!("{base_url}/ghent-2009/registration/SAMPLE-TOKEN"),
            "expires": "Tuesday 20 October 2009, 12:00 CEST",
            "position": 3,
            "speaker": false,
        }),
        ScheduleChange => json!({
            "programme_url": format!("{base_url}/ghent-2009/programme/"),
            "changes": [
                { "title": "Building Agile Infrastructures with Puppet", "what": "moved", "when": "Friday 30 October 2009, 11:30 CET", "room": "Main room", "was_when": "Friday 30 October 2009, 10:30 CET", "was_room": "Main room", "url": format!("{base_url}/ghent-2009/talks/sample/") },
                { "title": "Introducing Kanban in operations", "what": "added", "when": "Saturday 31 October 2009, 09:30 CET", "room": "Main room", "url": format!("{base_url}/ghent-2009/talks/sample2/") }
            ]
        }),
        Bulk => json!({}),
        WebhookDisabled => json!({
            "url": "https://hooks.example.org/ghent",
            "since": "Friday 30 October 2009, 09:00 CET",
            "last_error": "connection refused",
            "link": format!("{base_url}/admin/events/ghent-2009/webhooks"),
        }),
        NoticeConfirm | NoticeOpened => json!({
            "link": format!("{base_url}/ghent-2009/notify/SAMPLE-TOKEN"),
            "open_url": format!("{base_url}/ghent-2009/register/"),
            "cfp": false,
        }),
    };
    if let (Some(map), Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        map.extend(extra);
    }
    ctx
}

/// Renders `sources` with the kind's sample data, strictly: what the editor previews and what
/// must succeed before an override is saved. The error names the part and handlebars' message.
pub fn preview(mailer: &Mailer, kind: MailKind, sources: &Sources) -> Result<Rendered, String> {
    mailer.render_sources(sources, &sample_context(kind, &mailer.base_url), true, true)
}

/// The preview an organizer sees: the sample recipient and details, with this event's own
/// name, dates, link and contact (the venue stays the sample's).
pub fn preview_for(
    mailer: &Mailer,
    kind: MailKind,
    sources: &Sources,
    event: &crate::events::Event,
) -> Result<Rendered, String> {
    let mut ctx = sample_context(kind, &mailer.base_url);
    let tz = event.tz();
    let mut own = mailer.event_context(event);
    if let Some(map) = own.as_object_mut() {
        use crate::events::display;
        map.insert(
            "dates".into(),
            json!(display::date_range(event.starts_at, event.ends_at, tz)),
        );
        map.insert(
            "starts".into(),
            json!(display::datetime(event.starts_at, tz)),
        );
        map.insert(
            "code_of_conduct_url".into(),
            json!(event.code_of_conduct_url),
        );
    }
    ctx["event"] = own;
    mailer.render_sources(sources, &ctx, true, true)
}

/// Saves an event's override of `kind` after checking that it renders; an invalid template is
/// refused with handlebars' error on the field it came from, and nothing is saved.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save_override(
    conn: &mut AnyConnection,
    cx: &EventContext,
    kind: MailKind,
    sources: &Sources,
) -> AppResult<()> {
    let (now, mailer, actor, event_id) = (cx.now, &cx.mailer, &cx.actor, cx.event.id.as_str());
    if !kind.per_event() {
        return Err(AppError::NotFound);
    }
    if let Err(e) = preview(mailer, kind, sources) {
        let field = if e.starts_with("Subject") {
            "subject"
        } else if e.starts_with("Text") {
            "text"
        } else {
            "html"
        };
        return Err(AppError::Invalid(FieldErrors::from([(
            field.to_string(),
            format!("Not saved: {e}"),
        )])));
    }
    conn.transaction(|conn| {
        delete_override(conn, event_id, kind)?;
        diesel::insert_into(mail_templates::table)
            .values(TemplateOverride {
                id: new_id(),
                event_id: event_id.to_string(),
                kind,
                subject: sources.subject.clone(),
                text_body: sources.text.clone(),
                html_body: sources.html.clone(),
                updated_at: now,
                updated_by: actor.id.clone(),
            })
            .execute(conn)?;
        audit::note(
            conn,
            cx,
            "mail.template.save",
            ("mail_template", kind.as_str()),
            &format!("Saved the {kind} mail template"),
        )?;
        Ok(())
    })
}

/// Deletes the event's own version of a kind's template, if it has one.
fn delete_override(conn: &mut AnyConnection, event_id: &str, kind: MailKind) -> QueryResult<usize> {
    diesel::delete(
        mail_templates::table
            .filter(mail_templates::event_id.eq(event_id))
            .filter(mail_templates::kind.eq(kind)),
    )
    .execute(conn)
}

/// Removes an event's override: the built-in template applies again.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn reset_override(
    conn: &mut AnyConnection,
    cx: &EventContext,
    kind: MailKind,
) -> AppResult<()> {
    let event_id = cx.event.id.as_str();
    if !kind.per_event() {
        return Err(AppError::NotFound);
    }
    conn.transaction(|conn| {
        delete_override(conn, event_id, kind)?;
        audit::note(
            conn,
            cx,
            "mail.template.reset",
            ("mail_template", kind.as_str()),
            &format!("Went back to the built-in {kind} mail template"),
        )?;
        Ok(())
    })
}

/// Kinds an event has overridden.
pub fn overridden_kinds(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<MailKind>> {
    mail_templates::table
        .filter(mail_templates::event_id.eq(event_id))
        .select(mail_templates::kind)
        .load(conn)
}
