//! Single-use links sent by mail (password reset, team invitation, speaker sign-in): a token of
//! 128 bits derived from the secret key and the row's random id ([`tokens::derive`]), only its
//! SHA-256 in the database, an expiry read from the app clock, and a `used_at` that makes a
//! second use fail. The mail carries a sealed reference to the row, never the token, so the
//! worker can send it (and send it again after a crash) while nobody who reads the database or
//! the mail log can use it. An organizer's resend issues a new row and revokes the old one.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::auth_tokens;
use crate::db::{new_id, AnyConnection};
use crate::tokens::{self, LinkKind};

/// What a link is for; a token of one purpose never opens another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Set a new organizer password (also used by team invitations).
    PasswordReset,
    /// Sign a speaker in to the call for papers.
    SpeakerSignIn,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::SpeakerSignIn => "speaker_sign_in",
        }
    }
}

/// A stored link.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = auth_tokens)]
pub struct Link {
    /// Random UUID; the mailed token is derived from it and the secret key, never stored.
    pub id: String,
    /// Purpose name.
    pub purpose: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Whom it is for (organizer or person id).
    pub subject_id: String,
    /// Event, if any.
    pub event_id: Option<String>,
    /// Issued.
    pub created_at: NaiveDateTime,
    /// Expires.
    pub expires_at: NaiveDateTime,
    /// Used.
    pub used_at: Option<NaiveDateTime>,
}

/// A link just issued: its row (which a mail seals) and its token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The `auth_tokens` row id.
    pub id: String,
    /// The token (for callers that hand it out directly, such as tests; mail seals the id).
    pub token: String,
}

/// Issues a link for `subject_id`, valid for `ttl`.
pub fn issue(
    conn: &mut AnyConnection,
    secret: &[u8],
    now: NaiveDateTime,
    purpose: Purpose,
    subject_id: &str,
    event_id: Option<&str>,
    ttl: Duration,
) -> QueryResult<Issued> {
    let id = new_id();
    let token = tokens::derive(secret, LinkKind::SignIn, &id, 0);
    diesel::insert_into(auth_tokens::table)
        .values((
            auth_tokens::id.eq(&id),
            auth_tokens::purpose.eq(purpose.as_str()),
            auth_tokens::token_hash.eq(tokens::hash_token(&token)),
            auth_tokens::subject_id.eq(subject_id),
            auth_tokens::event_id.eq(event_id),
            auth_tokens::created_at.eq(now),
            auth_tokens::expires_at.eq(now + ttl),
        ))
        .execute(conn)?;
    Ok(Issued { id, token })
}

/// Replaces a link by a new one of the same purpose, subject and lifetime, and revokes the old
/// one (an organizer's resend). Returns the new row's id; `None` when the old row is gone.
pub fn reissue(
    conn: &mut AnyConnection,
    secret: &[u8],
    now: NaiveDateTime,
    id: &str,
) -> QueryResult<Option<String>> {
    let Some(old) = auth_tokens::table
        .find(id)
        .select(Link::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    revoke(conn, now, id)?;
    let new_id = new_id();
    diesel::insert_into(auth_tokens::table)
        .values((
            auth_tokens::id.eq(&new_id),
            auth_tokens::purpose.eq(&old.purpose),
            auth_tokens::token_hash.eq(tokens::derived_hash(secret, LinkKind::SignIn, &new_id, 0)),
            auth_tokens::subject_id.eq(&old.subject_id),
            auth_tokens::event_id.eq(&old.event_id),
            auth_tokens::created_at.eq(now),
            auth_tokens::expires_at.eq(now + (old.expires_at - old.created_at)),
        ))
        .execute(conn)?;
    Ok(Some(new_id))
}

/// Makes a link unusable (it stays in the table until the daily purge).
pub fn revoke(conn: &mut AnyConnection, now: NaiveDateTime, id: &str) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .find(id)
            .filter(auth_tokens::used_at.is_null()),
    )
    .set(auth_tokens::used_at.eq(Some(now)))
    .execute(conn)
}

/// How many links of `purpose` were issued for `subject_id` since `since` (to limit requests).
pub fn issued_since(
    conn: &mut AnyConnection,
    purpose: Purpose,
    subject_id: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    auth_tokens::table
        .filter(auth_tokens::purpose.eq(purpose.as_str()))
        .filter(auth_tokens::subject_id.eq(subject_id))
        .filter(auth_tokens::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// The link if it is genuine, of this purpose, unused and not expired (it stays unused).
pub fn peek(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    purpose: Purpose,
    token: &str,
) -> QueryResult<Option<Link>> {
    auth_tokens::table
        .filter(auth_tokens::token_hash.eq(tokens::hash_token(token)))
        .filter(auth_tokens::purpose.eq(purpose.as_str()))
        .filter(auth_tokens::used_at.is_null())
        .filter(auth_tokens::expires_at.gt(now))
        .select(Link::as_select())
        .first(conn)
        .optional()
}

/// Uses the link: returns it if it was valid, and marks it used so it never works again.
pub fn consume(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    purpose: Purpose,
    token: &str,
) -> QueryResult<Option<Link>> {
    let Some(link) = peek(conn, now, purpose, token)? else {
        return Ok(None);
    };
    // The used_at guard makes two concurrent uses race for one row update: one wins.
    let updated = diesel::update(
        auth_tokens::table
            .find(&link.id)
            .filter(auth_tokens::used_at.is_null()),
    )
    .set(auth_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok((updated == 1).then_some(link))
}

/// Deletes links that expired more than a week ago (daily maintenance).
pub fn purge(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(auth_tokens::table.filter(auth_tokens::expires_at.lt(now - Duration::days(7))))
        .execute(conn)
}
