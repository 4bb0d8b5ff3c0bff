//! The background work of one running instance, in one place: every job type registered, the
//! recurring jobs seeded, and the lanes built (the job runner, the mail lane) over this
//! instance's queue worker and its heartbeat. `ghent serve` runs them next to the HTTP server;
//! `ghent send-mail` runs the mail lane alone; tests drive them directly.

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use tokio::sync::watch;

use crate::accounts::jobs::PurgeExpired;
use crate::cfp::decisions::RemindSpeaker;
use crate::clock::Clock;
use crate::config::Settings;
use crate::context::JobContext;
use crate::db::{AnyConnection, Db};
use crate::events::lifecycle::CapacityRaised;
use crate::mail::outbox::DeliverMail;
use crate::mail::worker::MailWorker;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::outreach::bulk::ExpandBulk;
use crate::queue::registry::Registry;
use crate::queue::runner::{JobRunner, RunnerParts};
use crate::queue::workers::Worker;
use crate::queue::{self, Noop, Notifier, Task};
use crate::registration::jobs::{ExpireHold, RetentionPurge};
use crate::registration::privacy::{AttendeeErased, AttendeesPurged};
use crate::webhooks::deliver::WebhookLane;
use crate::webhooks::emit::DeliverWebhook;

/// Kinds that lanes other than the job runner own (they do async I/O in batches).
pub const LANE_KINDS: &[&str] = &[DeliverMail::KIND, DeliverWebhook::KIND];

/// Every job type the runner runs.
pub fn registry() -> Registry<JobContext> {
    Registry::new()
        .register::<Noop>()
        .register::<ExpireHold>()
        .register::<CapacityRaised>()
        .register::<RetentionPurge>()
        .register::<PurgeExpired>()
        .register::<RemindSpeaker>()
        .register::<ExpandBulk>()
        .register::<AttendeeErased>()
        .register::<AttendeesPurged>()
        .register::<crate::outreach::notices::AnnounceOpening>()
}

/// Queues the recurring jobs unless they are waiting already (at every start).
pub fn seed_recurring(conn: &mut AnyConnection, now: NaiveDateTime) -> diesel::QueryResult<()> {
    // Due now: the first run happens at start, then daily.
    let day = Duration::days(1);
    queue::enqueue(conn, now, RetentionPurge::next(now - day))?;
    queue::enqueue(conn, now, PurgeExpired::next(now - day))?;
    Ok(())
}

/// Registers this instance's queue worker (named after what runs it, e.g. `serve`).
pub fn register_worker(db: &Db, settings: &Settings, name: &str) -> anyhow::Result<Worker> {
    Worker::register(
        db.clone(),
        name,
        StdDuration::from_millis(settings.queue_heartbeat_millis),
        Duration::seconds(settings.queue_worker_timeout_seconds as i64),
    )
}

/// The job runner over `worker`; it wakes `mail` after jobs ran (they often queue mail).
pub fn job_runner(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    worker: &Worker,
    mailer: &Mailer,
    mail: &Notifier,
    metrics: &Metrics,
) -> JobRunner<JobContext> {
    JobRunner::new(RunnerParts {
        db: db.clone(),
        clock: clock.clone(),
        worker: worker.clone(),
        context: JobContext {
            mailer: mailer.clone(),
        },
        registry: registry(),
        foreign: LANE_KINDS,
        poll: StdDuration::from_millis(settings.jobs_poll_millis),
        after_run: Some(mail.clone()),
        metrics: metrics.clone(),
    })
}

/// The lanes of one instance.
#[derive(Clone)]
pub struct Lanes {
    /// The database (to seed the recurring jobs).
    pub db: Db,
    /// The app clock.
    pub clock: Clock,
    /// The instance's queue worker (its heartbeat).
    pub worker: Worker,
    /// Mail delivery.
    pub mail: MailWorker,
    /// Everything else.
    pub jobs: JobRunner<JobContext>,
    /// Webhook delivery.
    pub webhooks: WebhookLane,
}

impl Lanes {
    /// Runs only the heartbeat until `shutdown` (the lanes are driven by hand), then leaves.
    pub async fn heartbeat_only(self, shutdown: watch::Receiver<bool>) {
        self.worker.clone().run_heartbeat(shutdown).await;
        let worker = self.worker.clone();
        let _ = tokio::task::spawn_blocking(move || worker.deregister()).await;
    }

    /// Runs the heartbeat and the lanes until `shutdown`; then the lanes stop (sends in
    /// flight get the grace period), and the worker gives back what is left and leaves.
    pub async fn run(
        self,
        mail: Notifier,
        jobs: Notifier,
        hooks: Notifier,
        shutdown: watch::Receiver<bool>,
    ) {
        let beat = tokio::spawn(self.worker.clone().run_heartbeat(shutdown.clone()));
        let (db, now) = (self.db.clone(), self.clock.now_naive());
        let seeding = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = db.write()?;
            Ok(seed_recurring(&mut conn, now)?)
        });
        if let Ok(Err(e)) = seeding.await {
            tracing::error!(error = %format!("{e:#}"), "could not queue the recurring jobs");
        }
        let lanes = tokio::join!(
            tokio::spawn(self.mail.run(mail, shutdown.clone())),
            tokio::spawn(self.jobs.run(jobs, shutdown.clone())),
            tokio::spawn(self.webhooks.run(hooks, shutdown)),
        );
        if let (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) = lanes {
            tracing::error!(error = %e, "a queue lane failed");
        }
        let _ = beat.await;
        let worker = self.worker.clone();
        match tokio::task::spawn_blocking(move || worker.deregister()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %format!("{e:#}"), "could not deregister the queue worker")
            }
            Err(e) => tracing::warn!(error = %e, "deregistering the queue worker failed"),
        }
    }
}
