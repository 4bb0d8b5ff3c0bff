//! A per-address rate limit for public forms (registration, speaker sign-in): at most N posts
//! per client address per minute of the app clock. In memory, per process: it slows down a
//! flood; it is not a quota.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

/// Where a key stands in its window.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    /// This hit is within the limit.
    pub allowed: bool,
    /// Hits per window (0: unlimited).
    pub limit: u32,
    /// Hits left in this window.
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset_seconds: u32,
}

/// Fixed one-minute windows per key.
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (NaiveDateTime, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` hits per key per minute; 0 turns it off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key` at `now`; false when over the limit.
    pub fn allow(&self, key: &str, now: NaiveDateTime) -> bool {
        self.check(key, now).allowed
    }

    /// Counts a hit for `key` at `now` and says where the key stands.
    pub fn check(&self, key: &str, now: NaiveDateTime) -> Quota {
        let open = Quota {
            allowed: true,
            limit: self.per_minute,
            remaining: self.per_minute,
            reset_seconds: 60,
        };
        if self.per_minute == 0 {
            return open;
        }
        let Ok(mut windows) = self.windows.lock() else {
            return open;
        };
        if windows.len() > 50_000 {
            windows.retain(|_, (start, _)| now - *start < Duration::minutes(1));
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= Duration::minutes(1) || now < entry.0 {
            *entry = (now, 0);
        }
        entry.1 += 1;
        let reset = (Duration::minutes(1) - (now - entry.0))
            .num_seconds()
            .clamp(1, 60) as u32;
        Quota {
            allowed: entry.1 <= self.per_minute,
            limit: self.per_minute,
            remaining: self.per_minute.saturating_sub(entry.1),
            reset_seconds: reset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key_and_resets_each_minute() {
        let t = NaiveDateTime::parse_from_str("2009-11-15 17:24:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let l = RateLimiter::new(2);
        assert!(l.allow("a", t) && l.allow("a", t));
        assert!(!l.allow("a", t));
        assert!(l.allow("b", t));
        assert!(l.allow("a", t + Duration::seconds(61)));
        let off = RateLimiter::new(0);
        assert!((0..100).all(|_| off.allow("a", t)));
    }
}
