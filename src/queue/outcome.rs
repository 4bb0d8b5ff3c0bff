//! What happened to claimed items. Every update is guarded by `claimed_by = worker` and
//! `status = running`: a worker that was presumed dead and lost its items to another finds its
//! outcomes ignored instead of overwriting the other's.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{Item, JobStatus};
use crate::db::schema::jobs;
use crate::db::AnyConnection;

/// The delay before the next attempt: `base × 2^(attempts − 1)`, at most `cap`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
}

impl Backoff {
    /// The delay after `attempts` runs.
    pub fn after(&self, attempts: i32) -> Duration {
        let factor = 1i32 << attempts.clamp(1, 20).saturating_sub(1);
        std::cmp::min(self.base * factor, self.cap)
    }
}

/// Of `ids`, those `worker` still holds.
pub fn still_held(
    conn: &mut AnyConnection,
    ids: &[String],
    worker: &str,
) -> QueryResult<Vec<String>> {
    jobs::table
        .filter(jobs::id.eq_any(ids))
        .filter(jobs::claimed_by.eq(worker))
        .filter(jobs::status.eq(JobStatus::Running))
        .select(jobs::id)
        .load(conn)
}

/// Marks items done. Returns how many were still the worker's.
pub fn complete(
    conn: &mut AnyConnection,
    ids: &[String],
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        jobs::table
            .filter(jobs::id.eq_any(ids))
            .filter(jobs::claimed_by.eq(worker))
            .filter(jobs::status.eq(JobStatus::Running)),
    )
    .set((
        jobs::status.eq(JobStatus::Done),
        jobs::unique_key.eq(None::<String>),
        jobs::finished_at.eq(Some(now)),
        jobs::updated_at.eq(now),
        jobs::last_error.eq(None::<String>),
    ))
    .execute(conn)
}

/// Records a failed run: retried after the backoff, or dead after the last attempt. Returns
/// the new status, or `None` if the item was no longer the worker's.
pub fn fail(
    conn: &mut AnyConnection,
    item: &Item,
    worker: &str,
    error: &str,
    now: NaiveDateTime,
    backoff: Backoff,
) -> QueryResult<Option<JobStatus>> {
    let status = if item.attempts >= item.max_attempts {
        JobStatus::Dead
    } else {
        JobStatus::Failed
    };
    let error: String = error.chars().take(2000).collect();
    let held = jobs::table
        .find(&item.id)
        .filter(jobs::claimed_by.eq(worker))
        .filter(jobs::status.eq(JobStatus::Running));
    let set = (
        jobs::status.eq(status),
        jobs::due_at.eq(now + backoff.after(item.attempts)),
        jobs::last_error.eq(Some(&error)),
        jobs::updated_at.eq(now),
    );
    // Waiting again, the item takes its unique key back: if an equal item was queued meanwhile,
    // that one stands and this one ends (savepoint, so the caller's transaction survives).
    let updated = conn.transaction(|c| diesel::update(held).set(set).execute(c));
    let n = match updated {
        Err(e) if crate::db::is_unique_violation(&e) => diesel::update(held)
            .set((
                jobs::status.eq(JobStatus::Done),
                jobs::unique_key.eq(None::<String>),
                jobs::finished_at.eq(Some(now)),
                jobs::last_error.eq(Some(format!("{error} (an equal job was queued since)"))),
                jobs::updated_at.eq(now),
            ))
            .execute(conn)?,
        other => other?,
    };
    Ok((n > 0).then_some(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Backoff {
            base: Duration::seconds(30),
            cap: Duration::days(1),
        };
        assert_eq!(b.after(1), Duration::seconds(30));
        assert_eq!(b.after(2), Duration::seconds(60));
        assert_eq!(b.after(3), Duration::seconds(120));
        assert_eq!(b.after(30), Duration::days(1));
    }
}
