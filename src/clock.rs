//! The one clock every time-dependent rule reads (windows that open and close, link expiry,
//! retries, mail `Date` headers). It ticks at real speed from a configurable start, and tests
//! hold a handle to set and advance it. Nothing else in Ghent reads the system time.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

#[derive(Debug, Clone, Copy)]
struct Anchor {
    at: DateTime<Utc>,
    since: Instant,
}

/// A shared, cheap-to-clone clock.
#[derive(Debug, Clone)]
pub struct Clock {
    anchor: Arc<RwLock<Anchor>>,
}

impl Clock {
    /// The real time.
    pub fn system() -> Clock {
        Clock::starting_at(Utc::now())
    }

    /// A clock that reads `start` now and ticks at real speed from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            anchor: Arc::new(RwLock::new(Anchor {
                at: start,
                since: Instant::now(),
            })),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        // A poisoned lock only means a panic elsewhere while writing two Copy fields; the
        // value inside is still whole, so reading it is safe.
        let anchor = *self.anchor.read().unwrap_or_else(|e| e.into_inner());
        let elapsed = Duration::from_std(anchor.since.elapsed()).unwrap_or(Duration::zero());
        anchor.at + elapsed
    }

    /// The current instant as the naive UTC timestamp stored in the database.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now().naive_utc()
    }

    /// Moves the clock to `at`, from where it keeps ticking.
    pub fn set(&self, at: DateTime<Utc>) {
        let mut anchor = self.anchor.write().unwrap_or_else(|e| e.into_inner());
        *anchor = Anchor {
            at,
            since: Instant::now(),
        };
    }

    /// Moves the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        self.set(now + by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_started_clock_reads_its_start_and_ticks_forward() {
        let start = Utc.with_ymd_and_hms(2009, 11, 15, 17, 24, 0).unwrap();
        let clock = Clock::starting_at(start);
        let first = clock.now();
        assert!(first >= start && first - start < Duration::seconds(5));
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > first);
    }

    #[test]
    fn set_and_advance_are_seen_by_every_clone() {
        let clock = Clock::system();
        let other = clock.clone();
        let at = Utc.with_ymd_and_hms(2010, 6, 25, 9, 0, 0).unwrap();
        clock.set(at);
        other.advance(Duration::days(2));
        let now = clock.now();
        assert!(
            now >= at + Duration::days(2) && now < at + Duration::days(2) + Duration::seconds(5)
        );
    }
}
