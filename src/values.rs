//! Typed values parsed once from user input, at the edge ("parse, don't validate"): an email
//! address, a slug, a timezone, a local date and time, a URL, a bounded text.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

/// An email address, trimmed and lower-cased, with one `@`, a dot in the domain and no spaces
/// or control characters (which would let a value inject mail headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address or says what is wrong with it.
    pub fn parse(input: &str) -> Result<EmailAddress, String> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err("Please enter an email address.".into());
        }
        if s.len() > 254 {
            return Err("This email address is too long.".into());
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        {
            return Err(
                "An email address cannot contain spaces or <>()[],;:\\\" characters.".into(),
            );
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err("An email address needs an @, like name@example.org.".into());
        };
        if local.is_empty() || domain.contains('@') {
            return Err("This does not look like an email address.".into());
        }
        if !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err("The part after @ must be a domain, like example.org.".into());
        }
        Ok(EmailAddress(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the value.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Path segments an event slug may not take, because fixed routes live there.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "static",
    "healthz",
    "login",
    "logout",
    "api",
    "assets",
    "favicon.ico",
    "robots.txt",
    "unsubscribe",
    "speaker",
    "speakers",
    "account",
    "password",
    "r",
    "desk",
    "events",
    "new",
    "mail",
    "jobs",
    "about",
    "help",
    "register",
    "cfp",
    "docs",
    "material",
    "images",
    "presentations",
    "buzz",
    "sponsors",
    "notify",
];

/// An event slug: 2 to 64 characters of `a-z`, `0-9` and inner hyphens, not a reserved word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug or says what is wrong with it.
    pub fn parse(input: &str) -> Result<Slug, String> {
        let s = input.trim().to_lowercase();
        if s.len() < 2 || s.len() > 64 {
            return Err("A slug has 2 to 64 characters.".into());
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("Use only lower-case letters, digits and hyphens, like ghent-2009.".into());
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err("A slug cannot start or end with a hyphen or have two in a row.".into());
        }
        if RESERVED_SLUGS.contains(&s.as_str()) {
            return Err(format!(
                "\"{s}\" is used by the site itself; choose another slug."
            ));
        }
        Ok(Slug(s))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the value.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Parses an IANA timezone name such as `Europe/Brussels`.
pub fn parse_timezone(input: &str) -> Result<Tz, String> {
    input.trim().parse::<Tz>().map_err(|_| {
        format!(
            "\"{}\" is not a timezone; use a name like Europe/Brussels.",
            input.trim()
        )
    })
}

/// Parses a local date and time as typed in a form (`2009-10-30T09:00`, as sent by
/// `<input type="datetime-local">`, or with a space or seconds) in timezone `tz`, and returns
/// it in UTC. Times that do not exist (skipped by a DST change) are refused; ambiguous ones
/// (repeated by a DST change) take the earlier instant.
pub fn parse_local_datetime(input: &str, tz: Tz) -> Result<NaiveDateTime, String> {
    let s = input.trim();
    let formats = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ];
    let naive = formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .ok_or_else(|| "Enter a date and time like 2009-10-30 09:00.".to_string())?;
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.naive_utc()),
        chrono::LocalResult::Ambiguous(earlier, _) => Ok(earlier.naive_utc()),
        chrono::LocalResult::None => Err(format!(
            "{s} does not exist in {tz} (the clocks skip it); choose another time."
        )),
    }
}

/// Formats a UTC timestamp as the value of a `datetime-local` input in timezone `tz`.
pub fn to_local_input(at: NaiveDateTime, tz: Tz) -> String {
    tz.from_utc_datetime(&at)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Parses an optional http(s) URL: empty is fine, anything else must start with http:// or
/// https:// (so `javascript:` links cannot be stored).
pub fn parse_optional_url(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let lower = s.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) || s.len() < 10 {
        return Err("Enter a web address starting with https:// (or http://).".into());
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        return Err("A web address cannot contain spaces, quotes or angle brackets.".into());
    }
    Ok(s.to_string())
}

/// Parses a required single-line text of at most `max` characters (no control characters).
pub fn parse_line(input: &str, what: &str, max: usize) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err(format!("Please enter {what}."));
    }
    parse_optional_line(s, what, max)
}

/// Like [`parse_line`] but may be empty.
pub fn parse_optional_line(input: &str, what: &str, max: usize) -> Result<String, String> {
    let s = input.trim();
    if s.chars().count() > max {
        return Err(format!(
            "{} is too long (at most {max} characters).",
            capitalize(what)
        ));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(format!(
            "{} cannot contain line breaks or control characters.",
            capitalize(what)
        ));
    }
    Ok(s.to_string())
}

/// Parses a multi-line text of at most `max` characters (line breaks kept, `\r\n` → `\n`).
pub fn parse_text(input: &str, what: &str, max: usize) -> Result<String, String> {
    let s = input.replace("\r\n", "\n");
    let s = s.trim();
    if s.chars().count() > max {
        return Err(format!(
            "{} is too long (at most {max} characters).",
            capitalize(what)
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(format!(
            "{} cannot contain control characters.",
            capitalize(what)
        ));
    }
    Ok(s.to_string())
}

/// Parses an optional whole number in `min..=max`; empty is `None`.
pub fn parse_optional_int(
    input: &str,
    what: &str,
    min: i32,
    max: i32,
) -> Result<Option<i32>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    parse_int(s, what, min, max).map(Some)
}

/// Parses a whole number in `min..=max`.
pub fn parse_int(input: &str, what: &str, min: i32, max: i32) -> Result<i32, String> {
    match input.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{} must be a whole number from {min} to {max}.",
            capitalize(what)
        )),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            EmailAddress::parse("  Patrick@Example.ORG ")
                .unwrap()
                .as_str(),
            "patrick@example.org"
        );
        for bad in [
            "",
            "patrick",
            "@example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@b.org\r\nBcc: x@y.org",
            "a@.org",
            "<a@b.org>",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn slugs_refuse_reserved_words_and_odd_characters() {
        assert_eq!(Slug::parse("Ghent-2009").unwrap().as_str(), "ghent-2009");
        for bad in [
            "admin",
            "static",
            "healthz",
            "login",
            "api",
            "x",
            "-a",
            "a-",
            "a--b",
            "ghent 2009",
            "gent/2009",
            "über",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn local_times_are_converted_to_utc_in_the_event_timezone() {
        let tz = parse_timezone("Europe/Brussels").unwrap();
        // 30 October 2009 was still summer time in Belgium (UTC+1 from 25 October: winter).
        let t = parse_local_datetime("2009-10-30T09:00", tz).unwrap();
        assert_eq!(t.to_string(), "2009-10-30 08:00:00");
        assert_eq!(to_local_input(t, tz), "2009-10-30T09:00");
        // 2010-03-28 02:30 does not exist in Brussels.
        assert!(parse_local_datetime("2010-03-28 02:30", tz).is_err());
        assert!(parse_local_datetime("next tuesday", tz).is_err());
        assert!(parse_timezone("Mars/Olympus").is_err());
    }

    #[test]
    fn urls_must_be_http() {
        assert_eq!(parse_optional_url("").unwrap(), "");
        assert!(parse_optional_url("https://devopsdays.org/").is_ok());
        assert!(parse_optional_url("javascript:alert(1)").is_err());
        assert!(parse_optional_url("https://x.org/\"onerror=").is_err());
    }

    #[test]
    fn lines_and_numbers_are_bounded() {
        assert!(parse_line("  ", "a name", 10).is_err());
        assert!(parse_line("abcdefghijk", "a name", 10).is_err());
        assert!(parse_line("a\nb", "a name", 10).is_err());
        assert_eq!(parse_text("a\r\nb", "a text", 10).unwrap(), "a\nb");
        assert_eq!(parse_optional_int("", "capacity", 0, 10).unwrap(), None);
        assert!(parse_optional_int("11", "capacity", 0, 10).is_err());
        assert!(parse_int("ten", "capacity", 0, 10).is_err());
    }
}
