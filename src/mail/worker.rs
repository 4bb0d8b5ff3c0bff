//! The mail lane of the queue: it claims `mail.deliver` items ([`DeliverMail`]) in batches,
//! highest priority first, sends their outbox rows over a few pooled SMTP connections, and
//! records each outcome as it comes: a [`Recorder`] writes the outcomes of the last
//! `mail_record_millis` together, so a crash repeats at most the messages in flight and those of
//! the last window, with the same Message-ID. A failure is retried with exponential backoff, and
//! dead after the last attempt. On stop, sends in flight may finish (up to the grace period) and
//! what was claimed but not started is given back.
//!
//! The outbox row stays the organizers' mail log: it shows `sending` while its item is held,
//! then `sent`/`logged`, `failed` (with the next attempt) or `dead`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use futures_util::StreamExt;
use lettre::message::Mailbox;
use tokio::sync::{mpsc, oneshot, watch};

use super::model::{AttachmentRow, OutboxMail, Status};
use super::outbox::DeliverMail;
use super::transport::{build_message, Transport};
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::schema::{mail_attachments, mail_outbox};
use crate::db::{AnyConnection, Db};
use crate::metrics::Metrics;
use crate::queue::claim::{claim, Lane};
use crate::queue::outcome::{self, Backoff};
use crate::queue::workers::{release, Worker};
use crate::queue::{Item, JobStatus, Notifier, Task};

/// Delivery settings.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// Items claimed per batch.
    pub batch_size: i64,
    /// Attempts before a message is dead.
    pub max_attempts: i32,
    /// First retry delay; doubles with each attempt, at most a day.
    pub retry_base: Duration,
    /// How often to look for due mail when not woken.
    pub poll: StdDuration,
    /// Messages sent at once (each over its own pooled connection).
    pub concurrency: usize,
    /// Outcomes are written together every this long.
    pub record_every: StdDuration,
    /// On stop, how long sends in flight may take.
    pub grace: StdDuration,
}

impl WorkerConfig {
    /// From the settings.
    pub fn from_settings(s: &Settings) -> WorkerConfig {
        WorkerConfig {
            batch_size: s.mail_batch_size,
            max_attempts: s.mail_max_attempts,
            retry_base: Duration::seconds(s.mail_retry_base_seconds),
            poll: StdDuration::from_millis(s.mail_poll_millis),
            concurrency: s.mail_concurrency as usize,
            record_every: StdDuration::from_millis(s.mail_record_millis),
            grace: StdDuration::from_secs(s.shutdown_grace_seconds),
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: self.retry_base,
            cap: Duration::days(1),
        }
    }
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Items claimed.
    pub claimed: usize,
    /// Sent or logged.
    pub delivered: usize,
    /// Failed (to retry) or dead.
    pub failed: usize,
}

/// A claimed delivery: the queue item and its outbox row.
struct Claimed {
    item: Item,
    mail: OutboxMail,
}

/// What became of one claimed message.
enum Sent {
    /// Not started: (item id, mail id) to give back.
    Not(String, String),
    /// Accepted (or written/logged).
    Delivered,
    /// Failed; retried later or dead.
    Failed,
}

/// The outcome of one send, on its way to the database.
struct Done {
    item: Item,
    mail_id: String,
    result: Result<Status, String>,
}

enum Note {
    Done(Box<Done>),
    /// Answered once everything before it is written.
    Flush(oneshot::Sender<()>),
}

/// Writes outcomes as they come, grouped per `record_every`.
#[derive(Clone)]
struct Recorder {
    tx: mpsc::UnboundedSender<Note>,
}

impl Recorder {
    fn start(parts: Arc<Parts>) -> (Recorder, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(record_loop(parts, rx));
        (Recorder { tx }, task)
    }

    fn record(&self, done: Done) {
        // The loop ends only when every Recorder is dropped.
        let _ = self.tx.send(Note::Done(Box::new(done)));
    }

    /// Waits until everything recorded so far is written (or could not be).
    async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Note::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

async fn record_loop(parts: Arc<Parts>, mut rx: mpsc::UnboundedReceiver<Note>) {
    let mut pending: Vec<Done> = Vec::new();
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let first = match rx.recv().await {
            Some(n) => n,
            None => break,
        };
        let mut notes = vec![first];
        // Gather what else completes within the window, then write it in one transaction.
        let window = tokio::time::sleep(parts.config.record_every);
        tokio::pin!(window);
        if !matches!(notes[0], Note::Flush(_)) {
            loop {
                tokio::select! {
                    _ = &mut window => break,
                    n = rx.recv() => match n {
                        Some(n @ Note::Flush(_)) => { notes.push(n); break; }
                        Some(n) => notes.push(n),
                        None => break,
                    },
                }
            }
        }
        for n in notes {
            match n {
                Note::Done(d) => pending.push(*d),
                Note::Flush(tx) => waiting.push(tx),
            }
        }
        pending = write_outcomes(&parts, pending).await;
        for tx in waiting.drain(..) {
            let _ = tx.send(());
        }
    }
    if !pending.is_empty() {
        let left = write_outcomes(&parts, pending).await;
        if !left.is_empty() {
            tracing::error!(
                count = left.len(),
                "mail outcomes could not be written; they will be sent again"
            );
        }
    }
}

/// Writes outcomes; returns those that could not be written (kept for the next try).
async fn write_outcomes(parts: &Arc<Parts>, done: Vec<Done>) -> Vec<Done> {
    if done.is_empty() {
        return done;
    }
    let p = parts.clone();
    let handle = tokio::task::spawn_blocking(move || {
        let result =
            p.db.write()
                .map_err(anyhow::Error::from)
                .and_then(|mut conn| {
                    let now = p.clock.now_naive();
                    record(&mut conn, &p, &done, now).map_err(anyhow::Error::from)
                });
        (done, result)
    });
    match handle.await {
        Ok((_, Ok(counts))) => {
            parts
                .metrics
                .mail(counts.sent, counts.logged, counts.failed, counts.dead);
            Vec::new()
        }
        Ok((done, Err(e))) => {
            tracing::warn!(error = %format!("{e:#}"), "writing mail outcomes failed; trying again");
            done
        }
        Err(e) => {
            tracing::error!(error = %e, "the mail outcome writer failed");
            Vec::new()
        }
    }
}

/// What one group of outcomes recorded.
#[derive(Default)]
struct Counts {
    sent: u64,
    logged: u64,
    failed: u64,
    dead: u64,
}

/// One transaction for a group of outcomes. Items this worker no longer holds (taken over while
/// it was presumed dead) are left to their new holder.
fn record(
    conn: &mut AnyConnection,
    p: &Parts,
    done: &[Done],
    now: NaiveDateTime,
) -> QueryResult<Counts> {
    let worker = p.worker.id();
    crate::db::write_transaction(conn, |conn| {
        let ids: Vec<String> = done.iter().map(|d| d.item.id.clone()).collect();
        let held: std::collections::HashSet<String> = outcome::still_held(conn, &ids, worker)?
            .into_iter()
            .collect();
        let mut delivered: HashMap<Status, (Vec<String>, Vec<String>)> = HashMap::new();
        let mut counts = Counts::default();
        for d in done.iter().filter(|d| held.contains(&d.item.id)) {
            match &d.result {
                Ok(status) => {
                    let e = delivered.entry(*status).or_default();
                    e.0.push(d.item.id.clone());
                    e.1.push(d.mail_id.clone());
                }
                Err(error) => {
                    let mut item = d.item.clone();
                    item.max_attempts = p.config.max_attempts;
                    let backoff = p.config.backoff();
                    let status = outcome::fail(conn, &item, worker, error, now, backoff)?;
                    let (status, next) = match status {
                        Some(JobStatus::Dead) => (Status::Dead, now),
                        _ => (Status::Failed, now + backoff.after(item.attempts)),
                    };
                    if status == Status::Dead {
                        counts.dead += 1;
                        tracing::error!(to = %redacted_to(&d.mail_id), "a mail is dead after its last attempt; retry it from the mail log");
                    } else {
                        counts.failed += 1;
                    }
                    diesel::update(mail_outbox::table.find(&d.mail_id))
                        .set((
                            mail_outbox::status.eq(status),
                            mail_outbox::attempts.eq(item.attempts),
                            mail_outbox::next_attempt_at.eq(next),
                            mail_outbox::last_error
                                .eq(Some(error.chars().take(2000).collect::<String>())),
                        ))
                        .execute(conn)?;
                }
            }
        }
        for (status, (item_ids, mail_ids)) in delivered {
            outcome::complete(conn, &item_ids, worker, now)?;
            let n = diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&mail_ids)))
                .set((
                    mail_outbox::status.eq(status),
                    mail_outbox::sent_at.eq(Some(now)),
                    mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                    mail_outbox::last_error.eq(None::<String>),
                ))
                .execute(conn)? as u64;
            match status {
                Status::Logged => counts.logged += n,
                _ => counts.sent += n,
            }
        }
        Ok(counts)
    })
}

/// Mail ids go to the log, never addresses of people.
fn redacted_to(mail_id: &str) -> String {
    format!("mail {mail_id}")
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

/// Claims a batch of deliveries and marks their rows `sending`. Items whose row is gone or
/// needs no delivery any more (sent, logged, withdrawn) are completed at once.
fn claim_batch(
    conn: &mut AnyConnection,
    p: &Parts,
    now: NaiveDateTime,
) -> QueryResult<Vec<Claimed>> {
    let worker = p.worker.id();
    let lane = Lane::Only(&[DeliverMail::KIND]);
    let items = claim(
        conn,
        worker,
        lane,
        now,
        p.worker.timeout(),
        p.config.batch_size,
    )?;
    if items.is_empty() {
        return Ok(Vec::new());
    }
    crate::db::write_transaction(conn, |conn| {
        let mut by_mail: HashMap<String, Item> = HashMap::new();
        let mut unreadable = Vec::new();
        for item in items {
            match item.task::<DeliverMail>() {
                Ok(t) => {
                    by_mail.insert(t.mail_id, item);
                }
                Err(_) => unreadable.push(item.id),
            }
        }
        let mail_ids: Vec<String> = by_mail.keys().cloned().collect();
        let deliverable = [
            Status::Queued,
            Status::Sending,
            Status::Failed,
            Status::Dead,
        ];
        let rows: Vec<OutboxMail> = mail_outbox::table
            .filter(mail_outbox::id.eq_any(&mail_ids))
            .filter(mail_outbox::status.eq_any(deliverable))
            .select(OutboxMail::as_select())
            .load(conn)?;
        diesel::update(
            mail_outbox::table.filter(mail_outbox::id.eq_any(rows.iter().map(|m| &m.id))),
        )
        .set(mail_outbox::status.eq(Status::Sending))
        .execute(conn)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for mail in rows {
            if let Some(item) = by_mail.remove(&mail.id) {
                claimed.push(Claimed { item, mail });
            }
        }
        // Nothing to send for the rest (sent already, withdrawn, deleted).
        let nothing: Vec<String> = by_mail
            .into_values()
            .map(|i| i.id)
            .chain(unreadable)
            .collect();
        outcome::complete(conn, &nothing, worker, now)?;
        claimed.sort_by(|a, b| {
            b.item
                .priority
                .cmp(&a.item.priority)
                .then(a.item.due_at.cmp(&b.item.due_at))
        });
        Ok(claimed)
    })
}

/// Gives back items claimed but not sent, their rows queued again.
fn give_back(
    conn: &mut AnyConnection,
    worker: &str,
    unsent: &[(String, String)],
) -> QueryResult<usize> {
    if unsent.is_empty() {
        return Ok(0);
    }
    crate::db::write_transaction(conn, |conn| {
        let (items, mails): (Vec<String>, Vec<String>) = unsent.iter().cloned().unzip();
        let n = release(conn, worker, Some(&items))?;
        diesel::update(
            mail_outbox::table
                .filter(mail_outbox::id.eq_any(&mails))
                .filter(mail_outbox::status.eq(Status::Sending)),
        )
        .set(mail_outbox::status.eq(Status::Queued))
        .execute(conn)?;
        Ok(n)
    })
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

struct Parts {
    db: Db,
    clock: Clock,
    transport: Transport,
    from: Mailbox,
    config: WorkerConfig,
    worker: Worker,
    /// The site's secret key: credentials sealed in mail are derived from it when sent.
    secret: Vec<u8>,
    metrics: Metrics,
    /// Set on stop: no new send starts.
    stopping: AtomicBool,
}

/// The mail lane, bound to a database, transport, clock and worker. Cheap to clone.
#[derive(Clone)]
pub struct MailWorker {
    parts: Arc<Parts>,
}

impl MailWorker {
    /// The lane the settings describe (their transport, sender, delivery settings and key),
    /// claiming for `worker`.
    pub fn from_settings(
        db: Db,
        clock: Clock,
        settings: &Settings,
        worker: Worker,
        metrics: Metrics,
    ) -> anyhow::Result<MailWorker> {
        let secret = settings.secret_key.clone().ok_or_else(|| {
            anyhow::anyhow!("no secret key: call Settings::ensure_secret_key first")
        })?;
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| anyhow::anyhow!("GHENT_MAIL_FROM {:?}: {e}", settings.mail_from))?;
        Ok(MailWorker {
            parts: Arc::new(Parts {
                db,
                clock,
                transport: Transport::from_settings(settings)?,
                from,
                config: WorkerConfig::from_settings(settings),
                worker,
                secret,
                metrics,
                stopping: AtomicBool::new(false),
            }),
        })
    }

    /// The worker it claims for.
    pub fn worker(&self) -> &Worker {
        &self.parts.worker
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &Parts) -> QueryResult<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let p = self.parts.clone();
        let result = tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
            let mut conn = p.db.write()?;
            Ok(f(&mut conn, &p)?)
        })
        .await??;
        Ok(result)
    }

    /// Claims one batch and delivers it, its outcomes written as they come. Every claimed item
    /// ends sent, logged, failed, dead, or given back (when stopping).
    #[tracing::instrument(skip_all, fields(worker = %self.parts.worker.id()))]
    pub async fn run_batch(&self) -> anyhow::Result<BatchOutcome> {
        let (recorder, task) = Recorder::start(self.parts.clone());
        let outcome = self.batch(&recorder).await;
        drop(recorder);
        let _ = task.await;
        outcome
    }

    async fn batch(&self, recorder: &Recorder) -> anyhow::Result<BatchOutcome> {
        let p = &self.parts;
        if p.stopping.load(Ordering::Relaxed) || !p.worker.healthy() {
            return Ok(BatchOutcome::default());
        }
        let now = p.clock.now_naive();
        let claimed = self.blocking(move |c, p| claim_batch(c, p, now)).await?;
        let mut outcome = BatchOutcome {
            claimed: claimed.len(),
            ..BatchOutcome::default()
        };
        if claimed.is_empty() {
            return Ok(outcome);
        }
        let ids: Vec<String> = claimed.iter().map(|c| c.mail.id.clone()).collect();
        let db = p.db.clone();
        let mut attachments = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let mut conn = db.read()?;
            Ok(attachments_for(&mut conn, &ids)?)
        })
        .await??;
        let results: Vec<Sent> = futures_util::stream::iter(claimed)
            .map(|c| {
                let files = attachments.remove(&c.mail.id).unwrap_or_default();
                self.send_one(c, files, recorder)
            })
            .buffer_unordered(p.config.concurrency.max(1))
            .collect()
            .await;
        let mut unsent = Vec::new();
        for r in results {
            match r {
                Sent::Not(item, mail) => unsent.push((item, mail)),
                Sent::Delivered => outcome.delivered += 1,
                Sent::Failed => outcome.failed += 1,
            }
        }
        recorder.flush().await;
        let given_back = unsent.len();
        self.blocking(move |c, p| give_back(c, p.worker.id(), &unsent))
            .await?;
        if given_back > 0 {
            tracing::info!(given_back, "mail claimed but not sent was given back");
        }
        Ok(outcome)
    }

    /// Sends one claimed message and hands its outcome to the recorder. Not sent (stopping, or
    /// the heartbeat is failing): its item and mail ids, to give back.
    async fn send_one(&self, c: Claimed, files: Vec<AttachmentRow>, recorder: &Recorder) -> Sent {
        let p = &self.parts;
        if p.stopping.load(Ordering::Relaxed) || !p.worker.healthy() {
            return Sent::Not(c.item.id, c.mail.id);
        }
        let (out, files) = outgoing(&c.mail, files, &p.secret);
        let result = match build_message(&out, &files, &p.from, p.clock.now()) {
            Ok(message) => p.transport.deliver(message, &c.mail, &out).await,
            Err(e) => Err(e),
        };
        let sent = match &result {
            Ok(_) => Sent::Delivered,
            Err(error) => {
                tracing::warn!(mail = %c.mail.id, attempt = c.item.attempts, %error, "mail delivery failed");
                Sent::Failed
            }
        };
        recorder.record(Done {
            mail_id: c.mail.id,
            item: c.item,
            result,
        });
        sent
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

    /// Runs until `shutdown` turns true: a batch whenever woken or every poll interval. On stop,
    /// sends in flight get the grace period; what is left is given back.
    pub async fn run(self, notifier: Notifier, mut shutdown: watch::Receiver<bool>) {
        let p = self.parts.clone();
        tracing::info!(worker = %p.worker.id(), transport = ?p.transport, "mail worker started");
        let (recorder, task) = Recorder::start(p.clone());
        loop {
            if *shutdown.borrow() {
                break;
            }
            let batch = self.batch(&recorder);
            tokio::pin!(batch);
            let result = tokio::select! {
                r = &mut batch => r,
                _ = shutdown.changed() => {
                    p.stopping.store(true, Ordering::Relaxed);
                    match tokio::time::timeout(p.config.grace, &mut batch).await {
                        Ok(r) => r,
                        Err(_) => {
                            tracing::warn!("sends still in flight after the grace period; they will be sent again");
                            Ok(BatchOutcome::default())
                        }
                    }
                }
            };
            match result {
                Ok(o) if o.claimed as i64 == p.config.batch_size => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "mail worker batch failed"),
            }
            tokio::select! {
                _ = notifier.woken() => {}
                _ = tokio::time::sleep(p.config.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        drop(recorder);
        let _ = task.await;
        // Whatever is still held (a batch cut short) goes back to the queue.
        let worker = p.worker.id().to_string();
        let released = self
            .blocking(move |c, _| {
                let held: Vec<(String, String)> = held_mail(c, &worker)?;
                give_back(c, &worker, &held)
            })
            .await;
        match released {
            Ok(n) if n > 0 => tracing::info!(given_back = n, "unsent mail given back on stop"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "could not give back unsent mail"),
        }
        tracing::info!(worker = %p.worker.id(), "mail worker stopped");
    }
}

/// The (item, mail) ids of deliveries `worker` still holds.
fn held_mail(conn: &mut AnyConnection, worker: &str) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::jobs;
    let items: Vec<Item> = jobs::table
        .filter(jobs::claimed_by.eq(worker))
        .filter(jobs::status.eq(JobStatus::Running))
        .filter(jobs::kind.eq(DeliverMail::KIND))
        .select(Item::as_select())
        .load(conn)?;
    Ok(items
        .into_iter()
        .filter_map(|i| i.task::<DeliverMail>().ok().map(|t| (i.id, t.mail_id)))
        .collect())
}
