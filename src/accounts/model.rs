//! Rows and value types of the accounts domain.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{event_roles, organizers, sessions};
use crate::db::text_enum;

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
    /// The role.
    pub role: Role,
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

text_enum! {
    /// Someone's role on an event: a named set of [`Capability`]s, not a ladder (a check-in
    /// volunteer may use the desk but not review; a reviewer may review but not use the desk).
    /// Declared in the order the team page lists them.
    pub enum Role {
        /// Runs the event and manages its team.
        Owner = "owner",
        /// Runs the event: edits it, its programme, registrations and mail; reviews; the desk.
        Organizer = "organizer",
        /// Reviews proposals; sees nothing else of the event's admin.
        Reviewer = "reviewer",
        /// A volunteer at the check-in desk: searches, scans and checks attendees in, nothing else.
        CheckIn = "check_in",
        /// Runs the open space on the day: moderates topics and places them, nothing else.
        Facilitator = "facilitator",
    }
}

impl Role {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Organizer => "organizer",
            Role::Reviewer => "reviewer",
            Role::CheckIn => "check-in volunteer",
            Role::Facilitator => "open-space facilitator",
        }
    }

    /// What the role may do.
    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::Owner => &[Desk, Review, Organize, ManageTeam, Facilitate],
            Role::Organizer => &[Desk, Review, Organize, Facilitate],
            Role::Reviewer => &[Review],
            Role::CheckIn => &[Desk],
            Role::Facilitator => &[Facilitate],
        }
    }

    /// Whether this role grants `cap`.
    pub fn grants(self, cap: Capability) -> bool {
        self.capabilities().contains(&cap)
    }
}

/// What a page or action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Use the check-in desk: search attendees, open a ticket's code, check in.
    Desk,
    /// Score and comment on proposals.
    Review,
    /// Edit the event and everything in it (mail log included).
    Organize,
    /// Add, change and remove team members.
    ManageTeam,
    /// Moderate open-space topics (hide, merge) and place them on the board.
    Facilitate,
}

/// What the viewer may do on one event, for templates (menus and buttons show only what works).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Can {
    /// The check-in desk.
    pub desk: bool,
    /// Reviewing.
    pub review: bool,
    /// Everything an organizer does.
    pub organize: bool,
    /// The team page.
    pub manage_team: bool,
    /// The open-space board.
    pub facilitate: bool,
    /// Site administrator (creates and clones events).
    pub site_admin: bool,
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

    /// Everything the viewer may do on the event with id `event_id`.
    pub fn can_on(&self, event_id: &str) -> Can {
        Can {
            desk: self.can(event_id, Capability::Desk),
            review: self.can(event_id, Capability::Review),
            organize: self.can(event_id, Capability::Organize),
            manage_team: self.can(event_id, Capability::ManageTeam),
            facilitate: self.can(event_id, Capability::Facilitate),
            site_admin: self.organizer.is_site_admin,
        }
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
        assert!(!Role::Reviewer.grants(Capability::Desk));
        assert!(Role::Organizer.grants(Capability::Organize));
        assert!(Role::Organizer.grants(Capability::Desk));
        assert!(!Role::Organizer.grants(Capability::ManageTeam));
        assert!(Role::Owner.grants(Capability::ManageTeam));
        assert!(Role::CheckIn.grants(Capability::Desk));
        for cap in [
            Capability::Review,
            Capability::Organize,
            Capability::ManageTeam,
        ] {
            assert!(!Role::CheckIn.grants(cap), "{cap:?}");
        }
        assert_eq!(Role::parse("owner"), Some(Role::Owner));
        assert_eq!(Role::parse("check_in"), Some(Role::CheckIn));
        assert_eq!(Role::parse("admin"), None);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
    }
}
