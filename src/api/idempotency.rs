//! `Idempotency-Key` on POSTs: the first request with a key runs, and its response is stored
//! under (token, key) *in the same transaction* as the change; a retry with the same key and
//! body gets that response again instead of a second change; the same key with another body is
//! refused (422). Keys are kept for a day ([`purge`]).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::api_idempotency;
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult};

/// A stored response.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its status.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
}

/// Deletes keys older than a day (the daily `accounts.purge_expired` job): a retry after that
/// runs again.
pub fn purge(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        api_idempotency::table.filter(api_idempotency::created_at.lt(now - Duration::days(1))),
    )
    .execute(conn)
}

/// What a POST with a key does: replays a stored response, or runs.
pub enum Replay<T> {
    /// The response of the first request with this key.
    Stored(Stored),
    /// A first request: its result.
    Fresh(T),
}

/// The hash a key's request is compared by: method, path and body.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Runs `f` unless `key` was used before by `token_id`; stores `f`'s successful response (its
/// status and JSON) with the change. Without a key, `f` just runs.
pub fn once<T: serde::Serialize>(
    conn: &mut AnyConnection,
    token_id: &str,
    key: Option<(&str, String)>,
    now: NaiveDateTime,
    status: u16,
    f: impl FnOnce(&mut AnyConnection) -> AppResult<T>,
) -> AppResult<Replay<T>> {
    let Some((key, hash)) = key else {
        return f(conn).map(Replay::Fresh);
    };
    if key.is_empty() || key.len() > 255 {
        return Err(AppError::field(
            "Idempotency-Key",
            "An Idempotency-Key has 1 to 255 characters.",
        ));
    }
    crate::db::write_transaction(conn, |conn| {
        let found: Option<(String, i32, String)> = api_idempotency::table
            .find((token_id, key))
            .select((
                api_idempotency::request_hash,
                api_idempotency::status,
                api_idempotency::body,
            ))
            .first(conn)
            .optional()?;
        if let Some((stored_hash, status, body)) = found {
            if stored_hash != hash {
                return Err(AppError::Unprocessable(
                    "This Idempotency-Key was used for a different request.".into(),
                ));
            }
            return Ok(Replay::Stored(Stored {
                status: status as u16,
                body,
            }));
        }
        let value = f(conn)?;
        let body = serde_json::to_string(&value).map_err(|e| AppError::Internal(e.into()))?;
        diesel::insert_into(api_idempotency::table)
            .values((
                api_idempotency::token_id.eq(token_id),
                api_idempotency::idem_key.eq(key),
                api_idempotency::request_hash.eq(&hash),
                api_idempotency::status.eq(i32::from(status)),
                api_idempotency::body.eq(&body),
                api_idempotency::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(Replay::Fresh(value))
    })
}
