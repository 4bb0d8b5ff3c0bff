//! Background jobs: timed work stored in the database (expiring pending registrations and
//! waiting-list offers, reminders, retention purges, expanding bulk mail). The runner inside
//! `ghent serve` claims due jobs with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so
//! several instances never run one job at once; a failed job is retried with backoff, then
//! marked dead for a site administrator to see and retry. No broker, no second process.

pub mod runner;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::db::schema::jobs;
use crate::db::{new_id, text_enum, AnyConnection};

text_enum! {
    /// Where a job is in its life.
    pub enum JobStatus {
        /// Waiting for its time.
        Queued = "queued",
        /// Claimed by a runner (with a lease).
        Running = "running",
        /// Finished.
        Done = "done",
        /// The last run failed; another is scheduled.
        Failed = "failed",
        /// Every run failed; a site administrator may retry it.
        Dead = "dead",
    }
}

/// A job row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = jobs)]
pub struct Job {
    /// Random UUID.
    pub id: String,
    /// What to do, e.g. `maintenance.daily`.
    pub kind: String,
    /// Arguments (JSON).
    pub payload: String,
    /// Set while queued or running: stops the same job being queued twice.
    pub unique_key: Option<String>,
    /// Where it is.
    pub status: JobStatus,
    /// When it may run.
    pub due_at: NaiveDateTime,
    /// Runs so far.
    pub attempts: i32,
    /// Runs before it is dead.
    pub max_attempts: i32,
    /// Lease end while running.
    pub locked_until: Option<NaiveDateTime>,
    /// Which runner holds the lease.
    pub locked_by: Option<String>,
    /// Cause chain of the last failed run, for the jobs page.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Done at.
    pub finished_at: Option<NaiveDateTime>,
}

impl Job {
    /// The payload as JSON.
    pub fn payload(&self) -> Value {
        serde_json::from_str(&self.payload).unwrap_or(Value::Null)
    }
}

/// A job to schedule.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What the runner does with it (see `runner::execute`).
    pub kind: String,
    /// Arguments.
    pub payload: Value,
    /// When.
    pub due_at: NaiveDateTime,
    /// Dedupe key (e.g. `registration.expire:<id>`).
    pub unique_key: Option<String>,
    /// Runs before dead.
    pub max_attempts: i32,
}

impl NewJob {
    /// A job of `kind` due at `due_at`, five attempts.
    pub fn new(kind: &str, payload: Value, due_at: NaiveDateTime) -> NewJob {
        NewJob {
            kind: kind.to_string(),
            payload,
            due_at,
            unique_key: None,
            max_attempts: 5,
        }
    }

    /// With a dedupe key.
    pub fn unique(mut self, key: impl Into<String>) -> NewJob {
        self.unique_key = Some(key.into());
        self
    }
}

/// Queues a job. Returns false (and queues nothing) when a job with the same unique key is
/// already queued or running.
pub fn schedule(conn: &mut AnyConnection, now: NaiveDateTime, job: NewJob) -> QueryResult<bool> {
    if let Some(key) = &job.unique_key {
        let exists = diesel::select(diesel::dsl::exists(
            jobs::table.filter(jobs::unique_key.eq(key)),
        ))
        .get_result::<bool>(conn)?;
        if exists {
            return Ok(false);
        }
    }
    let row = Job {
        id: new_id(),
        kind: job.kind,
        payload: job.payload.to_string(),
        unique_key: job.unique_key,
        status: JobStatus::Queued,
        due_at: job.due_at,
        attempts: 0,
        max_attempts: job.max_attempts.max(1),
        locked_until: None,
        locked_by: None,
        last_error: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    // A savepoint, so that losing a race on the unique key does not abort the caller's transaction.
    let inserted = conn.transaction(|c| diesel::insert_into(jobs::table).values(&row).execute(c));
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims up to `limit` due jobs for `runner` until `lease_until`.
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    runner: &str,
    limit: i64,
) -> QueryResult<Vec<Job>> {
    let claimable = [JobStatus::Queued, JobStatus::Failed];
    crate::db::write_transaction(conn, |conn| {
        let ids: Vec<String> = match conn {
            AnyConnection::Postgresql(pg) => diesel::sql_query(
                "SELECT id FROM jobs WHERE (status IN ('queued', 'failed') AND due_at <= $1) \
                 OR (status = 'running' AND locked_until < $1) \
                 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<IdRow>(pg)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
            AnyConnection::Sqlite(_) => jobs::table
                .filter(
                    jobs::status
                        .eq_any(claimable)
                        .and(jobs::due_at.le(now))
                        .or(jobs::status
                            .eq(JobStatus::Running)
                            .and(jobs::locked_until.lt(now))),
                )
                .order(jobs::due_at)
                .limit(limit)
                .select(jobs::id)
                .load(conn)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(
            jobs::table.filter(jobs::id.eq_any(&ids)).filter(
                jobs::status.eq_any(claimable).or(jobs::status
                    .eq(JobStatus::Running)
                    .and(jobs::locked_until.lt(now))),
            ),
        )
        .set((
            jobs::status.eq(JobStatus::Running),
            jobs::locked_until.eq(Some(lease_until)),
            jobs::locked_by.eq(Some(runner)),
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
        jobs::table
            .filter(jobs::id.eq_any(&ids))
            .filter(jobs::status.eq(JobStatus::Running))
            .filter(jobs::locked_by.eq(runner))
            .filter(jobs::locked_until.eq(lease_until))
            .select(Job::as_select())
            .load(conn)
    })
}

/// Marks a job done, freeing its unique key, and queues its follow-up (e.g. the next daily run).
pub fn complete(
    conn: &mut AnyConnection,
    job: &Job,
    runner: &str,
    now: NaiveDateTime,
    follow_up: Option<NewJob>,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(jobs::table.find(&job.id).filter(jobs::locked_by.eq(runner)))
            .set((
                jobs::status.eq(JobStatus::Done),
                jobs::unique_key.eq(None::<String>),
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::finished_at.eq(Some(now)),
                jobs::updated_at.eq(now),
                jobs::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        if let Some(next) = follow_up {
            schedule(conn, now, next)?;
        }
        Ok(())
    })
}

/// Records a failed run: retry after a growing delay, or dead after the last attempt (the unique
/// key is freed then, so the work can be queued again).
pub fn fail(
    conn: &mut AnyConnection,
    job: &Job,
    runner: &str,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<JobStatus> {
    let dead = job.attempts >= job.max_attempts;
    let status = if dead {
        JobStatus::Dead
    } else {
        JobStatus::Failed
    };
    let delay = Duration::seconds(30) * (1i32 << job.attempts.clamp(1, 12).saturating_sub(1));
    diesel::update(jobs::table.find(&job.id).filter(jobs::locked_by.eq(runner)))
        .set((
            jobs::status.eq(status),
            jobs::due_at.eq(now + delay),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(Some(error.chars().take(2000).collect::<String>())),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
    if dead {
        diesel::update(jobs::table.find(&job.id))
            .set(jobs::unique_key.eq(None::<String>))
            .execute(conn)?;
    }
    Ok(status)
}

/// Puts a dead job back in the queue (site administrators).
pub fn retry(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::status.eq(JobStatus::Dead)),
    )
    .set((
        jobs::status.eq(JobStatus::Queued),
        jobs::attempts.eq(0),
        jobs::due_at.eq(now),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The newest jobs, optionally of one status.
pub fn list(
    conn: &mut AnyConnection,
    status: Option<JobStatus>,
    limit: i64,
) -> QueryResult<Vec<Job>> {
    let mut q = jobs::table
        .select(Job::as_select())
        .order(jobs::updated_at.desc())
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(jobs::status.eq(s));
    }
    q.load(conn)
}
