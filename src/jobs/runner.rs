//! The job runner: claims due jobs, runs each in its own transaction, records the outcome.

use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use serde_json::json;
use tokio::sync::watch;

use super::{claim, complete, fail, schedule, Job, NewJob};
use crate::clock::Clock;
use crate::db::{AnyConnection, Db};
use crate::error::{AppError, AppResult};
use crate::mail::worker::Notifier;
use crate::mail::Mailer;

/// Kind of the daily maintenance job (purges expired sessions, tokens and old login attempts).
pub const MAINTENANCE: &str = "maintenance.daily";

/// What a job may use besides the database.
#[derive(Clone)]
pub struct JobContext {
    /// To render and queue mail.
    pub mailer: Mailer,
}

/// Runs one job's work. Returns a follow-up job to queue when it completes.
#[tracing::instrument(skip_all, fields(job = %job.id, kind = %job.kind))]
pub fn execute(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    ctx: &JobContext,
    job: &Job,
) -> AppResult<Option<NewJob>> {
    match job.kind.as_str() {
        // Does nothing: lets operators and tests check that the runner runs.
        "noop" => Ok(None),
        MAINTENANCE => {
            let purged = crate::accounts::service::purge_expired(conn, now)?;
            // Attendees' personal data is deleted once an event's retention period is over.
            for event in crate::registration::privacy::due_for_purge(conn, now)? {
                let n = crate::registration::privacy::purge_event(
                    conn,
                    now,
                    &crate::accounts::Actor::system("retention"),
                    &event,
                )?;
                tracing::info!(event = %event.slug, attendees = n, "personal data purged after the retention period");
            }
            tracing::info!(purged, "daily maintenance done");
            Ok(Some(
                NewJob::new(MAINTENANCE, json!({}), now + Duration::days(1)).unique(MAINTENANCE),
            ))
        }
        "registration.expire" => {
            let id = job.payload()["registration_id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| missing(job, "registration_id"))?;
            crate::registration::lifecycle::expire(conn, now, &ctx.mailer, &id)?;
            Ok(None)
        }
        "cfp.remind" => {
            let id = job.payload()["proposal_id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| missing(job, "proposal_id"))?;
            crate::cfp::decisions::remind(conn, now, &ctx.mailer, &id, true)?;
            Ok(None)
        }
        "bulk.expand" => {
            let bulk_id = job.payload()["bulk_id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| missing(job, "bulk_id"))?;
            crate::mail::bulk::expand(conn, now, &ctx.mailer, &bulk_id)?;
            Ok(None)
        }
        other => Err(AppError::Internal(anyhow::anyhow!(
            "unknown job kind {other:?}"
        ))),
    }
}

/// A job whose payload lacks what its kind needs: a fault of whoever queued it, not input to
/// refuse, so it is a server error (logged, retried, then dead) rather than a 400.
fn missing(job: &Job, field: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!(
        "job {} ({}) has no {field} in its payload",
        job.id,
        job.kind
    ))
}

/// A job runner bound to a database and clock.
#[derive(Clone)]
pub struct JobRunner {
    db: Db,
    clock: Clock,
    ctx: JobContext,
    id: String,
    lease: Duration,
    poll: StdDuration,
    mail_notifier: Notifier,
}

impl JobRunner {
    /// A runner with a unique id.
    pub fn new(
        db: Db,
        clock: Clock,
        ctx: JobContext,
        lease: Duration,
        poll: StdDuration,
        mail_notifier: Notifier,
    ) -> JobRunner {
        let id = format!(
            "jobs-{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        JobRunner {
            db,
            clock,
            ctx,
            id,
            lease,
            poll,
            mail_notifier,
        }
    }

    /// This runner's id (as written in `jobs.locked_by`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs due jobs (one batch). Returns how many ran.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let this = self.clone();
        let ran = tokio::task::spawn_blocking(move || this.run_due_blocking()).await??;
        if ran > 0 {
            // Jobs often queue mail (reminders, offers); deliver it now rather than at the next poll.
            self.mail_notifier.wake();
        }
        Ok(ran)
    }

    fn run_due_blocking(&self) -> anyhow::Result<usize> {
        let now = self.clock.now_naive();
        let mut conn = self.db.write()?;
        let claimed = claim(&mut conn, now, now + self.lease, &self.id, 20)?;
        for job in &claimed {
            let now = self.clock.now_naive();
            let result =
                crate::db::write_transaction(&mut conn, |c| execute(c, now, &self.ctx, job));
            match result {
                Ok(follow_up) => complete(&mut conn, job, &self.id, now, follow_up)?,
                Err(e) => {
                    let error = crate::error::error_chain(&e);
                    let status = fail(&mut conn, job, &self.id, &error, now)?;
                    tracing::warn!(job = %job.id, kind = %job.kind, %status, %error, "job failed");
                }
            }
        }
        Ok(claimed.len())
    }

    /// Makes sure the daily maintenance job is queued.
    pub fn ensure_recurring(&self) -> anyhow::Result<()> {
        let now = self.clock.now_naive();
        let mut conn = self.db.write()?;
        schedule(
            &mut conn,
            now,
            NewJob::new(MAINTENANCE, json!({}), now).unique(MAINTENANCE),
        )?;
        Ok(())
    }

    /// Runs until `shutdown` turns true: a batch when woken or every poll interval.
    pub async fn run(self, woken: Notifier, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(runner = %self.id, "job runner started");
        let this = self.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || this.ensure_recurring())
            .await
            .map_err(anyhow::Error::from)
            .and_then(|r| r)
        {
            tracing::error!(error = %format!("{e:#}"), "could not queue the daily maintenance job");
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_due().await {
                Ok(20) => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "job runner batch failed"),
            }
            tokio::select! {
                _ = woken.woken() => {}
                _ = tokio::time::sleep(self.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!(runner = %self.id, "job runner stopped");
    }
}
