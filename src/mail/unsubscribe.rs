//! Unsubscribing from an event's bulk mail. The link carries the event and address, signed with
//! the site's secret key (HMAC-SHA256), so it needs no stored token and cannot be forged.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::schema::mail_unsubscribes;
use crate::db::{new_id, AnyConnection};

type HmacSha256 = Hmac<Sha256>;

fn signature(secret: &[u8], payload: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; an empty MAC would simply never verify.
    match HmacSha256::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(b"ghent-unsubscribe:");
            mac.update(payload.as_bytes());
            mac.finalize().into_bytes()[..16].to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The token of an unsubscribe link for `email` on the event `event_id`.
pub fn token(secret: &[u8], event_id: &str, email: &str) -> String {
    let payload = format!("{event_id}\n{email}");
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload.as_bytes()),
        URL_SAFE_NO_PAD.encode(signature(secret, &payload))
    )
}

/// The (event id, email) of a genuine token.
pub fn verify(secret: &[u8], token: &str) -> Option<(String, String)> {
    let (payload_b64, sig_b64) = token.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload_b64).ok()?).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig_b64).ok()?;
    if !crate::tokens::constant_time_eq(&sig, &signature(secret, &payload)) {
        return None;
    }
    let (event_id, email) = payload.split_once('\n')?;
    Some((event_id.to_string(), email.to_string()))
}

/// Records an unsubscribe (idempotent).
pub fn unsubscribe(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event_id: &str,
    email: &str,
) -> QueryResult<()> {
    if is_unsubscribed(conn, event_id, email)? {
        return Ok(());
    }
    diesel::insert_into(mail_unsubscribes::table)
        .values((
            mail_unsubscribes::id.eq(new_id()),
            mail_unsubscribes::event_id.eq(event_id),
            mail_unsubscribes::email.eq(email),
            mail_unsubscribes::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether `email` unsubscribed from the event's bulk mail.
pub fn is_unsubscribed(conn: &mut AnyConnection, event_id: &str, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mail_unsubscribes::table
            .filter(mail_unsubscribes::event_id.eq(event_id))
            .filter(mail_unsubscribes::email.eq(email)),
    ))
    .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_cannot_be_forged() {
        let t = token(b"secret", "event-1", "a@example.org");
        assert_eq!(
            verify(b"secret", &t),
            Some(("event-1".into(), "a@example.org".into()))
        );
        assert_eq!(verify(b"other key", &t), None);
        let forged = token(b"guess", "event-1", "b@example.org");
        assert_eq!(verify(b"secret", &forged), None);
        let (payload, sig) = t.split_once('.').unwrap();
        let swapped = format!("{}.{sig}", URL_SAFE_NO_PAD.encode("event-1\nb@example.org"));
        assert_ne!(payload, swapped.split_once('.').unwrap().0);
        assert_eq!(verify(b"secret", &swapped), None);
        assert_eq!(verify(b"secret", "garbage"), None);
    }
}
