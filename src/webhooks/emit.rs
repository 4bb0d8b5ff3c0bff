//! Queuing webhook messages. [`emit`] is called by the domain command that makes the change, on
//! its connection and inside its transaction: the messages commit with the change or not at all.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{EventType, Webhook};
use crate::db::schema::webhooks;
use crate::db::AnyConnection;
use crate::queue::{self, NewItem, Task};

/// One message for one endpoint: a `webhook.deliver` item. The body is fixed when the change
/// happens, so every retry sends the same bytes under the same `webhook-id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverWebhook {
    /// The endpoint.
    pub webhook_id: String,
    /// `webhook-id`: `msg_` and a UUID, the same on every attempt.
    pub message_id: String,
    /// The message's type.
    pub event_type: String,
    /// The JSON body: `{"type", "timestamp", "data"}`.
    pub body: String,
}

impl Task for DeliverWebhook {
    const KIND: &'static str = "webhook.deliver";
    const PRIORITY: i32 = 5;
    /// With the default backoff (a minute, doubling, at most six hours), about two days.
    const MAX_ATTEMPTS: i32 = 15;
}

/// The body of a message of `kind` about `data`, happening at `now`.
pub fn body(kind: EventType, data: &serde_json::Value, now: NaiveDateTime) -> String {
    serde_json::json!({
        "type": kind.as_str(),
        "timestamp": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": data,
    })
    .to_string()
}

/// Queues a message of `kind` about `data` for every enabled endpoint of the event that wants
/// it. Returns how many were queued.
pub fn emit<T: Serialize>(
    conn: &mut AnyConnection,
    event_id: &str,
    kind: EventType,
    data: &T,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let hooks: Vec<Webhook> = webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .filter(webhooks::enabled.eq(true))
        .select(Webhook::as_select())
        .load(conn)?;
    let data = serde_json::to_value(data).unwrap_or_default();
    let mut queued = 0;
    for hook in hooks
        .iter()
        .filter(|h| h.wants(kind) && kind != EventType::Ping)
    {
        queue_one(conn, hook, kind, body(kind, &data, now), now)?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues one message for one endpoint (a ping, a redelivery, or [`emit`]'s).
pub fn queue_one(
    conn: &mut AnyConnection,
    hook: &Webhook,
    kind: EventType,
    body: String,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    requeue(conn, &hook.id, &message_id, kind.as_str(), body, now)?;
    Ok(message_id)
}

/// Queues a message again under its own `webhook-id` (redelivery from the log).
pub fn requeue(
    conn: &mut AnyConnection,
    webhook_id: &str,
    message_id: &str,
    event_type: &str,
    body: String,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let task = DeliverWebhook {
        webhook_id: webhook_id.to_string(),
        message_id: message_id.to_string(),
        event_type: event_type.to_string(),
        body,
    };
    queue::enqueue(conn, now, NewItem::of(&task, now))
}

/// A message's `data`: the event (id and slug) and the resource under its name, e.g.
/// `{"event": {...}, "registration": {...}}`.
pub fn about<T: Serialize>(
    event: &crate::events::Event,
    key: &str,
    value: &T,
) -> serde_json::Value {
    let mut data = serde_json::json!({ "event": { "id": event.id, "slug": event.slug } });
    if let Some(map) = data.as_object_mut() {
        map.insert(
            key.to_string(),
            serde_json::to_value(value).unwrap_or_default(),
        );
    }
    data
}

/// [`emit`] with [`about`]'s data.
pub fn emit_about<T: Serialize>(
    conn: &mut AnyConnection,
    event: &crate::events::Event,
    kind: EventType,
    key: &str,
    value: &T,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    emit(conn, &event.id, kind, &about(event, key, value), now)
}
