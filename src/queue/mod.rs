//! One durable queue for all work that waits: background jobs (expiring holds, reminders,
//! expanding bulk mail, maintenance), mail delivery (one item per outbox row) and, later,
//! webhook delivery. Items live in the `jobs` table, written in the same transaction as the
//! change that causes them.
//!
//! - [`Task`]: what may wait in the queue (a kind, a serde payload, a priority, a unique key).
//!   [`registry::Job`] adds a synchronous `run` for the job runner; mail and webhooks have lanes
//!   of their own that claim their kind and do async I/O.
//! - [`claim`]: takes due items for a worker (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
//!   single writer), highest priority first.
//! - [`workers`]: each running instance registers and renews a heartbeat; what a worker claimed
//!   stays its own while its heartbeat is fresh by the database's clock, and goes back to the
//!   others once it is stale. No lease ends under a slow but live worker.
//! - [`outcome`]: done, failed with backoff, dead after the last attempt, released on stop.

pub mod claim;
pub mod outcome;
pub mod registry;
pub mod runner;
pub mod workers;

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::Notify;

use crate::db::schema::jobs;
use crate::db::{new_id, text_enum, AnyConnection};

text_enum! {
    /// Where a queued item is in its life.
    pub enum JobStatus {
        /// Waiting for its time.
        Queued = "queued",
        /// Claimed by a worker (held while that worker's heartbeat is fresh).
        Running = "running",
        /// Finished.
        Done = "done",
        /// The last run failed; another is scheduled.
        Failed = "failed",
        /// Every run failed; a site administrator may retry it.
        Dead = "dead",
    }
}

/// A queued item: a row of `jobs`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = jobs)]
pub struct Item {
    /// Random UUID.
    pub id: String,
    /// Which [`Task`] it is (its `KIND`).
    pub kind: String,
    /// The task itself, as JSON.
    pub payload: String,
    /// While waiting (queued or failed), no other waiting item has this key.
    pub unique_key: Option<String>,
    /// Where it is.
    pub status: JobStatus,
    /// Higher is claimed first (a confirmation mail before a bulk mail).
    pub priority: i32,
    /// When it may run (by the app clock, which the demo and tests move).
    pub due_at: NaiveDateTime,
    /// Runs so far, the current one included.
    pub attempts: i32,
    /// Runs before it is dead.
    pub max_attempts: i32,
    /// The worker that holds it (or held it last).
    pub claimed_by: Option<String>,
    /// When it was claimed, by the database's clock.
    pub claimed_at: Option<NaiveDateTime>,
    /// Cause chain of the last failed run, for the jobs page.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Done at.
    pub finished_at: Option<NaiveDateTime>,
}

impl Item {
    /// The task this item carries.
    pub fn task<T: Task>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }
}

/// Work that may wait in the queue. The payload is the value itself, serialized; `KIND` names
/// the type in the table, so a kind must never be renamed while items of it may be waiting.
pub trait Task: Serialize + DeserializeOwned {
    /// The stored kind, unique across tasks, e.g. `registration.expire`.
    const KIND: &'static str;
    /// Higher is claimed first.
    const PRIORITY: i32 = 0;
    /// Runs before the item is dead.
    const MAX_ATTEMPTS: i32 = 5;
}

/// An item to queue: a task with its time, priority, attempts and unique key.
#[derive(Debug, Clone)]
pub struct NewItem {
    kind: &'static str,
    payload: String,
    due_at: NaiveDateTime,
    priority: i32,
    max_attempts: i32,
    unique_key: Option<String>,
}

impl NewItem {
    /// `task`, due at `due_at`, with its type's priority and attempts.
    pub fn of<T: Task>(task: &T, due_at: NaiveDateTime) -> NewItem {
        NewItem {
            kind: T::KIND,
            // A derived Serialize of plain fields cannot fail; "null" would fail loudly on run.
            payload: serde_json::to_string(task).unwrap_or_else(|_| "null".into()),
            due_at,
            priority: T::PRIORITY,
            max_attempts: T::MAX_ATTEMPTS,
            unique_key: None,
        }
    }

    /// Not queued while another waiting item has `key`.
    pub fn unique(mut self, key: impl Into<String>) -> NewItem {
        self.unique_key = Some(key.into());
        self
    }

    /// Another priority than the type's.
    pub fn priority(mut self, priority: i32) -> NewItem {
        self.priority = priority;
        self
    }

    /// Another number of attempts than the type's.
    pub fn attempts(mut self, max_attempts: i32) -> NewItem {
        self.max_attempts = max_attempts.max(1);
        self
    }
}

/// Queues an item; returns false (and queues nothing) when a waiting item has its unique key.
/// Call it inside the transaction of the change that needs the work.
pub fn enqueue(conn: &mut AnyConnection, now: NaiveDateTime, item: NewItem) -> QueryResult<bool> {
    let row = Item {
        id: new_id(),
        kind: item.kind.to_string(),
        payload: item.payload,
        unique_key: item.unique_key,
        status: JobStatus::Queued,
        priority: item.priority,
        due_at: item.due_at,
        attempts: 0,
        max_attempts: item.max_attempts,
        claimed_by: None,
        claimed_at: None,
        last_error: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    // A savepoint, so that losing a race on the unique key leaves the caller's transaction intact.
    let inserted = conn.transaction(|c| diesel::insert_into(jobs::table).values(&row).execute(c));
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Queues `task` due at `due_at` with its type's defaults (see [`enqueue`]).
pub fn push<T: Task>(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    task: &T,
    due_at: NaiveDateTime,
) -> QueryResult<bool> {
    enqueue(conn, now, NewItem::of(task, due_at))
}

/// Puts a dead item back in the queue with its attempts from zero (site administrators).
/// Returns 0 if it is not dead, or if an equal item is waiting already.
pub fn retry(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    let revived = conn.transaction(|c| {
        diesel::update(
            jobs::table
                .find(id)
                .filter(jobs::status.eq(JobStatus::Dead)),
        )
        .set(requeued(now))
        .execute(c)
    });
    match revived {
        Err(e) if crate::db::is_unique_violation(&e) => Ok(0),
        other => other,
    }
}

/// Puts the dead or failed item with `unique_key` back in the queue, due now, attempts from
/// zero (the mail log's "retry"). Returns how many items it revived (0 or 1).
pub fn revive(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    unique_key: &str,
) -> QueryResult<usize> {
    let ended = [JobStatus::Dead, JobStatus::Failed];
    let target = jobs::table
        .filter(jobs::unique_key.eq(unique_key))
        .filter(jobs::status.eq_any(ended));
    // A failed item is waiting already (and holds the key): reset it in place.
    diesel::update(target).set(requeued(now)).execute(conn)
}

/// The columns of an item queued again from scratch.
#[allow(clippy::type_complexity)]
fn requeued(
    now: NaiveDateTime,
) -> (
    diesel::dsl::Eq<jobs::status, JobStatus>,
    diesel::dsl::Eq<jobs::attempts, i32>,
    diesel::dsl::Eq<jobs::due_at, NaiveDateTime>,
    diesel::dsl::Eq<jobs::updated_at, NaiveDateTime>,
    diesel::dsl::Eq<jobs::claimed_by, Option<String>>,
) {
    (
        jobs::status.eq(JobStatus::Queued),
        jobs::attempts.eq(0),
        jobs::due_at.eq(now),
        jobs::updated_at.eq(now),
        jobs::claimed_by.eq(None::<String>),
    )
}

/// Whether an item with `unique_key` is waiting or running.
pub fn pending(conn: &mut AnyConnection, unique_key: &str) -> QueryResult<bool> {
    let open = [JobStatus::Queued, JobStatus::Failed, JobStatus::Running];
    diesel::select(diesel::dsl::exists(
        jobs::table
            .filter(jobs::unique_key.eq(unique_key))
            .filter(jobs::status.eq_any(open)),
    ))
    .get_result(conn)
}

/// The newest items, optionally of one status and one kind.
pub fn list(
    conn: &mut AnyConnection,
    status: Option<JobStatus>,
    kind: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Item>> {
    let mut q = jobs::table
        .select(Item::as_select())
        .order(jobs::updated_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(jobs::status.eq(s));
    }
    if let Some(k) = kind {
        q = q.filter(jobs::kind.eq(k.to_string()));
    }
    q.load(conn)
}

/// How the queue stands for one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct KindDepth {
    /// The kind.
    pub kind: String,
    /// Waiting (queued or failed), due or not.
    pub waiting: i64,
    /// Waiting and due now (by the app clock).
    pub due: i64,
    /// Held by a worker.
    pub running: i64,
    /// Given up on.
    pub dead: i64,
    /// The due time of the oldest waiting item.
    pub oldest_due: Option<NaiveDateTime>,
}

/// Queue depth per kind: what the jobs page and `/metrics` show. Done items are not counted.
pub fn depths(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<KindDepth>> {
    let rows: Vec<(String, JobStatus, i64, Option<NaiveDateTime>)> = jobs::table
        .filter(jobs::status.ne(JobStatus::Done))
        .group_by((jobs::kind, jobs::status))
        .select((
            jobs::kind,
            jobs::status,
            diesel::dsl::count_star(),
            diesel::dsl::min(jobs::due_at),
        ))
        .load(conn)?;
    let waiting = [JobStatus::Queued, JobStatus::Failed];
    let due: Vec<(String, i64)> = jobs::table
        .filter(jobs::status.eq_any(waiting))
        .filter(jobs::due_at.le(now))
        .group_by(jobs::kind)
        .select((jobs::kind, diesel::dsl::count_star()))
        .load(conn)?;
    let mut by_kind: std::collections::BTreeMap<String, KindDepth> = Default::default();
    for (kind, status, n, oldest) in rows {
        let d = by_kind.entry(kind.clone()).or_insert_with(|| KindDepth {
            kind,
            ..KindDepth::default()
        });
        match status {
            JobStatus::Queued | JobStatus::Failed => {
                d.waiting += n;
                d.oldest_due = match (d.oldest_due, oldest) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            JobStatus::Running => d.running += n,
            JobStatus::Dead => d.dead += n,
            JobStatus::Done => {}
        }
    }
    for (kind, n) in due {
        if let Some(d) = by_kind.get_mut(&kind) {
            d.due = n;
        }
    }
    Ok(by_kind.into_values().collect())
}

/// Wakes a lane right after something was queued, instead of at its next poll. Cheap to clone;
/// waking with nobody waiting makes the next wait return at once.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    notify: Arc<Notify>,
}

impl Notifier {
    /// A new handle.
    pub fn new() -> Notifier {
        Notifier::default()
    }

    /// Wakes the lane (or makes its next wait return at once).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits until woken.
    pub async fn woken(&self) {
        self.notify.notified().await;
    }
}

/// Does nothing: lets operators and tests check that the runner runs.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Noop {}

impl Task for Noop {
    const KIND: &'static str = "noop";
}

impl<C> registry::Job<C> for Noop {
    fn run(&self, _: &mut AnyConnection, _: NaiveDateTime, _: &C) -> crate::error::AppResult<()> {
        Ok(())
    }
}
