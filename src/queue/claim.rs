//! Claiming due items. An item can be claimed when it is waiting (queued or failed) and due by
//! the app clock, or when it is running under a worker whose heartbeat is stale by the
//! database's clock (that worker died). On PostgreSQL the candidates are locked with
//! `FOR UPDATE SKIP LOCKED`, so instances claiming at once pass over each other's rows instead
//! of waiting; SQLite has one writer, and the guarded update is what decides there.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Timestamp};

use super::workers::{db_now, live};
use super::{Item, JobStatus};
use crate::db::schema::jobs;
use crate::db::AnyConnection;

/// Which kinds a lane takes.
#[derive(Debug, Clone, Copy)]
pub enum Lane<'a> {
    /// Only these kinds (the mail lane: `mail.deliver`).
    Only(&'a [&'a str]),
    /// Every kind but these (the job runner: all but the kinds other lanes own).
    Except(&'a [&'a str]),
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims up to `limit` items of `lane` for `worker`, highest priority first, then the longest
/// due. Each claimed item counts one more attempt. `timeout` is how old a heartbeat may be.
pub fn claim(
    conn: &mut AnyConnection,
    worker: &str,
    lane: Lane<'_>,
    now: NaiveDateTime,
    timeout: Duration,
    limit: i64,
) -> QueryResult<Vec<Item>> {
    crate::db::write_transaction(conn, |conn| {
        let alive = live(conn, timeout)?;
        let ids = candidates(conn, lane, now, &alive, limit)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let claimed_at = db_now(conn)?;
        let waiting = [JobStatus::Queued, JobStatus::Failed];
        // The guard repeats the condition, so a row another worker took meanwhile stays its own.
        diesel::update(
            jobs::table.filter(jobs::id.eq_any(&ids)).filter(
                jobs::status
                    .eq_any(waiting)
                    .and(jobs::due_at.le(now))
                    .or(jobs::status
                        .eq(JobStatus::Running)
                        .and(jobs::claimed_by.ne_all(&alive))),
            ),
        )
        .set((
            jobs::status.eq(JobStatus::Running),
            jobs::claimed_by.eq(Some(worker)),
            jobs::claimed_at.eq(Some(claimed_at)),
            jobs::attempts.eq(jobs::attempts + 1),
            jobs::updated_at.eq(now),
        ))
        .execute(conn)?;
        jobs::table
            .filter(jobs::id.eq_any(&ids))
            .filter(jobs::status.eq(JobStatus::Running))
            .filter(jobs::claimed_by.eq(worker))
            .filter(jobs::claimed_at.eq(claimed_at))
            .order((jobs::priority.desc(), jobs::due_at, jobs::created_at))
            .select(Item::as_select())
            .load(conn)
    })
}

/// The ids to try, in claiming order.
fn candidates(
    conn: &mut AnyConnection,
    lane: Lane<'_>,
    now: NaiveDateTime,
    alive: &[String],
    limit: i64,
) -> QueryResult<Vec<String>> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            let (kinds, op) = match lane {
                Lane::Only(k) => (k, "kind = ANY($1)"),
                Lane::Except(k) => (k, "kind <> ALL($1)"),
            };
            let sql = format!(
                "SELECT id FROM jobs WHERE {op} AND ( \
                   (status IN ('queued', 'failed') AND due_at <= $2) \
                   OR (status = 'running' AND claimed_by <> ALL($3))) \
                 ORDER BY priority DESC, due_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED"
            );
            let kinds: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
            Ok(diesel::sql_query(sql)
                .bind::<Array<Text>, _>(kinds)
                .bind::<Timestamp, _>(now)
                .bind::<Array<Text>, _>(alive.to_vec())
                .bind::<BigInt, _>(limit)
                .load::<IdRow>(pg)?
                .into_iter()
                .map(|r| r.id)
                .collect())
        }
        AnyConnection::Sqlite(_) => {
            let waiting = [JobStatus::Queued, JobStatus::Failed];
            let mut q = jobs::table
                .filter(
                    jobs::status
                        .eq_any(waiting)
                        .and(jobs::due_at.le(now))
                        .or(jobs::status
                            .eq(JobStatus::Running)
                            .and(jobs::claimed_by.ne_all(alive))),
                )
                .into_boxed();
            q = match lane {
                Lane::Only(k) => q.filter(jobs::kind.eq_any(k)),
                Lane::Except(k) => q.filter(jobs::kind.ne_all(k)),
            };
            q.order((jobs::priority.desc(), jobs::due_at, jobs::created_at))
                .limit(limit)
                .select(jobs::id)
                .load(conn)
        }
    }
}
