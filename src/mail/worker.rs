//! The delivery worker. It claims due outbox rows in batches (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so several instances can run workers over one outbox), sends them,
//! and records the outcome: `sent`/`logged`, or `failed` with a retry after an exponentially
//! growing delay, or `dead` after the last attempt. A row left `sending` by a crash is claimed
//! again once its lease has passed. Delivery is at least once: a crash between the server's
//! acceptance and the database update repeats a message, with the same Message-ID.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use futures_util::StreamExt;
use lettre::message::Mailbox;
use tokio::sync::{watch, Notify};

use super::model::{AttachmentRow, OutboxMail, Status};
use super::transport::{build_message, Transport};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::schema::{mail_attachments, mail_outbox};
use crate::db::{AnyConnection, Db};

/// Wakes the mail worker right after a request queued mail, instead of waiting for its next
/// poll. Cheap to clone; waking with no worker running does nothing.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    notify: Arc<Notify>,
}

impl Notifier {
    /// A new handle.
    pub fn new() -> Notifier {
        Notifier::default()
    }

    /// Wakes the worker (or makes its next wait return at once).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits until woken.
    pub async fn woken(&self) {
        self.notify.notified().await;
    }
}

/// Delivery settings.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// Rows claimed per batch.
    pub batch_size: i64,
    /// Attempts before a row is dead.
    pub max_attempts: i32,
    /// First retry delay; doubles with each attempt.
    pub retry_base: Duration,
    /// How long a claim holds before another worker may take the row.
    pub lease: Duration,
    /// How often to look for due rows when not woken.
    pub poll: StdDuration,
    /// Messages sent at once (the SMTP pool size).
    pub concurrency: usize,
}

impl WorkerConfig {
    /// From the settings.
    pub fn from_settings(s: &Settings) -> WorkerConfig {
        WorkerConfig {
            batch_size: s.mail_batch_size,
            max_attempts: s.mail_max_attempts,
            retry_base: Duration::seconds(s.mail_retry_base_seconds),
            lease: Duration::seconds(s.mail_lease_seconds),
            poll: StdDuration::from_millis(s.mail_poll_millis),
            concurrency: s.mail_concurrency as usize,
        }
    }

    /// Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped at a day.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let factor = 1i64 << attempts.clamp(1, 20).saturating_sub(1);
        std::cmp::min(self.retry_base * factor as i32, Duration::days(1))
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims up to `limit` due rows for `worker` until `lease_until`, in one transaction.
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    worker: &str,
    limit: i64,
) -> QueryResult<Vec<OutboxMail>> {
    let claimable = [Status::Queued, Status::Failed];
    crate::db::write_transaction(conn, |conn| {
        let ids: Vec<String> = match conn {
            // SKIP LOCKED: rows another worker is claiming right now are passed over, not waited for.
            AnyConnection::Postgresql(pg) => diesel::sql_query(
                "SELECT id FROM mail_outbox \
                 WHERE (status IN ('queued', 'failed') AND next_attempt_at <= $1) \
                    OR (status = 'sending' AND locked_until < $1) \
                 ORDER BY next_attempt_at, created_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<IdRow>(pg)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
            // SQLite has one writer at a time; the conditional UPDATE below is the guard.
            AnyConnection::Sqlite(_) => mail_outbox::table
                .filter(
                    mail_outbox::status
                        .eq_any(claimable)
                        .and(mail_outbox::next_attempt_at.le(now))
                        .or(mail_outbox::status
                            .eq(Status::Sending)
                            .and(mail_outbox::locked_until.lt(now))),
                )
                .order((mail_outbox::next_attempt_at, mail_outbox::created_at))
                .limit(limit)
                .select(mail_outbox::id)
                .load(conn)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Only rows still claimable are taken, so two workers can never both claim one row.
        diesel::update(
            mail_outbox::table
                .filter(mail_outbox::id.eq_any(&ids))
                .filter(
                    mail_outbox::status.eq_any(claimable).or(mail_outbox::status
                        .eq(Status::Sending)
                        .and(mail_outbox::locked_until.lt(now))),
                ),
        )
        .set((
            mail_outbox::status.eq(Status::Sending),
            mail_outbox::locked_until.eq(Some(lease_until)),
            mail_outbox::locked_by.eq(Some(worker)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        ))
        .execute(conn)?;
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(&ids))
            .filter(mail_outbox::status.eq(Status::Sending))
            .filter(mail_outbox::locked_by.eq(worker))
            .filter(mail_outbox::locked_until.eq(lease_until))
            .select(OutboxMail::as_select())
            .load(conn)
    })
}

/// Records the delivery of several rows at once; returns how many were still this worker's.
pub fn mark_delivered_many(
    conn: &mut AnyConnection,
    ids: &[String],
    worker: &str,
    status: Status,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::id.eq_any(ids))
            .filter(mail_outbox::locked_by.eq(worker)),
    )
    .set((
        mail_outbox::status.eq(status),
        mail_outbox::sent_at.eq(Some(now)),
        mail_outbox::locked_until.eq(None::<NaiveDateTime>),
        mail_outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
}

/// Records a delivery.
pub fn mark_delivered(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    status: Status,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        mail_outbox::table
            .find(id)
            .filter(mail_outbox::locked_by.eq(worker)),
    )
    .set((
        mail_outbox::status.eq(status),
        mail_outbox::sent_at.eq(Some(now)),
        mail_outbox::locked_until.eq(None::<NaiveDateTime>),
        mail_outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)
}

/// Records a failed attempt: retry later, or dead after the last attempt.
pub fn mark_failed(
    conn: &mut AnyConnection,
    mail: &OutboxMail,
    worker: &str,
    error: &str,
    now: NaiveDateTime,
    config: &WorkerConfig,
) -> QueryResult<Status> {
    let dead = mail.attempts >= config.max_attempts;
    let status = if dead { Status::Dead } else { Status::Failed };
    diesel::update(
        mail_outbox::table
            .find(&mail.id)
            .filter(mail_outbox::locked_by.eq(worker)),
    )
    .set((
        mail_outbox::status.eq(status),
        mail_outbox::next_attempt_at.eq(now + config.backoff(mail.attempts)),
        mail_outbox::locked_until.eq(None::<NaiveDateTime>),
        mail_outbox::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
    ))
    .execute(conn)?;
    Ok(status)
}

/// Attachments of several mails, by mail id.
fn attachments_for(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<AttachmentRow>>> {
    let rows: Vec<AttachmentRow> = mail_attachments::table
        .filter(mail_attachments::mail_id.eq_any(ids))
        .order((mail_attachments::mail_id, mail_attachments::position))
        .select(AttachmentRow::as_select())
        .load(conn)?;
    let mut out: HashMap<String, Vec<AttachmentRow>> = HashMap::new();
    for row in rows {
        out.entry(row.mail_id.clone()).or_default().push(row);
    }
    Ok(out)
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Rows claimed.
    pub claimed: usize,
    /// Sent or logged.
    pub delivered: usize,
    /// Failed (to retry) or dead.
    pub failed: usize,
}

/// A mail worker bound to a database, transport and clock.
#[derive(Clone)]
pub struct MailWorker {
    db: Db,
    clock: Clock,
    transport: Transport,
    from: Mailbox,
    config: WorkerConfig,
    id: String,
    /// The site's secret key: credentials sealed in mail are derived from it when sent.
    secret: Arc<Vec<u8>>,
}

/// An outbox row as it leaves the server: credentials revealed, attachments drawn.
fn outgoing(
    mail: &OutboxMail,
    files: Vec<AttachmentRow>,
    secret: &[u8],
) -> (OutboxMail, Vec<AttachmentRow>) {
    let sealed = mail.sealed();
    let files = files
        .into_iter()
        .map(|mut a| {
            if a.render == super::model::RENDER_QR_PNG {
                let url = sealed.reveal(secret, &String::from_utf8_lossy(&a.content));
                a.content = crate::qr::qr_png(&url);
            }
            a
        })
        .collect();
    (mail.revealed(secret), files)
}

impl MailWorker {
    /// A worker with a unique id (for leases).
    pub fn new(
        db: Db,
        clock: Clock,
        transport: Transport,
        from: &str,
        config: WorkerConfig,
        secret: &[u8],
    ) -> anyhow::Result<MailWorker> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("GHENT_MAIL_FROM {from:?}: {e}"))?;
        let id = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(MailWorker {
            db,
            clock,
            transport,
            from,
            config,
            id,
            secret: Arc::new(secret.to_vec()),
        })
    }

    /// The worker the settings describe: their transport, sender, delivery settings and key.
    pub fn from_settings(db: Db, clock: Clock, settings: &Settings) -> anyhow::Result<MailWorker> {
        let secret = settings.secret_key.as_deref().ok_or_else(|| {
            anyhow::anyhow!("no secret key: call Settings::ensure_secret_key first")
        })?;
        MailWorker::new(
            db,
            clock,
            super::transport::Transport::from_settings(settings)?,
            &settings.mail_from,
            WorkerConfig::from_settings(settings),
            secret,
        )
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> QueryResult<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let db = self.db.clone();
        let result = tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
            let mut conn = db.write()?;
            Ok(f(&mut conn)?)
        })
        .await??;
        Ok(result)
    }

    /// Claims one batch and delivers it. Every claimed row ends sent, logged, failed or dead.
    #[tracing::instrument(skip_all, fields(worker = %self.id))]
    pub async fn run_batch(&self) -> anyhow::Result<BatchOutcome> {
        let now = self.clock.now_naive();
        let lease_until = now + self.config.lease;
        let (worker, limit) = (self.id.clone(), self.config.batch_size);
        let claimed = self
            .blocking(move |c| claim(c, now, lease_until, &worker, limit))
            .await?;
        let mut outcome = BatchOutcome {
            claimed: claimed.len(),
            ..BatchOutcome::default()
        };
        if claimed.is_empty() {
            return Ok(outcome);
        }
        // Attachments of the whole batch in one read, on a reading connection.
        let ids: Vec<String> = claimed.iter().map(|m| m.id.clone()).collect();
        let db = self.db.clone();
        let mut attachments = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut conn = db.read()?;
            Ok(attachments_for(&mut conn, &ids)?)
        })
        .await??;
        let results: Vec<(OutboxMail, Result<Status, String>)> =
            futures_util::stream::iter(claimed)
                .map(|mail| {
                    let files = attachments.remove(&mail.id).unwrap_or_default();
                    async move {
                        let (out, files) = outgoing(&mail, files, &self.secret);
                        let sent = match build_message(&out, &files, &self.from, self.clock.now()) {
                            Ok(message) => self.transport.deliver(message, &mail, &out).await,
                            Err(e) => Err(e),
                        };
                        (mail, sent)
                    }
                })
                .buffer_unordered(self.config.concurrency.max(1))
                .collect()
                .await;
        // One write for the batch: delivered rows are marked together, failures one by one
        // (each has its own attempt count and next time).
        let (worker, config, now) = (self.id.clone(), self.config, self.clock.now_naive());
        let (delivered, failed) = self
            .blocking(move |c| {
                c.transaction(|c| {
                    let mut by_status: HashMap<Status, Vec<String>> = HashMap::new();
                    let mut failed = 0;
                    for (mail, sent) in &results {
                        match sent {
                            Ok(status) => by_status.entry(*status).or_default().push(mail.id.clone()),
                            Err(error) => {
                                tracing::warn!(to = %mail.recipient_email, attempt = mail.attempts, %error, "mail delivery failed");
                                if mark_failed(c, mail, &worker, error, now, &config)? == Status::Dead {
                                    tracing::error!("a mail is dead after its last attempt; retry it from the mail log");
                                }
                                failed += 1;
                            }
                        }
                    }
                    let mut delivered = 0;
                    for (status, ids) in by_status {
                        delivered += mark_delivered_many(c, &ids, &worker, status, now)?;
                    }
                    Ok((delivered, failed))
                })
            })
            .await?;
        outcome.delivered = delivered;
        outcome.failed = failed;
        Ok(outcome)
    }

    /// Delivers until nothing is due (for `ghent send-mail --once` and tests).
    pub async fn drain(&self) -> anyhow::Result<BatchOutcome> {
        let mut total = BatchOutcome::default();
        loop {
            let o = self.run_batch().await?;
            total.claimed += o.claimed;
            total.delivered += o.delivered;
            total.failed += o.failed;
            if o.claimed == 0 {
                return Ok(total);
            }
        }
    }

    /// Runs until `shutdown` turns true: a batch whenever woken or every poll interval. A batch
    /// in hand is finished before stopping.
    pub async fn run(self, notifier: Notifier, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, transport = ?self.transport, "mail worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_batch().await {
                Ok(o) if o.claimed == self.config.batch_size as usize => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "mail worker batch failed"),
            }
            tokio::select! {
                _ = notifier.woken() => {}
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(worker = %self.id, "mail worker stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = WorkerConfig {
            batch_size: 1,
            max_attempts: 5,
            retry_base: Duration::seconds(30),
            lease: Duration::seconds(60),
            poll: StdDuration::from_secs(1),
            concurrency: 1,
        };
        assert_eq!(c.backoff(1), Duration::seconds(30));
        assert_eq!(c.backoff(2), Duration::seconds(60));
        assert_eq!(c.backoff(3), Duration::seconds(120));
        assert_eq!(c.backoff(30), Duration::days(1));
    }
}
