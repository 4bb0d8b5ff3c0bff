//! Rendering mail: the kind's templates (or the event's override) on the shared layout, as a
//! one-line subject, a text part and an HTML part.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use handlebars::{no_escape, Handlebars};
use serde_json::Value;

use super::model::{MailKind, TemplateOverride};
use super::outbox::{self, Envelope};
use super::NewAttachment;
use crate::db::schema::mail_templates;
use crate::db::AnyConnection;
use crate::embedded::TemplateFiles;
use crate::error::{AppError, AppResult};

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The text part (layout included).
    pub text: String,
    /// The HTML part (layout included).
    pub html: String,
}

/// Template sources for one kind: the built-in files or an organizer's override.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Subject template.
    pub subject: String,
    /// Text body template.
    pub text: String,
    /// HTML body template.
    pub html: String,
}

/// Renders and queues mail. Cheap to clone; held by the app state and passed to domain code.
#[derive(Clone)]
pub struct Mailer {
    html: Arc<Handlebars<'static>>,
    text: Arc<Handlebars<'static>>,
    /// Public base URL, for links.
    pub base_url: String,
    /// Domain part of Message-IDs.
    pub message_id_domain: String,
    secret: Arc<Vec<u8>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn source_of(path: &str) -> AppResult<String> {
    let file = TemplateFiles::get(path)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("missing mail template {path}")))?;
    String::from_utf8(file.data.into_owned())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{path}: {e}")))
}

impl Mailer {
    /// Loads the mail templates. `secret` keys the unsubscribe links.
    pub fn new(base_url: &str, secret: &[u8]) -> AppResult<Mailer> {
        let mut html = Handlebars::new();
        let mut text = Handlebars::new();
        html.set_prevent_indent(true);
        text.set_prevent_indent(true);
        // Subjects and text parts are not HTML: escaping would turn "R&D" into "R&amp;D".
        text.register_escape_fn(no_escape);
        for file in TemplateFiles::iter().filter(|f| f.starts_with("mail/")) {
            let name = file.trim_end_matches(".hbs").to_string();
            let source = source_of(&file)?;
            let registry = if name.ends_with("/html") || name.ends_with("layout.html") {
                &mut html
            } else {
                &mut text
            };
            registry
                .register_template_string(&name, source)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("mail template {name}: {e}")))?;
        }
        let domain = base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("ghent.invalid")
            .to_string();
        Ok(Mailer {
            html: Arc::new(html),
            text: Arc::new(text),
            base_url: base_url.to_string(),
            message_id_domain: domain,
            secret: Arc::new(secret.to_vec()),
        })
    }

    /// The site's secret key: unsubscribe links are signed with it and derived links' tokens
    /// computed from it.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The `event` part of every mail's template data: name, slug, public link, contact.
    pub fn event_context(&self, event: &crate::events::Event) -> Value {
        let url = crate::urls::absolute(&self.base_url, &crate::urls::event(&event.slug));
        serde_json::json!({ "name": event.name, "slug": event.slug, "url": url, "contact_email": event.contact_email })
    }

    /// The built-in sources of a kind.
    pub fn builtin(&self, kind: MailKind) -> AppResult<Sources> {
        Ok(Sources {
            // A subject is one line; the file's final newline would end up in the form's input.
            subject: source_of(&format!("mail/{kind}/subject.hbs"))?
                .trim_end()
                .to_string(),
            text: source_of(&format!("mail/{kind}/text.hbs"))?,
            html: source_of(&format!("mail/{kind}/html.hbs"))?,
        })
    }

    /// The sources used for `kind` on an event: its override if it has one, else the built-in.
    pub fn sources(
        &self,
        conn: &mut AnyConnection,
        event_id: Option<&str>,
        kind: MailKind,
    ) -> AppResult<(Sources, bool)> {
        if let Some(event_id) = event_id {
            let found = mail_templates::table
                .filter(mail_templates::event_id.eq(event_id))
                .filter(mail_templates::kind.eq(kind))
                .select(TemplateOverride::as_select())
                .first(conn)
                .optional()?;
            if let Some(o) = found {
                return Ok((
                    Sources {
                        subject: o.subject,
                        text: o.text_body,
                        html: o.html_body,
                    },
                    true,
                ));
            }
        }
        Ok((self.builtin(kind)?, false))
    }

    /// Renders sources with a context. `strict` makes unknown names an error (used to check an
    /// organizer's override before it is saved). Errors carry handlebars' message.
    pub fn render_sources(
        &self,
        sources: &Sources,
        ctx: &Value,
        strict: bool,
        sanitize_html: bool,
    ) -> Result<Rendered, String> {
        let (text_reg, html_reg);
        let (text, html): (&Handlebars<'static>, &Handlebars<'static>) = if strict {
            let mut t = (*self.text).clone();
            t.set_strict_mode(true);
            let mut h = (*self.html).clone();
            h.set_strict_mode(true);
            text_reg = t;
            html_reg = h;
            (&text_reg, &html_reg)
        } else {
            (&self.text, &self.html)
        };
        let subject = text
            .render_template(&sources.subject, ctx)
            .map_err(|e| describe("Subject", &e))?;
        let text_body = text
            .render_template(&sources.text, ctx)
            .map_err(|e| describe("Text", &e))?;
        let mut html_body = html
            .render_template(&sources.html, ctx)
            .map_err(|e| describe("HTML", &e))?;
        if sanitize_html {
            // An organizer's HTML is cleaned like any other user HTML: formatting stays, scripts go.
            html_body = ammonia::clean(&html_body);
        }
        self.wrap(ctx, subject, text_body, html_body)
    }

    /// Renders a built-in kind from the templates compiled at start (no parsing per message).
    fn render_builtin(&self, kind: MailKind, ctx: &Value) -> Result<Rendered, String> {
        let subject = self
            .text
            .render(&format!("mail/{kind}/subject"), ctx)
            .map_err(|e| format!("Subject: {e}"))?;
        let text_body = self
            .text
            .render(&format!("mail/{kind}/text"), ctx)
            .map_err(|e| format!("Text: {e}"))?;
        let html_body = self
            .html
            .render(&format!("mail/{kind}/html"), ctx)
            .map_err(|e| format!("HTML: {e}"))?;
        self.wrap(ctx, subject, text_body, html_body)
    }

    /// Puts rendered parts into the shared layout.
    fn wrap(
        &self,
        ctx: &Value,
        subject: String,
        text_body: String,
        html_body: String,
    ) -> Result<Rendered, String> {
        let mut layout_ctx = ctx.clone();
        if let Some(map) = layout_ctx.as_object_mut() {
            map.insert("body".into(), Value::String(text_body));
            map.insert("body_html".into(), Value::String(html_body));
            map.insert("subject".into(), Value::String(one_line(&subject)));
        }
        let text_full = self
            .text
            .render("mail/layout.text", &layout_ctx)
            .map_err(|e| format!("Layout: {e}"))?;
        let html_full = self
            .html
            .render("mail/layout.html", &layout_ctx)
            .map_err(|e| format!("Layout: {e}"))?;
        Ok(Rendered {
            subject: one_line(&subject),
            text: text_full,
            html: html_full,
        })
    }

    /// Renders `kind` for an event (its override if any) with `ctx`.
    pub fn render(
        &self,
        conn: &mut AnyConnection,
        event_id: Option<&str>,
        kind: MailKind,
        ctx: &Value,
    ) -> AppResult<Rendered> {
        let (sources, overridden) = self.sources(conn, event_id, kind)?;
        let rendered = if overridden {
            self.render_sources(&sources, ctx, false, true)
        } else {
            self.render_builtin(kind, ctx)
        };
        rendered.map_err(|e| AppError::Internal(anyhow::anyhow!("rendering mail {kind}: {e}")))
    }

    /// Renders `kind` and queues it in the outbox, in the caller's transaction. Returns the id.
    pub fn queue(
        &self,
        conn: &mut AnyConnection,
        now: NaiveDateTime,
        envelope: Envelope<'_>,
        ctx: &Value,
        attachments: Vec<NewAttachment>,
    ) -> AppResult<String> {
        if !envelope.kind.has_templates() {
            return Err(AppError::Internal(anyhow::anyhow!(
                "{} mail has no templates; it is rendered by its own module",
                envelope.kind
            )));
        }
        let rendered = self.render(conn, envelope.event_id, envelope.kind, ctx)?;
        Ok(outbox::enqueue(
            conn,
            now,
            self,
            envelope,
            rendered,
            attachments,
        )?)
    }
}

/// A template error as an organizer reads it: the part, the line, and what is wrong, in a
/// sentence (not the parser's dump of the template around it).
pub fn describe(part: &str, e: &handlebars::RenderError) -> String {
    use handlebars::{RenderErrorReason as R, TemplateErrorReason as T};
    let (line, what) = match e.reason() {
        R::TemplateError(t) => (
            t.pos().map(|p| p.0),
            match t.reason() {
                T::MismatchingClosedHelper(open, close)
                | T::MismatchingClosedDecorator(open, close) => {
                    format!("“{{{{#{open}}}}}” is closed by “{{{{/{close}}}}}”")
                }
                T::InvalidSyntax(_) => {
                    "a {{…}} is not written correctly (a brace missing, or a block not closed)"
                        .into()
                }
                other => other.to_string(),
            },
        ),
        R::MissingVariable(Some(name)) => (
            e.line_no,
            format!("there is nothing called “{name}” to fill in"),
        ),
        R::HelperNotFound(h) => (
            e.line_no,
            format!("“{h}” is not something a template can use"),
        ),
        other => (e.line_no, other.to_string()),
    };
    match line {
        Some(l) => format!("{part}, line {l}: {what}."),
        None => format!("{part}: {what}."),
    }
}

/// Collapses a rendered subject to one line: line breaks in a subject would end the header.
pub fn one_line(s: &str) -> String {
    let collapsed: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .chars()
        .filter(|c| !c.is_control())
        .take(250)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_one_line() {
        assert_eq!(
            one_line("Hello\r\nBcc: evil@example.org"),
            "Hello Bcc: evil@example.org"
        );
        assert_eq!(one_line("  a \t b  "), "a b");
    }

    #[test]
    fn built_in_templates_render_with_their_sample_data() {
        let mailer = Mailer::new("http://ghent.test", b"k").unwrap();
        for kind in MailKind::ALL.iter().copied().filter(|k| k.has_templates()) {
            let sources = mailer.builtin(kind).unwrap();
            let ctx = super::super::templates::sample_context(kind, "http://ghent.test");
            let r = mailer
                .render_sources(&sources, &ctx, true, false)
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{kind}");
            assert!(
                r.html.contains("<html") && r.text.contains("Patrick Debois")
                    // The "tell me" list holds addresses, not names.
                    || matches!(kind, MailKind::Test | MailKind::NoticeConfirm | MailKind::NoticeOpened),
                "{kind}"
            );
        }
    }

    #[test]
    fn template_errors_name_the_part_and_line_in_a_sentence() {
        let hb = handlebars::Handlebars::new();
        let e = hb
            .render_template("Hello,\n{{#if title}}\nno end", &serde_json::json!({}))
            .unwrap_err();
        let m = describe("Text", &e);
        assert!(m.starts_with("Text, line "), "{m}");
        assert!(
            !m.contains("-->") && !m.contains('|'),
            "no parser dump: {m}"
        );
        let mut strict = handlebars::Handlebars::new();
        strict.set_strict_mode(true);
        let e = strict
            .render_template("Hi {{nobody}}", &serde_json::json!({}))
            .unwrap_err();
        assert_eq!(
            describe("Subject", &e),
            "Subject, line 1: there is nothing called “nobody” to fill in."
        );
    }

    #[test]
    fn values_are_escaped_in_html_but_not_in_text() {
        let mailer = Mailer::new("http://ghent.test", b"k").unwrap();
        let sources = Sources {
            subject: "Hi {{recipient.name}}".into(),
            text: "Dear {{recipient.name}}".into(),
            html: "<p>Dear {{recipient.name}}</p>".into(),
        };
        let ctx = serde_json::json!({ "recipient": { "name": "<b>R&D</b> {{csrf}}" }, "site": { "base_url": "x" } });
        let r = mailer.render_sources(&sources, &ctx, false, false).unwrap();
        assert!(
            r.html.contains("&lt;b&gt;R&amp;D&lt;/b&gt; {{csrf}}"),
            "{}",
            r.html
        );
        assert!(r.text.contains("Dear <b>R&D</b> {{csrf}}"), "{}", r.text);
        assert_eq!(r.subject, "Hi <b>R&D</b> {{csrf}}");
    }

    #[test]
    fn strict_rendering_reports_unknown_names() {
        let mailer = Mailer::new("http://ghent.test", b"k").unwrap();
        let sources = Sources {
            subject: "{{nope}}".into(),
            text: "x".into(),
            html: "x".into(),
        };
        let err = mailer
            .render_sources(&sources, &serde_json::json!({}), true, false)
            .unwrap_err();
        assert!(err.contains("Subject"), "{err}");
        let broken = Sources {
            subject: "ok".into(),
            text: "{{#if}}".into(),
            html: "x".into(),
        };
        assert!(mailer
            .render_sources(&broken, &serde_json::json!({}), false, false)
            .is_err());
    }
}
