//! An event's webhook endpoints, as organizers manage them: add (a URL and the types it
//! wants; a fresh `whsec_` secret), enable or disable, remove, ping, and redeliver from the log.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::emit::{body, queue_one, requeue};
use super::guard;
use super::model::{Attempt, EventType, Webhook};
use super::sign::new_secret;
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{webhook_attempts, webhooks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};

/// The add form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EndpointForm {
    /// The endpoint's URL.
    pub url: String,
    /// Ticked types.
    #[serde(rename = "type")]
    pub types: Vec<String>,
}

/// The event's endpoints, oldest first.
pub fn of_event(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .order(webhooks::created_at)
        .select(Webhook::as_select())
        .load(conn)
}

/// One endpoint of the event.
pub fn find(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Webhook> {
    webhooks::table
        .find(id)
        .filter(webhooks::event_id.eq(event_id))
        .select(Webhook::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// The latest attempts to the event's endpoints.
pub fn attempts(conn: &mut AnyConnection, event_id: &str, limit: i64) -> QueryResult<Vec<Attempt>> {
    webhook_attempts::table
        .inner_join(webhooks::table)
        .filter(webhooks::event_id.eq(event_id))
        .order((
            webhook_attempts::attempted_at.desc(),
            webhook_attempts::attempt.desc(),
        ))
        .limit(limit)
        .select(Attempt::as_select())
        .load(conn)
}

/// Adds an endpoint. The URL must be one Ghent may post to; at least one type is ticked.
pub fn add(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &EndpointForm,
    allow_private: bool,
) -> AppResult<Webhook> {
    let url = guard::check_url(&form.url, allow_private)
        .map_err(|e| AppError::field("url", e.to_string()))?;
    let types: Vec<EventType> = form
        .types
        .iter()
        .filter_map(|t| EventType::parse(t))
        .filter(|t| *t != EventType::Ping)
        .collect();
    if types.is_empty() {
        return Err(AppError::field(
            "type",
            "Tick at least one kind of change to send.",
        ));
    }
    let hook = Webhook {
        id: new_id(),
        event_id: cx.event.id.clone(),
        url: url.to_string(),
        secret: new_secret(),
        event_types: types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        enabled: true,
        failing_since: None,
        disabled_reason: None,
        created_by: cx.actor.id.clone(),
        created_at: cx.now,
        updated_at: cx.now,
    };
    conn.transaction(|conn| {
        diesel::insert_into(webhooks::table)
            .values(&hook)
            .execute(conn)?;
        audit::note(
            conn,
            cx,
            "webhook.add",
            ("webhook", &hook.id),
            &format!("Added webhook {}", hook.url),
        )?;
        Ok(hook)
    })
}

/// Turns an endpoint on or off (on again: its failure count starts over).
pub fn set_enabled(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    enabled: bool,
) -> AppResult<()> {
    let hook = find(conn, &cx.event.id, id)?;
    conn.transaction(|conn| {
        diesel::update(webhooks::table.find(id))
            .set((
                webhooks::enabled.eq(enabled),
                webhooks::failing_since.eq(None::<NaiveDateTime>),
                webhooks::disabled_reason.eq(None::<String>),
                webhooks::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let verb = if enabled { "Enabled" } else { "Disabled" };
        audit::note(
            conn,
            cx,
            "webhook.enable",
            ("webhook", id),
            &format!("{verb} webhook {}", hook.url),
        )?;
        Ok(())
    })
}

/// Removes an endpoint with its log; messages waiting for it end unsent.
pub fn remove(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    let hook = find(conn, &cx.event.id, id)?;
    conn.transaction(|conn| {
        diesel::delete(webhooks::table.find(id)).execute(conn)?;
        audit::note(
            conn,
            cx,
            "webhook.remove",
            ("webhook", id),
            &format!("Removed webhook {}", hook.url),
        )?;
        Ok(())
    })
}

/// Sends a `ping` to one endpoint.
pub fn ping(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<String> {
    let hook = find(conn, &cx.event.id, id)?;
    let data = serde_json::json!({ "event": { "id": cx.event.id, "slug": cx.event.slug }, "webhook_id": hook.id });
    Ok(queue_one(
        conn,
        &hook,
        EventType::Ping,
        body(EventType::Ping, &data, cx.now),
        cx.now,
    )?)
}

/// Sends a logged message again, with its `webhook-id` and body.
pub fn redeliver(conn: &mut AnyConnection, cx: &EventContext, attempt_id: &str) -> AppResult<()> {
    let a: Attempt = webhook_attempts::table
        .inner_join(webhooks::table)
        .filter(webhooks::event_id.eq(&cx.event.id))
        .filter(webhook_attempts::id.eq(attempt_id))
        .select(Attempt::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    requeue(
        conn,
        &a.webhook_id,
        &a.message_id,
        &a.event_type,
        a.payload,
        cx.now,
    )?;
    Ok(())
}
