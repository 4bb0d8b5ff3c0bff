//! API tokens: an organizer's credentials for scripts. A token has a scope (read, or read and
//! write) and a set of events (or all of its owner's events); it never grants more than its
//! owner's roles, which are read again on every request, so a token loses rights the moment its
//! owner does. Only the SHA-256 of the secret is stored; the secret is shown once.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::accounts::model::Organizer;
use crate::accounts::{service, Capability, Viewer};
use crate::db::schema::{api_token_events, api_tokens, events, organizers};
use crate::db::{new_id, text_enum, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::tokens::{hash_token, new_long_token};

/// What every secret starts with (so secret scanners and people recognise one).
pub const TOKEN_PREFIX: &str = "ghent_";

text_enum! {
    /// What a token may do.
    pub enum Scope {
        /// Read what the owner may see.
        Read = "read",
        /// Read, and change what the owner may change.
        Write = "write",
    }
}

/// A stored token (never the secret).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    /// Random UUID.
    pub id: String,
    /// Whose it is.
    pub organizer_id: String,
    /// What the owner called it ("badge printer").
    pub name: String,
    /// SHA-256 of the secret.
    #[serde(skip)]
    pub token_hash: String,
    /// The secret's first characters, to tell tokens apart in lists.
    pub prefix: String,
    /// Read or write.
    pub scope: Scope,
    /// Every event of the owner (now and later), or only those listed.
    pub all_events: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last request made with it (to the minute).
    pub last_used_at: Option<NaiveDateTime>,
    /// Revoked tokens open nothing.
    pub revoked_at: Option<NaiveDateTime>,
}

/// A token as its owner's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// The token.
    #[serde(flatten)]
    pub token: ApiToken,
    /// The slugs of its events (empty for all events).
    pub events: Vec<String>,
}

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its name.
    pub name: String,
    /// Its scope.
    pub scope: Scope,
    /// Event ids, or `None` for all the owner's events.
    pub events: Option<Vec<String>>,
}

/// Creates a token for `organizer`; returns it with its secret, which is not stored.
pub fn create(
    conn: &mut AnyConnection,
    organizer: &Organizer,
    new: &NewToken,
    now: NaiveDateTime,
) -> AppResult<(ApiToken, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "Give the token a name of up to 100 characters, e.g. what will use it.",
        ));
    }
    let roles = service::roles_of(conn, &organizer.id)?;
    if let Some(ids) = &new.events {
        if ids.is_empty() {
            return Err(AppError::field(
                "events",
                "Choose at least one event, or all events.",
            ));
        }
        if !organizer.is_site_admin && ids.iter().any(|id| !roles.contains_key(id)) {
            return Err(AppError::field(
                "events",
                "A token can only reach events you are on the team of.",
            ));
        }
    }
    let secret = format!("{TOKEN_PREFIX}{}", new_long_token());
    let token = ApiToken {
        id: new_id(),
        organizer_id: organizer.id.clone(),
        name: name.to_string(),
        token_hash: hash_token(&secret),
        prefix: secret.chars().take(TOKEN_PREFIX.len() + 4).collect(),
        scope: new.scope,
        all_events: new.events.is_none(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    conn.transaction(|conn| {
        diesel::insert_into(api_tokens::table)
            .values(&token)
            .execute(conn)?;
        for event_id in new.events.iter().flatten() {
            diesel::insert_into(api_token_events::table)
                .values((
                    api_token_events::token_id.eq(&token.id),
                    api_token_events::event_id.eq(event_id),
                ))
                .execute(conn)?;
        }
        QueryResult::Ok(())
    })?;
    Ok((token, secret))
}

/// The organizer's tokens, newest first, revoked ones included.
pub fn list_of(conn: &mut AnyConnection, organizer_id: &str) -> QueryResult<Vec<Listed>> {
    let tokens: Vec<ApiToken> = api_tokens::table
        .filter(api_tokens::organizer_id.eq(organizer_id))
        .order(api_tokens::created_at.desc())
        .select(ApiToken::as_select())
        .load(conn)?;
    let ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    let slugs: Vec<(String, String)> = api_token_events::table
        .inner_join(events::table)
        .filter(api_token_events::token_id.eq_any(&ids))
        .select((api_token_events::token_id, events::slug))
        .load(conn)?;
    Ok(tokens
        .into_iter()
        .map(|token| Listed {
            events: slugs
                .iter()
                .filter(|(t, _)| *t == token.id)
                .map(|(_, s)| s.clone())
                .collect(),
            token,
        })
        .collect())
}

/// Revokes one of the organizer's tokens (another's is not found).
pub fn revoke(
    conn: &mut AnyConnection,
    organizer_id: &str,
    token_id: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let n = diesel::update(
        api_tokens::table
            .find(token_id)
            .filter(api_tokens::organizer_id.eq(organizer_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Who calls the API: a live token and its owner with their roles as they are now.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token.
    pub token: ApiToken,
    /// Its owner and their roles.
    pub viewer: Viewer,
    /// The events it is limited to (`None`: all the owner's).
    pub events: Option<HashSet<String>>,
}

impl Caller {
    /// Whether the token reaches the event at all (its list, and the owner's team).
    pub fn reaches(&self, event_id: &str) -> bool {
        self.events.as_ref().is_none_or(|e| e.contains(event_id))
            && self.viewer.role_on(event_id).is_some()
    }

    /// Whether the token may use `cap` on the event, reading (`write` false) or writing.
    pub fn may(&self, event_id: &str, cap: Capability, write: bool) -> bool {
        self.reaches(event_id)
            && self.viewer.can(event_id, cap)
            && (!write || self.token.scope == Scope::Write)
    }

    /// Refuses with 403 unless [`Caller::may`].
    pub fn require(&self, event_id: &str, cap: Capability, write: bool) -> AppResult<()> {
        if self.may(event_id, cap, write) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Whether the token's last use should be written now (at most once a minute, so reads do not
/// write on every request).
pub fn needs_touch(token: &ApiToken, now: NaiveDateTime) -> bool {
    token
        .last_used_at
        .is_none_or(|t| now - t >= Duration::minutes(1) || t > now)
}

/// Writes the token's last use.
pub fn touch(conn: &mut AnyConnection, token_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(token_id))
        .set(api_tokens::last_used_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// The caller a secret stands for, or `None` for an unknown or revoked one (reads only).
pub fn authenticate(conn: &mut AnyConnection, secret: &str) -> QueryResult<Option<Caller>> {
    let found: Option<(ApiToken, Organizer)> = api_tokens::table
        .inner_join(organizers::table)
        .filter(api_tokens::token_hash.eq(hash_token(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .select((ApiToken::as_select(), Organizer::as_select()))
        .first(conn)
        .optional()?;
    let Some((token, organizer)) = found else {
        return Ok(None);
    };
    let events = if token.all_events {
        None
    } else {
        Some(
            api_token_events::table
                .filter(api_token_events::token_id.eq(&token.id))
                .select(api_token_events::event_id)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
        )
    };
    let roles = service::roles_of(conn, &organizer.id)?;
    Ok(Some(Caller {
        token,
        viewer: Viewer { organizer, roles },
        events,
    }))
}
