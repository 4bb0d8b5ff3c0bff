//! How mail leaves the server: real SMTP (our own pool of `TCP_NODELAY` connections, lettre
//! for the protocol: see [`super::smtp`]), `.eml` files, or the log. The log transport marks mail `logged`, never `sent`, so the mail log never claims a
//! message left the server.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use super::model::{AttachmentRow, OutboxMail, Status};
use super::smtp::{SmtpClient, Target};
use crate::config::{MailTransportKind, Settings};
use crate::error::error_chain;

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Debug, Clone)]
pub struct ListUnsubscribe(pub String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail clients may unsubscribe
/// with one POST, without opening a page.
#[derive(Debug, Clone)]
pub struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// Builds the MIME message of an outbox row: multipart/alternative (text + HTML), inside
/// multipart/mixed when there are attachments. `Date` comes from the application clock.
pub fn build_message(
    mail: &OutboxMail,
    attachments: &[AttachmentRow],
    from: &Mailbox,
    date: DateTime<Utc>,
) -> Result<Message, String> {
    let to_address = mail
        .recipient_email
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", mail.recipient_email))?;
    let to = Mailbox::new(
        (!mail.recipient_name.is_empty()).then(|| mail.recipient_name.clone()),
        to_address,
    );
    let secs = u64::try_from(date.timestamp()).unwrap_or(0);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
    if let Some(reply_to) = mail.reply_to.as_deref().filter(|r| !r.is_empty()) {
        if let Ok(mb) = reply_to.parse::<Mailbox>() {
            builder = builder.reply_to(mb);
        }
    }
    if let Some(url) = &mail.list_unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(ListUnsubscribePost);
    }
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text_body.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(mail.html_body.clone()),
        );
    let message = if attachments.is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in attachments {
            let content_type = ContentType::parse(&a.content_type)
                .map_err(|e| format!("attachment {}: {e}", a.filename))?;
            mixed = mixed.singlepart(
                Attachment::new(a.filename.clone()).body(a.content.clone(), content_type),
            );
        }
        builder.multipart(mixed)
    };
    message.map_err(|e| format!("building the message: {e}"))
}

/// A configured transport.
#[derive(Clone)]
pub enum Transport {
    /// Write to the log; mark `logged`. Links that act for the recipient are printed only in
    /// development (`show_links`); elsewhere the log shows them as `•••`.
    Log {
        /// Print working links (development only).
        show_links: bool,
    },
    /// Write `.eml` files.
    File(AsyncFileTransport<Tokio1Executor>),
    /// Real SMTP.
    Smtp(SmtpClient),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Log { .. } => "Transport::Log",
            Transport::File(_) => "Transport::File",
            Transport::Smtp(_) => "Transport::Smtp",
        })
    }
}

impl Transport {
    /// The transport the settings ask for.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Transport> {
        Ok(match settings.mail_transport {
            MailTransportKind::Log => Transport::Log {
                show_links: settings.env == crate::config::Environment::Development,
            },
            MailTransportKind::File => {
                std::fs::create_dir_all(&settings.mail_file_dir)?;
                Transport::File(AsyncFileTransport::new(&settings.mail_file_dir))
            }
            MailTransportKind::Smtp => {
                let url = settings
                    .smtp_url
                    .as_deref()
                    .ok_or_else(|| anyhow::anyhow!("GHENT_SMTP_URL is not set"))?;
                let target = Target::from_url(url).map_err(|e| {
                    anyhow::anyhow!("GHENT_SMTP_URL {}: {e}", crate::config::redact_url(url))
                })?;
                Transport::Smtp(SmtpClient::new(
                    target,
                    Duration::from_secs(settings.smtp_timeout_seconds),
                    settings.mail_concurrency as usize,
                ))
            }
        })
    }

    /// Delivers one message; returns the status to record (`sent` or `logged`). `stored` is the
    /// outbox row (credentials sealed), `out` the same with working links, as built into `message`.
    pub async fn deliver(
        &self,
        message: Message,
        stored: &OutboxMail,
        out: &OutboxMail,
    ) -> Result<Status, String> {
        match self {
            Transport::Log { show_links } => {
                let shown = if *show_links {
                    out.clone()
                } else {
                    stored.clone().redacted()
                };
                let text = shown.text_body;
                tracing::info!(
                    to = %stored.recipient_email,
                    subject = %shown.subject,
                    kind = %stored.kind,
                    message_id = %stored.message_id,
                    "mail not delivered (log transport):\n{text}"
                );
                Ok(Status::Logged)
            }
            Transport::File(t) => t
                .send(message)
                .await
                .map(|_| Status::Sent)
                .map_err(|e| format!("file transport: {}", error_chain(&e))),
            Transport::Smtp(client) => client
                .send(message.envelope(), &message.formatted())
                .await
                .map(|()| Status::Sent)
                .map_err(|e| format!("SMTP: {e}")),
        }
    }
}
