//! Webhooks: an event's endpoints, the messages a change queues for them, and their delivery.
//!
//! - [`model`]: endpoints, the event types they subscribe to, the attempt log.
//! - [`endpoints`]: adding, changing, removing endpoints; their `whsec_` secrets.
//! - [`emit`]: a change queues one message per subscribed endpoint *in its own transaction*
//!   (a `webhook.deliver` item of the durable queue), so a crash never loses or invents one.
//! - [`sign`]: Standard Webhooks signatures (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature`: HMAC-SHA256 of `id.timestamp.body`).
//! - [`guard`]: where a webhook may be sent: public addresses only, checked on the resolved
//!   address, unless the site allows private ones (development, tests).
//! - [`deliver`]: the lane that claims messages, posts them, logs every attempt, retries with
//!   backoff under the same `webhook-id`, and disables an endpoint that failed for a day.

pub mod deliver;
pub mod emit;
pub mod endpoints;
pub mod guard;
pub mod model;
pub mod sign;

pub use emit::{emit, emit_about};
pub use model::{Attempt, EventType, Webhook};
