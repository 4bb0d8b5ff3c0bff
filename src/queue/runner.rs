//! The job runner: the lane that claims every kind the other lanes do not own and runs it with
//! the [`Registry`]. Each job runs in its own transaction together with its completion.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use tokio::sync::watch;

use super::claim::{claim, Lane};
use super::outcome::{self, Backoff};
use super::registry::Registry;
use super::workers::Worker;
use super::Notifier;
use crate::clock::Clock;
use crate::db::Db;
use crate::metrics::Metrics;

/// Jobs claimed at once.
const BATCH: i64 = 20;

/// What a runner needs besides its jobs.
pub struct RunnerParts<C> {
    /// The database.
    pub db: Db,
    /// The app clock (due times).
    pub clock: Clock,
    /// This instance's worker.
    pub worker: Worker,
    /// Given to every job.
    pub context: C,
    /// The job types.
    pub registry: Registry<C>,
    /// Kinds other lanes own (never claimed here).
    pub foreign: &'static [&'static str],
    /// How often to look when nothing wakes it.
    pub poll: StdDuration,
    /// Woken after jobs ran (they often queue mail).
    pub after_run: Option<Notifier>,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
}

/// A job runner. Cheap to clone.
pub struct JobRunner<C> {
    parts: Arc<RunnerParts<C>>,
}

impl<C> Clone for JobRunner<C> {
    fn clone(&self) -> Self {
        JobRunner {
            parts: self.parts.clone(),
        }
    }
}

impl<C: Send + Sync + 'static> JobRunner<C> {
    /// A runner from its parts.
    pub fn new(parts: RunnerParts<C>) -> JobRunner<C> {
        JobRunner {
            parts: Arc::new(parts),
        }
    }

    /// The worker it claims for.
    pub fn worker(&self) -> &Worker {
        &self.parts.worker
    }

    /// Claims and runs one batch of due jobs. Returns how many ran.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let this = self.clone();
        let ran = tokio::task::spawn_blocking(move || this.run_due_blocking()).await??;
        if ran > 0 {
            if let Some(n) = &self.parts.after_run {
                n.wake();
            }
        }
        Ok(ran)
    }

    fn run_due_blocking(&self) -> anyhow::Result<usize> {
        let p = &*self.parts;
        if !p.worker.healthy() {
            return Ok(0);
        }
        let backoff = Backoff {
            base: Duration::seconds(30),
            cap: Duration::hours(6),
        };
        let mut conn = p.db.write()?;
        let (worker, timeout) = (p.worker.id(), p.worker.timeout());
        let now = p.clock.now_naive();
        let claimed = claim(
            &mut conn,
            worker,
            Lane::Except(p.foreign),
            now,
            timeout,
            BATCH,
        )?;
        for item in &claimed {
            let now = p.clock.now_naive();
            let ran = crate::db::write_transaction(&mut conn, |c| {
                p.registry.run(c, now, &p.context, item)?;
                if outcome::complete(c, std::slice::from_ref(&item.id), worker, now)? == 0 {
                    // Presumed dead, this worker lost the item to another: undo the work.
                    return Err(crate::error::AppError::Internal(anyhow::anyhow!(
                        "the claim was lost to another worker"
                    )));
                }
                crate::error::AppResult::Ok(())
            });
            match ran {
                Ok(()) => p.metrics.job_ran(&item.kind, true),
                Err(e) => {
                    let error = crate::error::error_chain(&e);
                    let status = outcome::fail(&mut conn, item, worker, &error, now, backoff)?;
                    p.metrics.job_ran(&item.kind, false);
                    tracing::warn!(job = %item.id, kind = %item.kind, ?status, %error, "job failed");
                }
            }
        }
        Ok(claimed.len())
    }

    /// Runs until `shutdown` turns true: a batch when woken or every poll interval.
    pub async fn run(self, woken: Notifier, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.parts.worker.id(), kinds = ?self.parts.registry.kinds(), "job runner started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_due().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "job runner batch failed"),
            }
            tokio::select! {
                _ = woken.woken() => {}
                _ = tokio::time::sleep(self.parts.poll) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("job runner stopped");
    }
}
