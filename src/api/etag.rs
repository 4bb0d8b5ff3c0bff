//! Entity tags: a strong ETag is the SHA-256 of a representation's JSON, so equal content has
//! an equal tag on every instance, and any change (every resource carries `updated_at`) a new one.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// `value` as the API sends it: its JSON with object keys in one order (a struct and the same
/// data as a `serde_json::Value` give the same bytes, so the same ETag).
pub fn canonical<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_value(value)
        .and_then(|v| serde_json::to_vec(&v))
        .unwrap_or_default()
}

/// The quoted ETag of `value`'s canonical JSON.
pub fn of<T: Serialize>(value: &T) -> String {
    of_bytes(&canonical(value))
}

/// The quoted ETag of a body.
pub fn of_bytes(body: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Whether an `If-Match` / `If-None-Match` header value matches `tag` (`*`, a list, weak tags
/// compared by their value).
pub fn matches(header: &str, tag: &str) -> bool {
    header
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_stars_and_weak_tags_match() {
        let tag = of(&serde_json::json!({"a": 1}));
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"x\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
    }

    #[test]
    fn a_struct_and_its_value_have_one_tag() {
        #[derive(Serialize)]
        struct S {
            zebra: i32,
            apple: i32,
        }
        let s = S { zebra: 1, apple: 2 };
        assert_eq!(of(&s), of(&serde_json::to_value(&s).unwrap()));
    }
}
