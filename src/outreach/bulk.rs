//! Bulk mail: an organizer writes one message to a group (confirmed attendees, the waiting list,
//! all speakers, accepted speakers) with placeholders per recipient, previews it for one
//! recipient, and sends it: a `bulk.expand` job turns it into one outbox row per recipient.
//! Bulk mail carries a signed unsubscribe link and `List-Unsubscribe`; people who unsubscribed
//! from the event's bulk mail are left out.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::context::JobContext;
use crate::db::schema::{
    bulk_mails, people, proposal_speakers, proposals, registrations, talk_people, talks,
};
use crate::db::text_enum;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::mail::compose::{Mailer, Rendered, Sources};
use crate::mail::credentials::{Credential, Sealed};
use crate::mail::outbox::{self, Envelope};
use crate::mail::unsubscribe;
use crate::queue::registry::Job;
use crate::queue::{self, NewItem, Task};
use crate::registration::{Registration, Status};

text_enum! {
    /// Who a bulk mail goes to.
    pub enum Audience {
        /// Attendees whose registration is confirmed.
        ConfirmedAttendees = "confirmed_attendees",
        /// People on the waiting list (including those with an open offer).
        WaitingList = "waiting_list",
        /// Everyone who speaks or moderates, or has an active proposal.
        AllSpeakers = "all_speakers",
        /// Speakers of accepted or confirmed proposals and of programme talks.
        AcceptedSpeakers = "accepted_speakers",
    }
}

impl Audience {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Audience::ConfirmedAttendees => "Confirmed attendees",
            Audience::WaitingList => "Waiting list",
            Audience::AllSpeakers => "All speakers",
            Audience::AcceptedSpeakers => "Accepted speakers",
        }
    }
}

/// One recipient with their placeholders.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Address.
    pub email: String,
    /// As the recipient gave it; `{{name}}` in the mail.
    pub name: String,
    /// Their page: an attendee's private registration page (a credential, sealed into the mail)
    /// or a speaker's public CfP page (where they sign in).
    pub page: PersonalPage,
}

/// Where `{{manage_link}}` leads.
#[derive(Debug, Clone)]
pub enum PersonalPage {
    /// The attendee's private registration page.
    Registration(Credential),
    /// A public page (the speakers' CfP sign-in, or the event for a sample).
    Public(String),
}

/// The recipients of an audience, one per address, in a stable order.
pub fn recipients(
    conn: &mut AnyConnection,
    event: &Event,
    audience: Audience,
    base_url: &str,
) -> QueryResult<Vec<Recipient>> {
    let mut by_email: BTreeMap<String, Recipient> = BTreeMap::new();
    let speaker_link = crate::urls::absolute(base_url, &crate::urls::cfp(&event.slug));
    match audience {
        Audience::ConfirmedAttendees | Audience::WaitingList => {
            let statuses: &[Status] = if audience == Audience::ConfirmedAttendees {
                &[Status::Confirmed]
            } else {
                &[Status::Waiting, Status::Offered]
            };
            let rows: Vec<Registration> = registrations::table
                .filter(registrations::event_id.eq(&event.id))
                .filter(registrations::status.eq_any(statuses.to_vec()))
                .order(registrations::seq)
                .select(Registration::as_select())
                .load(conn)?;
            for r in rows {
                let page = PersonalPage::Registration(r.manage_credential());
                by_email.entry(r.email.clone()).or_insert(Recipient {
                    email: r.email,
                    name: r.name,
                    page,
                });
            }
        }
        Audience::AllSpeakers | Audience::AcceptedSpeakers => {
            use crate::cfp::ProposalState::{Accepted, Confirmed, Submitted};
            let states: &[crate::cfp::ProposalState] = if audience == Audience::AllSpeakers {
                &[Submitted, Accepted, Confirmed]
            } else {
                &[Accepted, Confirmed]
            };
            let from_proposals: Vec<(Option<String>, String)> = proposal_speakers::table
                .inner_join(proposals::table)
                .inner_join(people::table)
                .filter(proposals::event_id.eq(&event.id))
                .filter(proposals::state.eq_any(states.to_vec()))
                .select((people::email, people::name))
                .load(conn)?;
            let from_talks: Vec<(Option<String>, String)> = talk_people::table
                .inner_join(talks::table)
                .inner_join(people::table)
                .filter(talks::event_id.eq(&event.id))
                .filter(talks::state.eq(crate::programme::model::TalkState::Confirmed))
                .select((people::email, people::name))
                .load(conn)?;
            for (email, name) in from_proposals.into_iter().chain(from_talks) {
                if let Some(email) = email {
                    by_email.entry(email.clone()).or_insert(Recipient {
                        email,
                        name,
                        page: PersonalPage::Public(speaker_link.clone()),
                    });
                }
            }
        }
    }
    Ok(by_email.into_values().collect())
}

/// The compose form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    /// Audience name.
    pub audience: String,
    /// Subject (placeholders allowed).
    pub subject: String,
    /// Body, plain text (placeholders allowed).
    pub body: String,
}

/// A parsed, checked form.
#[derive(Debug, Clone)]
pub struct BulkInput {
    /// Who gets it.
    pub audience: Audience,
    /// A handlebars template (placeholders like `{{name}}`).
    pub subject: String,
    /// Plain-text handlebars template; the HTML part is made from it.
    pub body: String,
}

/// Turns the organizer's plain-text body into an HTML template: their text escaped, paragraphs
/// and line breaks kept, `{{manage_link}}` and `{{unsubscribe_url}}` made clickable.
/// Placeholders stay, and handlebars escapes the values put into them.
pub fn html_template_of(body: &str) -> String {
    let escaped = handlebars::html_escape(body).replace("&#x3D;", "=");
    let linked = ["manage_link", "unsubscribe_url"]
        .iter()
        .fold(escaped, |acc, name| {
            acc.replace(
                &format!("{{{{{name}}}}}"),
                &format!("<a href=\"{{{{{name}}}}}\">{{{{{name}}}}}</a>"),
            )
        });
    linked
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", p.trim().replace('\n', "<br>\n")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A bulk message rendered for one recipient: their links are sealed (see
/// [`super::credentials`]), so the outbox and the preview never hold them.
#[derive(Debug, Clone)]
pub struct Personal {
    /// The message, with markers for the recipient's links.
    pub rendered: Rendered,
    /// What the markers stand for.
    pub sealed: Sealed,
    /// The `List-Unsubscribe` URL (with its marker).
    pub unsubscribe_url: String,
}

/// Renders the message for one recipient. `strict` refuses unknown placeholders.
pub fn render_for(
    mailer: &Mailer,
    event: &Event,
    input: &BulkInput,
    recipient: &Recipient,
    strict: bool,
) -> Result<Personal, String> {
    let base_url = &mailer.base_url;
    let mut sealed = Sealed::new();
    let manage_link = match &recipient.page {
        PersonalPage::Registration(credential) => crate::urls::absolute(
            base_url,
            &crate::urls::registration(&event.slug, &sealed.seal(credential.clone())),
        ),
        PersonalPage::Public(url) => url.clone(),
    };
    let unsubscribe = sealed.seal(Credential::Unsubscribe {
        event_id: event.id.clone(),
        email: recipient.email.clone(),
    });
    let unsubscribe_url = crate::urls::absolute(base_url, &crate::urls::unsubscribe(&unsubscribe));
    let ctx = json!({
        "name": recipient.name,
        "email": recipient.email,
        "manage_link": manage_link,
        "unsubscribe_url": unsubscribe_url,
        "event": mailer.event_context(event),
        "recipient": { "name": recipient.name, "email": recipient.email },
        "site": { "base_url": base_url },
    });
    let text = format!("{}\n\n--\nYou receive this because of {}. Unsubscribe from its announcements: {{{{unsubscribe_url}}}}", input.body, event.name);
    let html = format!(
        "{}\n<p class=\"footer\">You receive this because of {}. <a href=\"{{{{unsubscribe_url}}}}\">Unsubscribe</a> from its announcements.</p>",
        html_template_of(&input.body),
        handlebars::html_escape(&event.name)
    );
    let rendered = mailer.render_sources(
        &Sources {
            subject: input.subject.clone(),
            text,
            html,
        },
        &ctx,
        strict,
        false,
    )?;
    Ok(Personal {
        rendered,
        sealed,
        unsubscribe_url,
    })
}

impl Personal {
    /// The message as the organizer previews it: the recipient's links as `•••`.
    pub fn redacted(&self) -> Rendered {
        Rendered {
            subject: self.sealed.redact(&self.rendered.subject),
            text: self.sealed.redact(&self.rendered.text),
            html: self.sealed.redact(&self.rendered.html),
        }
    }
}

/// What the compose page shows before sending: the mail as `recipient` would get it, with
/// their links shown as `•••`.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// `Name <address>` of the recipient.
    pub to: String,
    /// The subject with placeholders filled in.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
}

/// Renders [`Preview`] for `recipient` (usually the [`probe`]).
pub fn preview(
    mailer: &Mailer,
    event: &Event,
    input: &BulkInput,
    recipient: &Recipient,
) -> Result<Preview, String> {
    let rendered = render_for(mailer, event, input, recipient, false)?.redacted();
    Ok(Preview {
        to: format!("{} <{}>", recipient.name, recipient.email),
        subject: rendered.subject,
        text: rendered.text,
    })
}

/// Turns a bulk mail into one queued message per recipient (in the background: an audience
/// may be thousands of people).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpandBulk {
    /// The bulk mail.
    pub bulk_id: String,
}

impl Task for ExpandBulk {
    const KIND: &'static str = "bulk.expand";
}

/// Whether the bulk mail `id` is still being turned into messages.
pub fn expanding(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    queue::pending(conn, &format!("{}:{id}", ExpandBulk::KIND))
}

impl Job<JobContext> for ExpandBulk {
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, cx: &JobContext) -> AppResult<()> {
        expand(conn, now, &cx.mailer, &self.bulk_id).map(drop)
    }
}

/// Whom a draft is previewed and checked for: the audience's first recipient, or a sample one
/// when the audience is empty (or not chosen yet).
pub fn probe(
    conn: &mut AnyConnection,
    event: &Event,
    audience: Option<Audience>,
    base_url: &str,
) -> AppResult<Recipient> {
    let first = match audience {
        Some(a) => recipients(conn, event, a, base_url)?.into_iter().next(),
        None => None,
    };
    Ok(first.unwrap_or_else(|| sample_recipient(base_url, event)))
}

/// A sample recipient for previews when the audience is empty.
pub fn sample_recipient(base_url: &str, event: &Event) -> Recipient {
    Recipient {
        email: "someone@example.org".into(),
        name: "Sam Sample".into(),
        page: PersonalPage::Public(crate::urls::absolute(
            base_url,
            &crate::urls::event(&event.slug),
        )),
    }
}

/// Checks the form: audience known, subject and body present, placeholders valid (rendered
/// strictly for `probe`). Errors per field.
pub fn parse(
    form: &BulkForm,
    mailer: &Mailer,
    event: &Event,
    probe: &Recipient,
) -> Result<BulkInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let audience = Audience::parse(&form.audience);
    if audience.is_none() {
        errors.insert(
            "audience".into(),
            "Choose who receives this message.".into(),
        );
    }
    let subject = crate::values::parse_line(&form.subject, "a subject", 200)
        .map_err(|m| errors.insert("subject".into(), m))
        .ok();
    let body = crate::values::parse_text(&form.body, "the message", 50_000)
        .and_then(|b| {
            if b.is_empty() {
                Err("Please write the message.".to_string())
            } else {
                Ok(b)
            }
        })
        .map_err(|m| errors.insert("body".into(), m))
        .ok();
    let (Some(audience), Some(subject), Some(body)) = (audience, subject, body) else {
        return Err(errors);
    };
    let input = BulkInput {
        audience,
        subject,
        body,
    };
    if let Err(e) = render_for(mailer, event, &input, probe, true) {
        let field = if e.starts_with("Subject") {
            "subject"
        } else {
            "body"
        };
        errors.insert(field.into(), format!("A placeholder is wrong: {e}. Use {{{{name}}}}, {{{{email}}}}, {{{{manage_link}}}} or {{{{event.name}}}}."));
        return Err(errors);
    }
    Ok(input)
}

/// A bulk mail row.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = bulk_mails)]
pub struct BulkMail {
    /// Random UUID; each queued message points back at it.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Who it goes to.
    pub audience: Audience,
    /// Subject template.
    pub subject: String,
    /// Body template.
    pub body: String,
    /// Recipients when it was expanded (0 until then).
    pub recipients: i32,
    /// Author.
    pub created_by: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// Stores the bulk mail and queues the job that expands it. Returns its id.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn create(conn: &mut AnyConnection, cx: &EventContext, input: &BulkInput) -> AppResult<String> {
    conn.transaction(|conn| create_now(conn, cx, input))
}

fn create_now(conn: &mut AnyConnection, cx: &EventContext, input: &BulkInput) -> AppResult<String> {
    let (now, actor, event) = (cx.now, &cx.actor, &cx.event);
    let id = new_id();
    diesel::insert_into(bulk_mails::table)
        .values((
            bulk_mails::id.eq(&id),
            bulk_mails::event_id.eq(&event.id),
            bulk_mails::audience.eq(input.audience),
            bulk_mails::subject.eq(&input.subject),
            bulk_mails::body.eq(&input.body),
            bulk_mails::recipients.eq(0),
            bulk_mails::created_by.eq(&actor.id),
            bulk_mails::created_at.eq(now),
        ))
        .execute(conn)?;
    let expand = ExpandBulk {
        bulk_id: id.clone(),
    };
    let item = NewItem::of(&expand, now).unique(format!("{}:{id}", ExpandBulk::KIND));
    queue::enqueue(conn, now, item)?;
    audit::record(
        conn,
        now,
        actor,
        Change::on(&event.id, "mail.bulk", ("bulk_mail", &id)),
        &format!("Sent “{}” to {}", input.subject, input.audience.label()),
    )?;
    Ok(id)
}

/// Expands a bulk mail into one outbox row per recipient (the `bulk.expand` job). Idempotent:
/// a second run finds rows already there and adds none.
pub fn expand(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    bulk_id: &str,
) -> AppResult<usize> {
    let bulk: BulkMail = bulk_mails::table
        .find(bulk_id)
        .select(BulkMail::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let already: i64 = crate::db::schema::mail_outbox::table
        .filter(crate::db::schema::mail_outbox::bulk_id.eq(bulk_id))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(0);
    }
    let event = crate::events::queries::by_id(conn, &bulk.event_id)?;
    let audience = bulk.audience;
    let input = BulkInput {
        audience,
        subject: bulk.subject.clone(),
        body: bulk.body.clone(),
    };
    let mut queued = 0;
    for r in recipients(conn, &event, audience, &mailer.base_url)? {
        if unsubscribe::is_unsubscribed(conn, &event.id, &r.email)? {
            continue;
        }
        let personal = render_for(mailer, &event, &input, &r, false)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("bulk mail: {e}")))?;
        let reply_to = (!event.contact_email.is_empty()).then_some(event.contact_email.as_str());
        let envelope = Envelope {
            bulk_id: Some(bulk_id),
            list_unsubscribe: Some(&personal.unsubscribe_url),
            ..Envelope::to(crate::mail::model::MailKind::Bulk, &r.email, &r.name)
                .for_event(&event.id, reply_to)
                .about("bulk_mail", bulk_id)
                .sealed(&personal.sealed)
        };
        outbox::enqueue(conn, now, mailer, envelope, personal.rendered, Vec::new())?;
        queued += 1;
    }
    diesel::update(bulk_mails::table.find(bulk_id))
        .set(bulk_mails::recipients.eq(queued as i32))
        .execute(conn)?;
    Ok(queued)
}

/// The bulk mails of an event, newest first.
pub fn list(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<BulkMail>> {
    bulk_mails::table
        .filter(bulk_mails::event_id.eq(event_id))
        .order(bulk_mails::created_at.desc())
        .select(BulkMail::as_select())
        .load(conn)
}

/// One bulk mail of an event.
pub fn get(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<BulkMail> {
    bulk_mails::table
        .find(id)
        .filter(bulk_mails::event_id.eq(event_id))
        .select(BulkMail::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

#[cfg(test)]
mod tests {
    use super::html_template_of;

    #[test]
    fn the_html_template_escapes_the_organizers_text_and_links_placeholders() {
        let t =
            html_template_of("Hi {{name}},\n\n<b>Doors</b> open at 9.\nYour page: {{manage_link}}");
        assert_eq!(t, "<p>Hi {{name}},</p>\n<p>&lt;b&gt;Doors&lt;/b&gt; open at 9.<br>\nYour page: <a href=\"{{manage_link}}\">{{manage_link}}</a></p>");
    }
}
