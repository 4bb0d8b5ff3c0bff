//! Mail: every message Ghent sends goes through here.
//!
//! A state change and the mail it causes are written in one database transaction: the change's
//! rows and an [`outbox`] row holding the rendered message. The [`worker`] (inside `ghent serve`,
//! or alone as `ghent send-mail`) claims due rows, sends them through a [`transport`] (SMTP,
//! `.eml` files, or the log), and retries failures with exponential backoff. Request handlers
//! never talk SMTP. Each kind of mail has subject, text and HTML [`templates`], which organizers
//! may override per event.

pub mod catcher;
pub mod compose;
pub mod credentials;
pub mod model;
pub mod outbox;
pub mod queries;
pub mod smtp;
pub mod templates;
pub mod transport;
pub mod unsubscribe;
pub mod views;
pub mod worker;

pub use compose::Mailer;
pub use model::{NewAttachment, OutboxMail};
