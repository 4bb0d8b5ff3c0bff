//! The catalogue of mail kinds: what each is for, whether it is transactional, and the sample
//! data its preview is rendered from. Each kind has `templates/mail/<kind>/{subject,text,html}.hbs`.

use super::compose::{Mailer, Rendered, Sources};
use super::model::TemplateOverride;
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::mail_templates;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

/// One kind of mail.
#[derive(Debug, Clone, Copy)]
pub struct MailKind {
    /// Folder name under `templates/mail/`.
    pub name: &'static str,
    /// What it is, for the template editor.
    pub description: &'static str,
    /// Transactional mail (tickets, confirmations) carries no unsubscribe link.
    pub transactional: bool,
    /// Whether organizers may override it per event.
    pub per_event: bool,
}

/// Every kind of mail Ghent sends.
pub const KINDS: &[MailKind] = &[
    MailKind {
        name: "test",
        description: "Test message sent from the admin to check delivery",
        transactional: true,
        per_event: false,
    },
    MailKind {
        name: "password_reset",
        description: "Link to set a new organizer password",
        transactional: true,
        per_event: false,
    },
    MailKind {
        name: "team_invite",
        description: "Invitation to an event's team, with a link to set a password",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "schedule_change",
        description: "To a speaker whose talk was added, moved or cancelled in a new release",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "registration_confirm",
        description: "Asks a new registrant to confirm their address (double opt-in)",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "registration_ticket",
        description: "The ticket: private page link, QR code and calendar file",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "registration_waiting",
        description: "Tells a registrant they are on the waiting list, with their place",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "registration_offer",
        description: "Offers a freed seat to the next person waiting, with a deadline",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "registration_cancelled",
        description: "Confirms that a registration was cancelled or expired",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_sign_in",
        description: "A speaker's single-use sign-in link to the call for papers",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_receipt",
        description: "Receipt of a submitted proposal",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_accepted",
        description: "Acceptance, with the link to confirm or decline",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_rejected",
        description: "Rejection of a proposal",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_confirmed",
        description: "Thanks a speaker for confirming: the proposal is a talk now",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "cfp_reminder",
        description: "Reminds an accepted speaker who has not confirmed",
        transactional: true,
        per_event: true,
    },
    MailKind {
        name: "bulk",
        description: "A message an organizer wrote to a group",
        transactional: false,
        per_event: false,
    },
];

/// Looks a kind up by name.
pub fn kind(name: &str) -> Option<&'static MailKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Kinds organizers may override per event.
pub fn overridable() -> impl Iterator<Item = &'static MailKind> {
    KINDS.iter().filter(|k| k.per_event)
}

/// Sample data for previews and for validating an override: the same names the real mail gets.
pub fn sample_context(kind: &str, base_url: &str) -> Value {
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
    let extra = match kind {
        "password_reset" => {
            json!({ "link": format!("{base_url}/password/reset/SAMPLE-TOKEN"), "expires": "in 1 hour" })
        }
        "team_invite" => {
            json!({ "link": format!("{base_url}/password/reset/SAMPLE-TOKEN"), "role": "organizer", "invited_by": "Kris Buytaert", "expires": "in 7 days" })
        }
        "test" => json!({ "sent_by": "organizer@ghent.example" }),
        "cfp_sign_in" | "cfp_receipt" | "cfp_accepted" | "cfp_rejected" | "cfp_confirmed"
        | "cfp_reminder" => json!({
            "title": "Non-Functional Requirements: do user stories really help?",
            "link": format!("{base_url}/ghent-2009/cfp/confirm/SAMPLE-TOKEN"),
            "proposals_url": format!("{base_url}/ghent-2009/cfp/"),
            "expires": "in 1 hour",
            "closes": "Wednesday 30 September 2009, 23:59 CEST",
            "reminder": 1,
        }),
        "registration_confirm"
        | "registration_ticket"
        | "registration_waiting"
        | "registration_offer"
        | "registration_cancelled" => json!({
            "link": format!("{base_url}/ghent-2009/registration/SAMPLE-TOKEN"),
            "expires": "Tuesday 20 October 2009, 12:00 CEST",
            "position": 3,
            "speaker": false,
        }),
        "schedule_change" => json!({
            "programme_url": format!("{base_url}/ghent-2009/programme/"),
            "changes": [
                { "title": "Building Agile Infrastructures with Puppet", "what": "moved", "when": "Friday 30 October 2009, 11:30 CET", "room": "Main room", "was_when": "Friday 30 October 2009, 10:30 CET", "was_room": "Main room", "url": format!("{base_url}/ghent-2009/talks/sample/") },
                { "title": "Introducing Kanban in operations", "what": "added", "when": "Saturday 31 October 2009, 09:30 CET", "room": "Main room", "url": format!("{base_url}/ghent-2009/talks/sample2/") }
            ]
        }),
        _ => json!({}),
    };
    if let (Some(map), Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        map.extend(extra);
    }
    ctx
}

/// Renders `sources` with the kind's sample data, strictly: what the editor previews and what
/// must succeed before an override is saved. The error names the part and handlebars' message.
pub fn preview(mailer: &Mailer, kind: &str, sources: &Sources) -> Result<Rendered, String> {
    mailer.render_sources(sources, &sample_context(kind, &mailer.base_url), true, true)
}

/// Saves an event's override of `kind` after checking that it renders; an invalid template is
/// refused with handlebars' error on the field it came from, and nothing is saved.
pub fn save_override(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    actor: &Actor,
    event_id: &str,
    kind_name: &str,
    sources: &Sources,
) -> AppResult<()> {
    let kind = kind(kind_name)
        .filter(|k| k.per_event)
        .ok_or(AppError::NotFound)?;
    if let Err(e) = preview(mailer, kind.name, sources) {
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
        diesel::delete(
            mail_templates::table
                .filter(mail_templates::event_id.eq(event_id))
                .filter(mail_templates::kind.eq(kind.name)),
        )
        .execute(conn)?;
        diesel::insert_into(mail_templates::table)
            .values(TemplateOverride {
                id: new_id(),
                event_id: event_id.to_string(),
                kind: kind.name.to_string(),
                subject: sources.subject.clone(),
                text_body: sources.text.clone(),
                html_body: sources.html.clone(),
                updated_at: now,
                updated_by: actor.id.clone(),
            })
            .execute(conn)?;
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(event_id),
                action: "mail.template.save",
                entity_type: "mail_template",
                entity_id: Some(kind.name),
            },
            &format!("Saved the {} mail template", kind.name),
        )?;
        Ok(())
    })
}

/// Removes an event's override: the built-in template applies again.
pub fn reset_override(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event_id: &str,
    kind_name: &str,
) -> AppResult<()> {
    let kind = kind(kind_name)
        .filter(|k| k.per_event)
        .ok_or(AppError::NotFound)?;
    conn.transaction(|conn| {
        diesel::delete(
            mail_templates::table
                .filter(mail_templates::event_id.eq(event_id))
                .filter(mail_templates::kind.eq(kind.name)),
        )
        .execute(conn)?;
        audit::record(
            conn,
            now,
            actor,
            Change {
                event_id: Some(event_id),
                action: "mail.template.reset",
                entity_type: "mail_template",
                entity_id: Some(kind.name),
            },
            &format!("Went back to the built-in {} mail template", kind.name),
        )?;
        Ok(())
    })
}

/// Kinds an event has overridden.
pub fn overridden_kinds(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<String>> {
    mail_templates::table
        .filter(mail_templates::event_id.eq(event_id))
        .select(mail_templates::kind)
        .load(conn)
}
