//! Tokens for links that must not be guessed, and their hashes, which is all the database keeps
//! of the ones that grant access.
//!
//! Two kinds: random tokens that are never needed again once handed out (session cookies, CSRF
//! tokens), and *derived* tokens for links that Ghent must be able to mail again (a retry after
//! a crash, a reminder, a resend): HMAC-SHA256 of the site's secret key, the link's kind, the row
//! it opens and a generation counter. The database stores neither the token nor anything it can
//! be computed from without the key; bumping the generation revokes the link.

use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `n` bytes from the operating system's CSPRNG (through `rand`'s thread RNG, which reseeds from it).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe token carrying 128 bits of randomness (22 characters).
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(16))
}

/// A URL-safe token carrying 256 bits of randomness, for long-lived secrets.
pub fn new_long_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// SHA-256 of a token, hex encoded: what is stored for tokens that grant access.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a derived token opens. It is part of the MAC input, so a token of one kind never opens
/// another kind's page even for the same row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// A single-use sign-in link: password set/reset, team invitation, CfP sign-in (an
    /// `auth_tokens` row).
    SignIn,
    /// An attendee's private registration page (their ticket).
    RegistrationManage,
    /// The check-in code on an attendee's ticket (opens the desk page for organizers only).
    RegistrationDesk,
    /// An accepted speaker's link to confirm or decline.
    ProposalConfirm,
    /// An event's first marketplace code (not a personal credential: shown at the venue).
    MarketplaceCode,
    /// The signature of an open-space participant's cookie (one browser's dots and notes).
    OpenSpaceParticipant,
    /// A "tell me when it opens" subscription's link (confirm, leave the list).
    NoticeSubscription,
}

impl LinkKind {
    fn label(self) -> &'static [u8] {
        match self {
            LinkKind::SignIn => b"sign-in",
            LinkKind::RegistrationManage => b"registration-manage",
            LinkKind::RegistrationDesk => b"registration-desk",
            LinkKind::ProposalConfirm => b"proposal-confirm",
            LinkKind::MarketplaceCode => b"marketplace-code",
            LinkKind::OpenSpaceParticipant => b"openspace-participant",
            LinkKind::NoticeSubscription => b"notice-subscription",
        }
    }
}

/// The token of a derived link: 128 bits of HMAC-SHA256(secret, kind, id, generation), URL-safe
/// (22 characters). Only the server, holding the secret key, can compute it.
pub fn derive(secret: &[u8], kind: LinkKind, id: &str, generation: i32) -> String {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mac = Hmac::<Sha256>::new_from_slice(secret).map(|mut mac| {
        mac.update(b"ghent-link\0");
        mac.update(kind.label());
        mac.update(b"\0");
        mac.update(id.as_bytes());
        mac.update(b"\0");
        mac.update(&generation.to_be_bytes());
        mac.finalize().into_bytes()
    });
    match mac {
        Ok(bytes) => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..16]),
        // Unreachable; a random token then simply never matches a stored hash.
        Err(_) => new_token(),
    }
}

/// The stored hash of a derived link (what lookups compare against).
pub fn derived_hash(secret: &[u8], kind: LinkKind, id: &str, generation: i32) -> String {
    hash_token(&derive(secret, kind, id, generation))
}

/// Compares two secrets in time that does not depend on where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(new_long_token().len(), 43);
    }

    #[test]
    fn derived_tokens_depend_on_key_kind_row_and_generation() {
        let t = derive(b"key", LinkKind::RegistrationManage, "row-1", 0);
        assert_eq!(t.len(), 22);
        assert_eq!(t, derive(b"key", LinkKind::RegistrationManage, "row-1", 0));
        for other in [
            derive(b"other key", LinkKind::RegistrationManage, "row-1", 0),
            derive(b"key", LinkKind::RegistrationDesk, "row-1", 0),
            derive(b"key", LinkKind::RegistrationManage, "row-2", 0),
            derive(b"key", LinkKind::RegistrationManage, "row-1", 1),
        ] {
            assert_ne!(t, other);
        }
        assert_eq!(
            derived_hash(b"key", LinkKind::SignIn, "x", 0),
            hash_token(&derive(b"key", LinkKind::SignIn, "x", 0))
        );
    }

    #[test]
    fn hashes_are_stable_and_comparison_is_exact() {
        assert_eq!(hash_token("abc"), hash_token("abc"));
        assert_ne!(hash_token("abc"), hash_token("abd"));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"same", b"same!"));
    }
}
