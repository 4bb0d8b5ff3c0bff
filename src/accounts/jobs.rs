//! The accounts' daily clean-up: expired sessions and old login attempts. Registered in
//! `crate::background`.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::queue::registry::Job;
use crate::queue::{self, NewItem, Task};

/// Deletes expired sessions and login attempts older than 30 days; daily.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PurgeExpired {}

impl Task for PurgeExpired {
    const KIND: &'static str = "accounts.purge_expired";
}

impl PurgeExpired {
    /// The next run, a day after `now` (one waiting at a time).
    pub fn next(now: NaiveDateTime) -> NewItem {
        NewItem::of(&PurgeExpired {}, now + Duration::days(1)).unique(Self::KIND)
    }
}

impl<C> Job<C> for PurgeExpired {
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, _: &C) -> AppResult<()> {
        let purged =
            super::service::purge_expired(conn, now)? + crate::api::idempotency::purge(conn, now)?;
        tracing::info!(
            purged,
            "expired sessions, old login attempts and idempotency keys deleted"
        );
        queue::enqueue(conn, now, Self::next(now))?;
        Ok(())
    }
}
