//! Credentials in mail: links that act for their recipient (sign-in, private pages, confirm and
//! unsubscribe links) never enter the outbox.
//!
//! When a mail is rendered, each credential it carries is *sealed*: the template receives a
//! marker (`ghent-credential-<nonce>-<n>`) instead of the token, and the outbox row keeps the
//! list of what each marker stands for ([`Credential`]: a kind and a row, never a token). The
//! worker reveals the markers at send time, deriving each token from the secret key
//! ([`crate::tokens::derive`]), so a retry or a redelivery after a crash carries the same links.
//! Everything else that shows a stored mail (the mail log, "view as sent", the speaker's list of
//! mails, the `log` transport outside development) shows the markers as `•••`. The database
//! never holds a working token, whoever reads it.

use serde::{Deserialize, Serialize};

use super::unsubscribe;
use crate::tokens::{self, LinkKind};

/// What a redacted credential looks like wherever someone other than its owner sees a mail.
pub const REDACTED: &str = "•••";

/// One credential a mail carries, as stored: enough for the server to compute the token again,
/// nothing a reader of the database can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Credential {
    /// A derived link token (see [`crate::tokens::derive`]).
    Link {
        /// What the link opens.
        kind: LinkKind,
        /// The row it opens (an `auth_tokens`, `registrations` or `proposals` id).
        id: String,
        /// The row's token generation when the mail was written.
        generation: i32,
    },
    /// A signed unsubscribe link of an address from an event's bulk mail.
    Unsubscribe {
        /// The event.
        event_id: String,
        /// The address.
        email: String,
    },
}

impl Credential {
    /// A single-use sign-in link (an `auth_tokens` row).
    pub fn sign_in(auth_token_id: &str) -> Credential {
        Credential::Link {
            kind: LinkKind::SignIn,
            id: auth_token_id.to_string(),
            generation: 0,
        }
    }

    /// The token this credential stands for.
    pub fn token(&self, secret: &[u8]) -> String {
        match self {
            Credential::Link {
                kind,
                id,
                generation,
            } => tokens::derive(secret, *kind, id, *generation),
            Credential::Unsubscribe { event_id, email } => {
                unsubscribe::token(secret, event_id, email)
            }
        }
    }
}

/// The credentials of one mail and the markers that stand for them in its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    nonce: String,
    items: Vec<Credential>,
}

impl Sealed {
    /// An empty set with a fresh nonce, so markers of one mail never match another's.
    pub fn new() -> Sealed {
        Sealed {
            nonce: hex::encode(tokens::random_bytes(8)),
            items: Vec::new(),
        }
    }

    /// Adds a credential; returns the marker to put where its token belongs (URL-safe, and left
    /// alone by HTML escaping and sanitizing).
    pub fn seal(&mut self, credential: Credential) -> String {
        if let Some(i) = self.items.iter().position(|c| *c == credential) {
            return self.marker(i);
        }
        self.items.push(credential);
        self.marker(self.items.len() - 1)
    }

    fn marker(&self, i: usize) -> String {
        format!("ghent-credential-{}-{i}", self.nonce)
    }

    /// Whether the mail carries no credential.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The credentials, in marker order.
    pub fn items(&self) -> &[Credential] {
        &self.items
    }

    /// The same markers standing for other credentials (an organizer's resend with new links).
    pub fn with_items(&self, items: Vec<Credential>) -> Sealed {
        Sealed {
            nonce: self.nonce.clone(),
            items,
        }
    }

    /// The value of the outbox column: empty for a mail without credentials.
    pub fn to_column(&self) -> String {
        if self.items.is_empty() {
            String::new()
        } else {
            serde_json::to_string(self).unwrap_or_default()
        }
    }

    /// Reads the outbox column. A column that cannot be read seals nothing, so its markers stay
    /// as they are: nothing is revealed by mistake.
    pub fn from_column(column: &str) -> Sealed {
        if column.is_empty() {
            return Sealed::default();
        }
        serde_json::from_str(column).unwrap_or_default()
    }

    fn replace_all(&self, text: &str, mut with: impl FnMut(&Credential) -> String) -> String {
        if self.items.is_empty() || !text.contains("ghent-credential-") {
            return text.to_string();
        }
        // Highest index first, so that marker 1 does not match inside marker 12.
        let mut out = text.to_string();
        for (i, c) in self.items.iter().enumerate().rev() {
            out = out.replace(&self.marker(i), &with(c));
        }
        out
    }

    /// The text as anyone but its recipient may see it: every credential shown as `•••`.
    pub fn redact(&self, text: &str) -> String {
        self.replace_all(text, |_| REDACTED.to_string())
    }

    /// The text as its recipient gets it, with working tokens (only the worker calls this).
    pub fn reveal(&self, secret: &[u8], text: &str) -> String {
        self.replace_all(text, |c| c.token(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_revealed_for_the_recipient_and_redacted_for_everyone_else() {
        let mut sealed = Sealed::new();
        let a = sealed.seal(Credential::sign_in("row-a"));
        let again = sealed.seal(Credential::sign_in("row-a"));
        assert_eq!(a, again, "one credential, one marker");
        let mut items = Vec::new();
        for i in 0..12 {
            items.push(sealed.seal(Credential::Link {
                kind: LinkKind::RegistrationManage,
                id: format!("r{i}"),
                generation: 0,
            }));
        }
        let text = format!("a {a} b {} c {}", items[0], items[11]);
        assert_eq!(sealed.redact(&text), "a ••• b ••• c •••");
        let revealed = sealed.reveal(b"key", &text);
        assert!(revealed.contains(&tokens::derive(b"key", LinkKind::SignIn, "row-a", 0)));
        assert!(revealed.contains(&tokens::derive(
            b"key",
            LinkKind::RegistrationManage,
            "r11",
            0
        )));
        assert!(!revealed.contains("ghent-credential"));
        let stored = Sealed::from_column(&sealed.to_column());
        assert_eq!(stored, sealed);
        assert_eq!(Sealed::new().to_column(), "");
        assert!(Sealed::from_column("").is_empty());
        assert!(Sealed::from_column("not json").is_empty());
    }

    #[test]
    fn markers_survive_html_escaping_and_sanitizing() {
        let mut sealed = Sealed::new();
        let m = sealed.seal(Credential::sign_in("x"));
        let url = format!("https://ghent.test/password/reset/{m}");
        assert_eq!(handlebars::html_escape(&url), url);
        let html = ammonia::clean(&format!("<a href=\"{url}\">{url}</a>"));
        assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
    }
}
