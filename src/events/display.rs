//! Dates and times shown in an event's own timezone, the way people read them.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// A stored UTC timestamp in timezone `tz`.
pub fn local(t: NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    tz.from_utc_datetime(&t)
}

/// "Friday 30 October 2009, 09:00 CET".
pub fn datetime(t: NaiveDateTime, tz: Tz) -> String {
    local(t, tz).format("%A %-d %B %Y, %H:%M %Z").to_string()
}

/// "30 Oct 2009 09:00": compact, for tables.
pub fn short_datetime(t: NaiveDateTime, tz: Tz) -> String {
    local(t, tz).format("%-d %b %Y %H:%M").to_string()
}

/// "Friday 30 October 2009".
pub fn date(t: NaiveDateTime, tz: Tz) -> String {
    local(t, tz).format("%A %-d %B %Y").to_string()
}

/// "09:00".
pub fn time(t: NaiveDateTime, tz: Tz) -> String {
    local(t, tz).format("%H:%M").to_string()
}

/// "30–31 October 2009", "30 October – 2 November 2009", "31 December 2009 – 1 January 2010",
/// or one date when the event fits in a day.
pub fn date_range(start: NaiveDateTime, end: NaiveDateTime, tz: Tz) -> String {
    let (s, e) = (local(start, tz), local(end, tz));
    if s.date_naive() == e.date_naive() {
        s.format("%A %-d %B %Y").to_string()
    } else if s.year() == e.year() && s.month() == e.month() {
        format!("{}–{}", s.format("%-d"), e.format("%-d %B %Y"))
    } else if s.year() == e.year() {
        format!("{} – {}", s.format("%-d %B"), e.format("%-d %B %Y"))
    } else {
        format!("{} – {}", s.format("%-d %B %Y"), e.format("%-d %B %Y"))
    }
}

/// "09:00–18:00 CET" for the daily hours of an event.
pub fn time_range(start: NaiveDateTime, end: NaiveDateTime, tz: Tz) -> String {
    let (s, e) = (local(start, tz), local(end, tz));
    format!(
        "{}–{} {}",
        s.format("%H:%M"),
        e.format("%H:%M"),
        e.format("%Z")
    )
}

/// RFC 3339 in UTC, for `<time datetime="…">` and machine-readable output.
pub fn iso_utc(t: NaiveDateTime) -> String {
    t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn ghent_2009_reads_in_brussels_time() {
        let tz: Tz = "Europe/Brussels".parse().unwrap();
        let (s, e) = (t("2009-10-30 08:00"), t("2009-10-31 17:00"));
        assert_eq!(date_range(s, e, tz), "30–31 October 2009");
        assert_eq!(time_range(s, e, tz), "09:00–18:00 CET");
        assert_eq!(datetime(s, tz), "Friday 30 October 2009, 09:00 CET");
        assert_eq!(iso_utc(s), "2009-10-30T08:00:00Z");
    }

    #[test]
    fn ranges_across_months_and_years() {
        let tz = Tz::UTC;
        assert_eq!(
            date_range(t("2009-10-30 08:00"), t("2009-11-02 17:00"), tz),
            "30 October – 2 November 2009"
        );
        assert_eq!(
            date_range(t("2009-12-31 08:00"), t("2010-01-01 17:00"), tz),
            "31 December 2009 – 1 January 2010"
        );
        assert_eq!(
            date_range(t("2010-06-25 16:00"), t("2010-06-25 23:00"), tz),
            "Friday 25 June 2010"
        );
    }
}
