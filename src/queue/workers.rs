//! Workers and their heartbeats. Each running instance of Ghent (each `serve`, each
//! `send-mail`) registers one worker in `queue_workers` and renews its `heartbeat_at` every
//! `queue_heartbeat_millis` from a task of its own. Items the worker claims are held for as long
//! as that heartbeat is fresh; once it is older than `queue_worker_timeout_seconds` the worker is
//! dead to the others, and its items are claimed again.
//!
//! Why heartbeats on a workers table, not a lease per item: a lease must outlast the slowest
//! send or be renewed item by item (one write per message in flight, every few seconds); a
//! worker's heartbeat is one write per instance whatever it holds, a slow send on a live worker
//! is never taken from it, and every claim of a dead worker frees at once. Times are the
//! database's own (`clock_timestamp()`, SQLite's `'now'`), never the app clock that the demo and
//! the tests move, and one clock judges every instance.
//!
//! A worker that cannot renew its heartbeat for half the timeout stops starting new work
//! ([`Worker::healthy`]): by then the others may think it dead and take its items.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Timestamp;
use tokio::sync::watch;

use crate::db::schema::{jobs, queue_workers};
use crate::db::{AnyConnection, Db};

use super::JobStatus;

/// Now by the database's clock (UTC).
pub fn db_now(conn: &mut AnyConnection) -> QueryResult<NaiveDateTime> {
    match conn {
        AnyConnection::Postgresql(pg) => diesel::select(diesel::dsl::sql::<Timestamp>(
            "(clock_timestamp() AT TIME ZONE 'UTC')::timestamp",
        ))
        .get_result(pg),
        AnyConnection::Sqlite(sqlite) => diesel::select(diesel::dsl::sql::<Timestamp>(
            "strftime('%Y-%m-%d %H:%M:%f', 'now')",
        ))
        .get_result(sqlite),
    }
}

/// The ids of workers whose heartbeat is at most `timeout` old, by the database's clock.
pub fn live(conn: &mut AnyConnection, timeout: Duration) -> QueryResult<Vec<String>> {
    let since = db_now(conn)? - timeout;
    queue_workers::table
        .filter(queue_workers::heartbeat_at.ge(since))
        .select(queue_workers::id)
        .load(conn)
}

/// Gives back what `worker` holds (all of it, or the `only` items): queued again, this attempt
/// not counted. Returns how many items it gave back.
pub fn release(
    conn: &mut AnyConnection,
    worker: &str,
    only: Option<&[String]>,
) -> QueryResult<usize> {
    let mut q = diesel::update(jobs::table)
        .filter(jobs::claimed_by.eq(worker))
        .filter(jobs::status.eq(JobStatus::Running))
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(jobs::id.eq_any(ids));
    }
    q.set((
        jobs::status.eq(JobStatus::Queued),
        jobs::claimed_by.eq(None::<String>),
        jobs::attempts.eq(jobs::attempts - 1),
    ))
    .execute(conn)
}

/// A registered worker as the jobs page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkerInfo {
    /// Its id (as in `jobs.claimed_by`).
    pub id: String,
    /// What runs it, and its process id.
    pub name: String,
    /// Registered at (database clock, UTC).
    pub started_at: NaiveDateTime,
    /// Seconds since its last heartbeat.
    pub silent_seconds: i64,
    /// Its heartbeat is fresh: what it holds is its own.
    pub alive: bool,
}

/// Every registered worker, newest first, judged against `timeout`.
pub fn list(conn: &mut AnyConnection, timeout: Duration) -> QueryResult<Vec<WorkerInfo>> {
    let now = db_now(conn)?;
    let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = queue_workers::table
        .order(queue_workers::started_at.desc())
        .select((
            queue_workers::id,
            queue_workers::name,
            queue_workers::started_at,
            queue_workers::heartbeat_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, started_at, beat)| WorkerInfo {
            id,
            name,
            started_at,
            silent_seconds: (now - beat).num_seconds().max(0),
            alive: now - beat <= timeout,
        })
        .collect())
}

struct Inner {
    id: String,
    db: Db,
    heartbeat: StdDuration,
    timeout: Duration,
    started: Instant,
    /// Milliseconds after `started` of the last heartbeat that reached the database.
    last_beat: AtomicI64,
}

/// This instance's worker: its id (written in `jobs.claimed_by`) and heartbeat.
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("id", &self.inner.id)
            .finish()
    }
}

impl Worker {
    /// Registers a new worker named `name` (e.g. `serve`), with its first heartbeat.
    pub fn register(
        db: Db,
        name: &str,
        heartbeat: StdDuration,
        timeout: Duration,
    ) -> anyhow::Result<Worker> {
        let id = format!(
            "{name}-{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        {
            let mut conn = db.write()?;
            let now = db_now(&mut conn)?;
            diesel::insert_into(queue_workers::table)
                .values((
                    queue_workers::id.eq(&id),
                    queue_workers::name.eq(format!("{name} (pid {})", std::process::id())),
                    queue_workers::started_at.eq(now),
                    queue_workers::heartbeat_at.eq(now),
                ))
                .execute(&mut conn)?;
        }
        tracing::info!(worker = %id, "queue worker registered");
        Ok(Worker {
            inner: Arc::new(Inner {
                id,
                db,
                heartbeat,
                timeout,
                started: Instant::now(),
                last_beat: AtomicI64::new(0),
            }),
        })
    }

    /// The id items are claimed under.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// How old a heartbeat may be before its worker counts as dead.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The heartbeat reached the database within half the timeout: safe to start new work.
    pub fn healthy(&self) -> bool {
        let since_start = self.inner.started.elapsed().as_millis() as i64;
        let last = self.inner.last_beat.load(Ordering::Relaxed);
        since_start - last < self.inner.timeout.num_milliseconds() / 2
    }

    /// Renews the heartbeat once (by the database's clock).
    pub fn beat(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.db.write()?;
        let now = db_now(&mut conn)?;
        let n = diesel::update(queue_workers::table.find(&self.inner.id))
            .set(queue_workers::heartbeat_at.eq(now))
            .execute(&mut conn)?;
        if n == 0 {
            // Cleaned up as dead by another instance (after a long stall): come back.
            diesel::insert_into(queue_workers::table)
                .values((
                    queue_workers::id.eq(&self.inner.id),
                    queue_workers::name.eq("rejoined"),
                    queue_workers::started_at.eq(now),
                    queue_workers::heartbeat_at.eq(now),
                ))
                .execute(&mut conn)?;
        }
        let at = self.inner.started.elapsed().as_millis() as i64;
        self.inner.last_beat.store(at, Ordering::Relaxed);
        Ok(())
    }

    /// Beats every `queue_heartbeat_millis` until `shutdown`; now and then removes workers dead
    /// for an hour (their items were taken over long ago).
    pub async fn run_heartbeat(self, mut shutdown: watch::Receiver<bool>) {
        let mut ticks: u64 = 0;
        loop {
            let this = self.clone();
            let beat = tokio::task::spawn_blocking(move || {
                this.beat()?;
                if ticks.is_multiple_of(100) {
                    this.forget_long_dead()?;
                }
                anyhow::Ok(())
            })
            .await;
            match beat {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "heartbeat failed"),
                Err(e) => tracing::warn!(error = %e, "heartbeat task failed"),
            }
            ticks += 1;
            tokio::select! {
                _ = tokio::time::sleep(self.inner.heartbeat) => {}
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    fn forget_long_dead(&self) -> anyhow::Result<()> {
        let mut conn = self.inner.db.write()?;
        let cutoff = db_now(&mut conn)? - Duration::hours(1);
        diesel::delete(queue_workers::table.filter(queue_workers::heartbeat_at.lt(cutoff)))
            .execute(&mut conn)?;
        Ok(())
    }

    /// A clean stop: gives back everything this worker still holds and removes it.
    pub fn deregister(&self) -> anyhow::Result<usize> {
        let mut conn = self.inner.db.write()?;
        let given_back = release(&mut conn, &self.inner.id, None)?;
        diesel::delete(queue_workers::table.find(&self.inner.id)).execute(&mut conn)?;
        tracing::info!(worker = %self.inner.id, given_back, "queue worker stopped");
        Ok(given_back)
    }
}
