//! The registration domain's background jobs: a hold or an offer that runs out, seats to offer
//! after the organizers raised the capacity, and the daily purge of personal data once an
//! event's retention period is over. Registered in `crate::background`.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{lifecycle, privacy};
use crate::accounts::Actor;
use crate::context::{EventContext, JobContext};
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::lifecycle::CapacityRaised;
use crate::queue::registry::Job;
use crate::queue::{self, NewItem, Task};

/// Ends a pending hold or an offered seat that was not taken in time (the seat passes on).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpireHold {
    /// The registration.
    pub registration_id: String,
}

impl Task for ExpireHold {
    const KIND: &'static str = "registration.expire";
}

impl Job<JobContext> for ExpireHold {
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, cx: &JobContext) -> AppResult<()> {
        lifecycle::expire(conn, now, &cx.mailer, &self.registration_id)
    }
}

impl Job<JobContext> for CapacityRaised {
    /// Offers the seats the raise freed, in waiting-list order, with the event locked.
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, cx: &JobContext) -> AppResult<()> {
        lifecycle::with_event_locked(conn, &self.event_id, |conn| {
            let event = crate::events::queries::by_id(conn, &self.event_id)?;
            let ecx = EventContext::new(
                event,
                Actor::system("capacity raised"),
                now,
                cx.mailer.clone(),
            );
            lifecycle::fill_seats(conn, &ecx).map(drop)
        })
    }
}

/// Deletes attendees' personal data of every event whose retention period is over; daily.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RetentionPurge {}

impl Task for RetentionPurge {
    const KIND: &'static str = "registration.retention";
}

impl RetentionPurge {
    /// The next run, a day after `now` (one waiting at a time).
    pub fn next(now: NaiveDateTime) -> NewItem {
        NewItem::of(&RetentionPurge {}, now + Duration::days(1)).unique(Self::KIND)
    }
}

impl Job<JobContext> for RetentionPurge {
    fn run(&self, conn: &mut AnyConnection, now: NaiveDateTime, _: &JobContext) -> AppResult<()> {
        let actor = Actor::system("retention");
        for event in privacy::due_for_purge(conn, now)? {
            let n = privacy::purge_event(conn, now, &actor, &event)?;
            tracing::info!(event = %event.slug, attendees = n, "personal data purged after the retention period");
        }
        queue::enqueue(conn, now, Self::next(now))?;
        Ok(())
    }
}
