//! Account rules: creating organizers, logging in (rate limited), sessions, the event team.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{EventRole, NewOrganizer, Organizer, Role, SessionRow, Viewer};
use super::password;
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::{event_roles, login_attempts, organizers, sessions};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::links::{self, Purpose};
use crate::mail::credentials::{Credential, Sealed};
use crate::mail::model::MailKind;
use crate::mail::outbox::Envelope;
use crate::mail::Mailer;
use crate::tokens;
use crate::urls;
use crate::values::EmailAddress;
use serde_json::json;

/// Looks an organizer up by (already normalised) email.
pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<Organizer>> {
    organizers::table
        .filter(organizers::email.eq(email))
        .select(Organizer::as_select())
        .first(conn)
        .optional()
}

/// Creates an organizer. `password` of `None` makes an account that cannot log in until a
/// password is set through a reset link.
pub fn create_organizer(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    email: &EmailAddress,
    name: &str,
    password: Option<&str>,
    is_site_admin: bool,
) -> AppResult<Organizer> {
    let hash = match password {
        Some(p) => {
            password::check_new(p).map_err(|m| AppError::field("password", m))?;
            password::hash(p)?
        }
        None => password::NO_PASSWORD.to_string(),
    };
    let id = new_id();
    let name = if name.trim().is_empty() {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or("organizer")
            .to_string()
    } else {
        name.trim().to_string()
    };
    let insert = diesel::insert_into(organizers::table)
        .values(NewOrganizer {
            id: &id,
            email: email.as_str(),
            name: &name,
            password_hash: &hash,
            is_site_admin,
            created_at: now,
            updated_at: now,
        })
        .execute(conn);
    match insert {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(AppError::field(
                "email",
                "An account with this email already exists.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    organizers::table
        .find(&id)
        .select(Organizer::as_select())
        .first(conn)
        .map_err(AppError::from)
}

/// Sets (or replaces) an organizer's password.
pub fn set_password(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    organizer_id: &str,
    new_password: &str,
) -> AppResult<()> {
    password::check_new(new_password).map_err(|m| AppError::field("password", m))?;
    let hash = password::hash(new_password)?;
    diesel::update(organizers::table.find(organizer_id))
        .set((
            organizers::password_hash.eq(hash),
            organizers::updated_at.eq(now),
        ))
        .execute(conn)?;
    // A new password ends every existing session of the account.
    diesel::delete(sessions::table.filter(sessions::organizer_id.eq(organizer_id)))
        .execute(conn)?;
    Ok(())
}

/// Limits for [`authenticate`].
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    /// Failures allowed per email in the window (per address: four times as many).
    pub max_failures: i64,
    /// The window.
    pub window: Duration,
    /// How long a session started by [`sign_in`] lasts.
    pub session: Duration,
}

/// Checks the password (see [`authenticate`]) and starts a session; returns the token for
/// the cookie.
pub fn sign_in(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limits: LoginLimits,
    email: &str,
    password: &str,
    ip: &str,
) -> AppResult<String> {
    let organizer = authenticate(conn, now, limits, email, password, ip)?;
    Ok(start_session(conn, now, &organizer.id, limits.session)?)
}

/// Checks an email and password. Every attempt is recorded; too many failures for the email
/// or the client address within the window refuse further attempts, right or wrong.
pub fn authenticate(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    limits: LoginLimits,
    email_input: &str,
    password_input: &str,
    ip: &str,
) -> AppResult<Organizer> {
    let email = email_input.trim().to_lowercase();
    let since = now - limits.window;
    let failures_for_email: i64 = login_attempts::table
        .filter(login_attempts::email.eq(&email))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since))
        .count()
        .get_result(conn)?;
    let failures_for_ip: i64 = login_attempts::table
        .filter(login_attempts::ip.eq(ip))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since))
        .count()
        .get_result(conn)?;
    if failures_for_email >= limits.max_failures || failures_for_ip >= limits.max_failures * 4 {
        return Err(AppError::RateLimited(format!(
            "Too many failed attempts. Wait {} minutes and try again, or reset your password.",
            limits.window.num_minutes()
        )));
    }
    let account = find_by_email(conn, &email)?;
    // Verify against a dummy hash for unknown accounts so that timing does not reveal
    // which emails have accounts.
    let stored = account
        .as_ref()
        .map(|a| a.password_hash.as_str())
        .unwrap_or_else(|| password::dummy_hash());
    let ok = password::verify(password_input, stored) && account.is_some();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id()),
            login_attempts::email.eq(&email),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(ok),
            login_attempts::attempted_at.eq(now),
        ))
        .execute(conn)?;
    match account {
        Some(a) if ok => {
            diesel::update(organizers::table.find(&a.id))
                .set(organizers::last_login_at.eq(now))
                .execute(conn)?;
            Ok(a)
        }
        _ => Err(AppError::BadRequest(
            "That email and password do not match an account.".into(),
        )),
    }
}

/// Starts a session and returns the token for the cookie (only its hash is stored).
pub fn start_session(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    organizer_id: &str,
    lifetime: Duration,
) -> QueryResult<String> {
    let token = tokens::new_long_token();
    diesel::insert_into(sessions::table)
        .values(SessionRow {
            id: tokens::hash_token(&token),
            organizer_id: organizer_id.to_string(),
            created_at: now,
            expires_at: now + lifetime,
        })
        .execute(conn)?;
    Ok(token)
}

/// The organizer (with roles) of a live session, or `None` if the token is unknown, ended
/// or expired.
pub fn viewer_for_session(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    token: &str,
) -> QueryResult<Option<Viewer>> {
    let found = sessions::table
        .inner_join(organizers::table)
        .filter(sessions::id.eq(tokens::hash_token(token)))
        .filter(sessions::expires_at.gt(now))
        .select(Organizer::as_select())
        .first(conn)
        .optional()?;
    let Some(organizer) = found else {
        return Ok(None);
    };
    let roles = roles_of(conn, &organizer.id)?;
    Ok(Some(Viewer { organizer, roles }))
}

/// An organizer's roles: event id → role.
pub fn roles_of(
    conn: &mut AnyConnection,
    organizer_id: &str,
) -> QueryResult<HashMap<String, Role>> {
    let rows: Vec<(String, Role)> = event_roles::table
        .filter(event_roles::organizer_id.eq(organizer_id))
        .select((event_roles::event_id, event_roles::role))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Ends a session: the cookie's token no longer opens anything, on any server instance.
pub fn end_session(conn: &mut AnyConnection, token: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.filter(sessions::id.eq(tokens::hash_token(token))))
        .execute(conn)?;
    Ok(())
}

/// Deletes expired sessions and old login attempts (run by a background job).
pub fn purge_expired(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let a = diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?;
    let b = diesel::delete(
        login_attempts::table.filter(login_attempts::attempted_at.lt(now - Duration::days(30))),
    )
    .execute(conn)?;
    Ok(a + b)
}

/// One member of an event's team, for the team page.
#[derive(Debug, Clone, Serialize)]
pub struct TeamMember {
    /// The member's account (for the role and remove buttons).
    pub organizer_id: String,
    /// Their sign-in address, shown to the team only.
    pub email: String,
    /// Display name; empty until they set one.
    pub name: String,
    /// What they may do on this event.
    pub role: Role,
    /// Whether they can log in yet.
    pub has_password: bool,
}

/// The team of an event, owners first.
pub fn team(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<TeamMember>> {
    let rows: Vec<(EventRole, Organizer)> = event_roles::table
        .inner_join(organizers::table)
        .filter(event_roles::event_id.eq(event_id))
        .select((EventRole::as_select(), Organizer::as_select()))
        .load(conn)?;
    let mut members: Vec<TeamMember> = rows
        .into_iter()
        .map(|(role, org)| TeamMember {
            organizer_id: org.id,
            email: org.email,
            name: org.name,
            role: role.role,
            has_password: org.password_hash != password::NO_PASSWORD,
        })
        .collect();
    // Roles are declared in the team page's order: owners first.
    members.sort_by(|a, b| a.role.cmp(&b.role).then_with(|| a.email.cmp(&b.email)));
    Ok(members)
}

/// The outcome of [`add_member`].
#[derive(Debug, Clone)]
pub struct AddedMember {
    /// The account (new or existing).
    pub organizer: Organizer,
    /// True when the account was created now and has no password yet.
    pub created: bool,
}

/// Someone to add to an event's team, parsed from the team page's form.
#[derive(Debug, Clone)]
pub struct MemberInput {
    /// Their address (the login).
    pub email: EmailAddress,
    /// Their name, for a new account.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// The message for a role that is not one.
pub const CHOOSE_ROLE: &str = "Choose owner, organizer, reviewer or check-in volunteer.";

/// Parses the team page's add form.
pub fn parse_member(
    email: &str,
    name: &str,
    role: &str,
) -> Result<MemberInput, crate::error::FieldErrors> {
    let mut f = crate::forms::Fields::new();
    let email = f.take("email", EmailAddress::parse(email));
    let role = f.take(
        "role",
        Role::parse(role).ok_or_else(|| CHOOSE_ROLE.to_string()),
    );
    f.finish(|| {
        Some(MemberInput {
            email: email?,
            name: name.to_string(),
            role: role?,
        })
    })
}

/// Gives someone a role on the context's event, creating the account (without a password) if
/// needed. A new account gets an invitation mail with a link to set its password (valid 7 days).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn add_member(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &MemberInput,
) -> AppResult<AddedMember> {
    conn.transaction(|conn| add_member_now(conn, cx, input))
}

fn add_member_now(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &MemberInput,
) -> AppResult<AddedMember> {
    let (now, actor, event) = (cx.now, &cx.actor, &cx.event);
    let (email, name, role) = (&input.email, input.name.as_str(), input.role);
    let event_id = event.id.as_str();
    let (organizer, created) = match find_by_email(conn, email.as_str())? {
        Some(o) => (o, false),
        None => (create_organizer(conn, now, email, name, None, false)?, true),
    };
    let existing = event_roles::table
        .filter(event_roles::event_id.eq(event_id))
        .filter(event_roles::organizer_id.eq(&organizer.id))
        .select(event_roles::role)
        .first::<Role>(conn)
        .optional()?;
    if existing.is_some() {
        return Err(AppError::field(
            "email",
            format!("{} is already on the team; change their role below.", email),
        ));
    }
    diesel::insert_into(event_roles::table)
        .values(EventRole {
            id: new_id(),
            event_id: event_id.to_string(),
            organizer_id: organizer.id.clone(),
            role,
            created_at: now,
        })
        .execute(conn)?;
    audit::record(
        conn,
        now,
        actor,
        Change::on(event_id, "team.add", ("organizer", &organizer.id)),
        &format!("Added {} as {}", email, role.as_str()),
    )?;
    if created {
        invite(conn, cx, &organizer, role)?;
    }
    Ok(AddedMember { organizer, created })
}

/// Mails a new team member the link to choose a password (valid 7 days).
fn invite(
    conn: &mut AnyConnection,
    cx: &EventContext,
    organizer: &Organizer,
    role: Role,
) -> AppResult<()> {
    let (now, mailer, actor, event) = (cx.now, &cx.mailer, &cx.actor, &cx.event);
    {
        let issued = links::issue(
            conn,
            mailer.secret(),
            now,
            Purpose::PasswordReset,
            &organizer.id,
            Some(&event.id),
            Duration::days(7),
        )?;
        let mut sealed = Sealed::new();
        let token = sealed.seal(Credential::sign_in(&issued.id));
        let ctx = json!({
            "recipient": { "name": organizer.name, "email": organizer.email },
            "event": mailer.event_context(event),
            "site": { "base_url": mailer.base_url },
            "link": urls::absolute(&mailer.base_url, &urls::password_reset(&token)),
            "role": role.label(),
            "invited_by": actor.label,
            "expires": "in 7 days",
        });
        let envelope = Envelope::about_event(
            MailKind::TeamInvite,
            &organizer.email,
            &organizer.name,
            event,
        )
        .about("organizer", &organizer.id)
        .sealed(&sealed);
        mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
    }
    Ok(())
}

/// Gives a grant directly (CLI and seeding), replacing an existing role.
pub fn grant_role(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event_id: &str,
    organizer_id: &str,
    role: Role,
) -> QueryResult<()> {
    diesel::delete(
        event_roles::table
            .filter(event_roles::event_id.eq(event_id))
            .filter(event_roles::organizer_id.eq(organizer_id)),
    )
    .execute(conn)?;
    diesel::insert_into(event_roles::table)
        .values(EventRole {
            id: new_id(),
            event_id: event_id.to_string(),
            organizer_id: organizer_id.to_string(),
            role,
            created_at: now,
        })
        .execute(conn)?;
    Ok(())
}

fn owner_count(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    event_roles::table
        .filter(event_roles::event_id.eq(event_id))
        .filter(event_roles::role.eq(Role::Owner))
        .count()
        .get_result(conn)
}

fn current_role(conn: &mut AnyConnection, event_id: &str, organizer_id: &str) -> AppResult<Role> {
    event_roles::table
        .filter(event_roles::event_id.eq(event_id))
        .filter(event_roles::organizer_id.eq(organizer_id))
        .select(event_roles::role)
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// Changes a member's role. The last owner cannot be demoted, so an event always has one.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn change_role(
    conn: &mut AnyConnection,
    cx: &EventContext,
    organizer_id: &str,
    role: Role,
) -> AppResult<()> {
    conn.transaction(|conn| change_role_now(conn, cx, organizer_id, role))
}

fn change_role_now(
    conn: &mut AnyConnection,
    cx: &EventContext,
    organizer_id: &str,
    role: Role,
) -> AppResult<()> {
    let (now, actor, event_id) = (cx.now, &cx.actor, cx.event.id.as_str());
    let before = current_role(conn, event_id, organizer_id)?;
    if before == Role::Owner && role != Role::Owner && owner_count(conn, event_id)? <= 1 {
        return Err(AppError::Refused(
            "An event needs at least one owner: make someone else owner first.".into(),
        ));
    }
    diesel::update(
        event_roles::table
            .filter(event_roles::event_id.eq(event_id))
            .filter(event_roles::organizer_id.eq(organizer_id)),
    )
    .set(event_roles::role.eq(role))
    .execute(conn)?;
    audit::record(
        conn,
        now,
        actor,
        Change::on(event_id, "team.change_role", ("organizer", organizer_id)),
        &format!("Changed role from {} to {}", before.as_str(), role.as_str()),
    )?;
    Ok(())
}

/// Removes a member from the team. The last owner cannot be removed.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn remove_member(
    conn: &mut AnyConnection,
    cx: &EventContext,
    organizer_id: &str,
) -> AppResult<()> {
    conn.transaction(|conn| remove_member_now(conn, cx, organizer_id))
}

fn remove_member_now(
    conn: &mut AnyConnection,
    cx: &EventContext,
    organizer_id: &str,
) -> AppResult<()> {
    let (now, actor, event_id) = (cx.now, &cx.actor, cx.event.id.as_str());
    let before = current_role(conn, event_id, organizer_id)?;
    if before == Role::Owner && owner_count(conn, event_id)? <= 1 {
        return Err(AppError::Refused(
            "An event needs at least one owner: make someone else owner first.".into(),
        ));
    }
    let email: String = organizers::table
        .find(organizer_id)
        .select(organizers::email)
        .first(conn)?;
    diesel::delete(
        event_roles::table
            .filter(event_roles::event_id.eq(event_id))
            .filter(event_roles::organizer_id.eq(organizer_id)),
    )
    .execute(conn)?;
    audit::record(
        conn,
        now,
        actor,
        Change::on(event_id, "team.remove", ("organizer", organizer_id)),
        &format!("Removed {email} ({})", before.as_str()),
    )?;
    Ok(())
}

/// Handles "forgot my password": if the address has an account, mails it a single-use link
/// (valid one hour, at most three per hour). Says nothing about whether the account exists.
pub fn request_password_reset(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    mailer: &Mailer,
    email_input: &str,
) -> AppResult<()> {
    let Ok(email) = EmailAddress::parse(email_input) else {
        return Ok(());
    };
    let Some(organizer) = find_by_email(conn, email.as_str())? else {
        return Ok(());
    };
    if links::issued_since(
        conn,
        Purpose::PasswordReset,
        &organizer.id,
        now - Duration::hours(1),
    )? >= 3
    {
        return Ok(());
    }
    let issued = links::issue(
        conn,
        mailer.secret(),
        now,
        Purpose::PasswordReset,
        &organizer.id,
        None,
        Duration::hours(1),
    )?;
    let mut sealed = Sealed::new();
    let token = sealed.seal(Credential::sign_in(&issued.id));
    let ctx = json!({
        "recipient": { "name": organizer.name, "email": organizer.email },
        "site": { "base_url": mailer.base_url },
        "link": urls::absolute(&mailer.base_url, &urls::password_reset(&token)),
        "expires": "in 1 hour",
    });
    let envelope = Envelope::to(MailKind::PasswordReset, &organizer.email, &organizer.name)
        .about("organizer", &organizer.id)
        .sealed(&sealed);
    mailer.queue(conn, now, envelope, &ctx, Vec::new())?;
    Ok(())
}

/// The account a password-reset link is for, if the link is still good (it stays unused).
pub fn reset_link_account(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    token: &str,
) -> AppResult<Option<Organizer>> {
    let Some(link) = links::peek(conn, now, Purpose::PasswordReset, token)? else {
        return Ok(None);
    };
    Ok(organizers::table
        .find(&link.subject_id)
        .select(Organizer::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a new password through a reset link, which is then used up; every session of the
/// account ends.
pub fn reset_password(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    token: &str,
    new_password: &str,
    repeated: &str,
) -> AppResult<Organizer> {
    password::check_new(new_password).map_err(|m| AppError::field("password", m))?;
    if new_password != repeated {
        return Err(AppError::field(
            "password_again",
            "The two passwords differ.",
        ));
    }
    let link = links::consume(conn, now, Purpose::PasswordReset, token)?.ok_or_else(|| {
        AppError::Refused("This link has expired or was already used. Ask for a new one.".into())
    })?;
    set_password(conn, now, &link.subject_id, new_password)?;
    let organizer = organizers::table
        .find(&link.subject_id)
        .select(Organizer::as_select())
        .first(conn)?;
    audit::record(
        conn,
        now,
        &Actor {
            id: Some(organizer.id.clone()),
            label: organizer.email.clone(),
        },
        Change {
            event_id: None,
            action: "account.password_reset",
            entity_type: "organizer",
            entity_id: Some(&organizer.id),
        },
        "Set a new password through a mailed link",
    )?;
    Ok(organizer)
}
