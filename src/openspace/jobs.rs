//! The open space's side of what the registration domain publishes: an erased attendee and a
//! purged event. Registered in `crate::background`.

use chrono::NaiveDateTime;

use crate::context::JobContext;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::queue::registry::Job;
use crate::registration::privacy::{AttendeeErased, AttendeesPurged};

impl Job<JobContext> for AttendeeErased {
    fn run(
        &self,
        conn: &mut AnyConnection,
        _now: NaiveDateTime,
        _cx: &JobContext,
    ) -> AppResult<()> {
        Ok(super::privacy::erase_registration(
            conn,
            &self.event_id,
            &self.registration_id,
        )?)
    }
}

impl Job<JobContext> for AttendeesPurged {
    fn run(
        &self,
        conn: &mut AnyConnection,
        _now: NaiveDateTime,
        _cx: &JobContext,
    ) -> AppResult<()> {
        Ok(super::privacy::purge_event(conn, &self.event_id)?)
    }
}
