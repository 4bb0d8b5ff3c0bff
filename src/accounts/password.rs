//! Argon2id password hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The stored hash of an account that has no password yet (matches nothing).
pub const NO_PASSWORD: &str = "!";

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;

/// Checks a new password's length; says what is wrong.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters."));
    }
    if password.len() > 1024 {
        return Err("This password is too long.".into());
    }
    Ok(())
}

/// Hashes a password with Argon2id (default parameters) and a random salt.
pub fn hash(password: &str) -> Result<String, anyhow::Error> {
    let salt = SaltString::encode_b64(&crate::tokens::random_bytes(16))
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let phc = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(phc.to_string())
}

/// A hash of a random password, verified against when the account does not exist so that
/// a failed login takes as long for an unknown email as for a known one.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::tokens::new_token()).unwrap_or_default())
}

/// Whether `password` matches `stored`. Unparseable or empty hashes match nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("anything", NO_PASSWORD));
        assert!(check_new("short").is_err());
        assert!(check_new("long enough!").is_ok());
    }
}
