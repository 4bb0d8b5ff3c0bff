//! The webhook lane: claims `webhook.deliver` items, posts each to its endpoint with Standard
//! Webhooks headers (at least once: a crash between the post and the record sends it again,
//! under the same `webhook-id`), logs the attempt, and completes the item or schedules a retry
//! with backoff. An endpoint failing for longer than the setting is disabled and its event's
//! owners are mailed. Requests go only to the address the guard checked, with a short timeout
//! and no redirects, through rustls with ring.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use futures_util::StreamExt;
use tokio::sync::watch;

use super::emit::DeliverWebhook;
use super::guard;
use super::model::{Attempt, Webhook};
use super::sign;
use crate::accounts::Role;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::schema::{event_roles, organizers, webhook_attempts, webhooks};
use crate::db::{new_id, AnyConnection, Db};
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::mail::Mailer;
use crate::queue::claim::{claim, Lane};
use crate::queue::outcome::{self, Backoff};
use crate::queue::workers::Worker;
use crate::queue::{Item, Notifier, Task};

/// How the lane behaves (all settings, short in tests).
#[derive(Debug, Clone)]
pub struct LaneConfig {
    /// How long an endpoint has to answer.
    pub timeout: StdDuration,
    /// Retry delays.
    pub backoff: Backoff,
    /// Failing this long disables an endpoint.
    pub disable_after: Duration,
    /// Private addresses and http:// allowed.
    pub allow_private: bool,
    /// Look for due messages this often when not woken.
    pub poll: StdDuration,
    /// Items per claim.
    pub batch: i64,
    /// Posts at once.
    pub concurrency: usize,
}

impl LaneConfig {
    /// From the settings.
    pub fn from_settings(s: &Settings) -> LaneConfig {
        LaneConfig {
            timeout: StdDuration::from_millis(s.webhook_timeout_millis),
            backoff: Backoff {
                base: Duration::milliseconds(s.webhook_retry_base_millis as i64),
                cap: Duration::hours(6),
            },
            disable_after: Duration::seconds(s.webhook_disable_after_seconds),
            allow_private: s.webhook_allow_private,
            poll: StdDuration::from_millis(s.webhook_poll_millis),
            batch: 20,
            concurrency: 8,
        }
    }
}

struct Parts {
    db: Db,
    clock: Clock,
    worker: Worker,
    config: LaneConfig,
    mailer: Mailer,
    stopping: AtomicBool,
}

/// The webhook lane of one instance. Cheap to clone.
#[derive(Clone)]
pub struct WebhookLane {
    parts: Arc<Parts>,
}

/// What one post got.
#[derive(Debug, Clone)]
pub struct Sent {
    /// A 2xx answer.
    pub ok: bool,
    /// The status, when there was an answer.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: i32,
    /// The answer's start.
    pub excerpt: String,
    /// Why there was no (good) answer.
    pub error: Option<String>,
}

impl WebhookLane {
    /// The lane over `worker`.
    pub fn new(
        db: Db,
        clock: Clock,
        settings: &Settings,
        worker: Worker,
        mailer: Mailer,
    ) -> WebhookLane {
        WebhookLane {
            parts: Arc::new(Parts {
                db,
                clock,
                worker,
                config: LaneConfig::from_settings(settings),
                mailer,
                stopping: AtomicBool::new(false),
            }),
        }
    }

    /// Claims one batch and delivers it. Returns how many items it claimed.
    pub async fn run_batch(&self) -> anyhow::Result<usize> {
        let p = self.parts.clone();
        if p.stopping.load(Ordering::Relaxed) || !p.worker.healthy() {
            return Ok(0);
        }
        let now = p.clock.now_naive();
        let q = p.clone();
        let claimed =
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(Item, Option<Webhook>)>> {
                let mut conn = q.db.write()?;
                let items = claim(
                    &mut conn,
                    q.worker.id(),
                    Lane::Only(&[DeliverWebhook::KIND]),
                    now,
                    q.worker.timeout(),
                    q.config.batch,
                )?;
                let mut out = Vec::new();
                for item in items {
                    let hook = match item.task::<DeliverWebhook>() {
                        Ok(t) => webhooks::table
                            .find(&t.webhook_id)
                            .select(Webhook::as_select())
                            .first(&mut conn)
                            .optional()?,
                        Err(_) => None,
                    };
                    out.push((item, hook));
                }
                Ok(out)
            })
            .await??;
        let n = claimed.len();
        futures_util::stream::iter(claimed)
            .map(|(item, hook)| self.deliver_one(item, hook))
            .buffer_unordered(p.config.concurrency)
            .collect::<Vec<()>>()
            .await;
        Ok(n)
    }

    async fn deliver_one(&self, item: Item, hook: Option<Webhook>) {
        let p = self.parts.clone();
        let task = item.task::<DeliverWebhook>().ok();
        let sent = match (&hook, &task) {
            (Some(h), Some(t)) if h.enabled => Some(post(&p.config, h, t).await),
            _ => None,
        };
        let now = p.clock.now_naive();
        let q = p.clone();
        let recorded = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = q.db.write()?;
            record(
                &mut conn,
                &q,
                &item,
                hook.as_ref(),
                task.as_ref(),
                sent.as_ref(),
                now,
            )
        })
        .await;
        match recorded {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %format!("{e:#}"), "could not record a webhook delivery")
            }
            Err(e) => tracing::error!(error = %e, "recording a webhook delivery failed"),
        }
    }

    /// Delivers until nothing is due (tests).
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.run_batch().await?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }

    /// Runs until `shutdown`: a batch whenever woken or every poll interval.
    pub async fn run(self, notifier: Notifier, mut shutdown: watch::Receiver<bool>) {
        let p = self.parts.clone();
        loop {
            if *shutdown.borrow() {
                break;
            }
            let batch = self.run_batch();
            tokio::pin!(batch);
            let result = tokio::select! {
                r = &mut batch => r,
                _ = shutdown.changed() => {
                    p.stopping.store(true, Ordering::Relaxed);
                    tokio::time::timeout(p.config.timeout, &mut batch).await.unwrap_or(Ok(0))
                }
            };
            match result {
                Ok(n) if n as i64 == p.config.batch => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "webhook batch failed"),
            }
            tokio::select! {
                _ = notifier.woken() => {}
                _ = tokio::time::sleep(p.config.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Posts one message: checks the URL and the resolved address, signs, sends, reads the answer.
pub async fn post(config: &LaneConfig, hook: &Webhook, task: &DeliverWebhook) -> Sent {
    let started = Instant::now();
    let failed = |error: String, started: Instant| Sent {
        ok: false,
        status: None,
        latency_ms: started.elapsed().as_millis() as i32,
        excerpt: String::new(),
        error: Some(error),
    };
    let url = match guard::check_url(&hook.url, config.allow_private) {
        Ok(u) => u,
        Err(e) => return failed(e.to_string(), started),
    };
    let addr = match guard::resolve(&url, config.allow_private).await {
        Ok(a) => a,
        Err(e) => return failed(e.to_string(), started),
    };
    // Webhook timestamps are real time (receivers compare them with their own clocks).
    let timestamp = chrono::Utc::now().timestamp();
    let Some(signature) = sign::signature(&hook.secret, &task.message_id, timestamp, &task.body)
    else {
        return failed("the endpoint's secret is malformed".into(), started);
    };
    let host = url.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .resolve(&host, addr)
        .user_agent("Ghent-Webhooks/1")
        .build();
    let client = match client {
        Ok(c) => c,
        Err(e) => return failed(format!("could not build the HTTP client: {e}"), started),
    };
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &task.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(task.body.clone())
        .send()
        .await;
    match response {
        Err(e) => failed(crate::error::error_chain(&e), started),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            Sent {
                ok: status.is_success(),
                status: Some(status.as_u16()),
                latency_ms: started.elapsed().as_millis() as i32,
                excerpt: text.chars().take(500).collect(),
                error: (!status.is_success()).then(|| format!("the endpoint answered {status}")),
            }
        }
    }
}

/// Logs an attempt and settles its item: done on success (or when the endpoint is gone or
/// disabled), else a retry with backoff; a day of failures disables the endpoint.
fn record(
    conn: &mut AnyConnection,
    p: &Parts,
    item: &Item,
    hook: Option<&Webhook>,
    task: Option<&DeliverWebhook>,
    sent: Option<&Sent>,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let worker = p.worker.id();
    conn.transaction(|conn| -> anyhow::Result<()> {
        let (Some(hook), Some(task), Some(sent)) = (hook, task, sent) else {
            // Removed or disabled endpoint, or an unreadable item: nothing to send.
            outcome::complete(conn, std::slice::from_ref(&item.id), worker, now)?;
            return Ok(());
        };
        if outcome::still_held(conn, std::slice::from_ref(&item.id), worker)?.is_empty() {
            return Ok(());
        }
        diesel::insert_into(webhook_attempts::table)
            .values(Attempt {
                id: new_id(),
                webhook_id: hook.id.clone(),
                message_id: task.message_id.clone(),
                event_type: task.event_type.clone(),
                attempt: item.attempts,
                succeeded: sent.ok,
                status_code: sent.status.map(i32::from),
                latency_ms: sent.latency_ms,
                response_excerpt: sent.excerpt.clone(),
                error: sent.error.clone(),
                payload: task.body.clone(),
                attempted_at: now,
            })
            .execute(conn)?;
        if sent.ok {
            outcome::complete(conn, std::slice::from_ref(&item.id), worker, now)?;
            diesel::update(webhooks::table.find(&hook.id))
                .set(webhooks::failing_since.eq(None::<NaiveDateTime>))
                .execute(conn)?;
            return Ok(());
        }
        let error = sent.error.clone().unwrap_or_default();
        outcome::fail(conn, item, worker, &error, now, p.config.backoff)?;
        let since = hook.failing_since.unwrap_or(now);
        if hook.failing_since.is_none() {
            diesel::update(webhooks::table.find(&hook.id))
                .set(webhooks::failing_since.eq(Some(now)))
                .execute(conn)?;
        }
        if now - since >= p.config.disable_after {
            disable(conn, p, hook, since, &error, now)?;
        }
        Ok(())
    })
}

/// Disables a failing endpoint and mails the event's owners.
fn disable(
    conn: &mut AnyConnection,
    p: &Parts,
    hook: &Webhook,
    since: NaiveDateTime,
    error: &str,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let reason = format!("failing since {since} UTC; last error: {error}");
    let n = diesel::update(
        webhooks::table
            .find(&hook.id)
            .filter(webhooks::enabled.eq(true)),
    )
    .set((
        webhooks::enabled.eq(false),
        webhooks::disabled_reason.eq(Some(&reason)),
        webhooks::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(());
    }
    tracing::warn!(webhook = %hook.id, %reason, "webhook endpoint disabled");
    let event = crate::events::queries::by_id(conn, &hook.event_id)?;
    let owners: Vec<(String, String)> = event_roles::table
        .inner_join(organizers::table)
        .filter(event_roles::event_id.eq(&hook.event_id))
        .filter(event_roles::role.eq(Role::Owner))
        .select((organizers::email, organizers::name))
        .load(conn)?;
    let link = crate::urls::absolute(
        &p.mailer.base_url,
        &format!("/admin/events/{}/webhooks", event.slug),
    );
    for (email, name) in owners {
        let ctx = serde_json::json!({
            "recipient": { "name": name, "email": email },
            "event": p.mailer.event_context(&event),
            "site": { "base_url": p.mailer.base_url },
            "url": hook.url,
            "since": format!("{since} UTC"),
            "last_error": error,
            "link": link,
        });
        let envelope = Envelope::about_event(MailKind::WebhookDisabled, &email, &name, &event);
        p.mailer
            .queue(conn, now, envelope, &ctx, Vec::new())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
