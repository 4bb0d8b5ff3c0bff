//! Rows and value types of the accounts domain.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{event_roles, organizers, sessions};

/// An organizer account (site administrators are organizers with a flag).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = organizers)]
pub struct Organizer {
    /// Random UUID.
    pub id: String,
    /// Login, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string; `!` for an account that has no password yet.
    #[serde(skip)]
    pub password_hash: String,
    /// May create events and act on all of them.
    pub is_site_admin: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
    /// Last successful login.
    pub last_login_at: Option<NaiveDateTime>,
}

/// A new organizer row.
#[derive(Debug, Insertable)]
#[diesel(table_name = organizers)]
pub struct NewOrganizer<'a> {
    /// Random UUID.
    pub id: &'a str,
    /// Login, lower-cased.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Site administrator flag.
    pub is_site_admin: bool,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A role row: an organizer's role on one event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_roles)]
pub struct EventRole {
    /// Random UUID.
    pub id: String,
    /// The event.
    pub event_id: String,
    /// The organizer.
    pub organizer_id: String,
    /// `owner`, `organizer` or `reviewer`.
    pub role: String,
    /// Granted.
    pub created_at: NaiveDateTime,
}

/// A session row (the id is the SHA-256 of the cookie's token).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    /// SHA-256 of the token.
    pub id: String,
    /// Whose session.
    pub organizer_id: String,
    /// Started.
    pub created_at: NaiveDateTime,
    /// Ends.
    pub expires_at: NaiveDateTime,
}

/// What someone may do on an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reviews proposals; sees nothing else of the event's admin.
    Reviewer,
    /// Runs the event: edits it, its programme, registrations and mail.
    Organizer,
    /// An organizer who also manages the team.
    Owner,
}

impl Role {
    /// Parses `owner`, `organizer` or `reviewer`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "owner" => Some(Role::Owner),
            "organizer" => Some(Role::Organizer),
            "reviewer" => Some(Role::Reviewer),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Organizer => "organizer",
            Role::Reviewer => "reviewer",
        }
    }

    /// Whether this role grants `cap`.
    pub fn grants(self, cap: Capability) -> bool {
        match cap {
            Capability::Review => true,
            Capability::Organize => self >= Role::Organizer,
            Capability::ManageTeam => self == Role::Owner,
        }
    }
}

/// What a page or action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Score and comment on proposals.
    Review,
    /// Edit the event and everything in it.
    Organize,
    /// Add, change and remove team members.
    ManageTeam,
}

/// The signed-in organizer with their roles, as loaded for one request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account.
    pub organizer: Organizer,
    /// event id → role.
    pub roles: HashMap<String, Role>,
}

impl Viewer {
    /// Whether the viewer may do `cap` on the event with id `event_id`.
    pub fn can(&self, event_id: &str, cap: Capability) -> bool {
        self.organizer.is_site_admin || self.roles.get(event_id).is_some_and(|r| r.grants(cap))
    }

    /// The role on an event (site administrators count as owners everywhere).
    pub fn role_on(&self, event_id: &str) -> Option<Role> {
        if self.organizer.is_site_admin {
            return Some(Role::Owner);
        }
        self.roles.get(event_id).copied()
    }

    /// Who to write in the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.organizer.id.clone()),
            label: self.organizer.email.clone(),
        }
    }
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The organizer, if a person did it.
    pub id: Option<String>,
    /// Email of the organizer, or the name of the command or job.
    pub label: String,
}

impl Actor {
    /// A change made by the system (a command or background job).
    pub fn system(label: &str) -> Actor {
        Actor {
            id: None,
            label: label.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_they_should() {
        assert!(Role::Reviewer.grants(Capability::Review));
        assert!(!Role::Reviewer.grants(Capability::Organize));
        assert!(Role::Organizer.grants(Capability::Organize));
        assert!(!Role::Organizer.grants(Capability::ManageTeam));
        assert!(Role::Owner.grants(Capability::ManageTeam));
        assert_eq!(Role::parse("owner"), Some(Role::Owner));
        assert_eq!(Role::parse("admin"), None);
    }
}
