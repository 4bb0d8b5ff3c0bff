//! What every command on an event needs besides its input: the event, who acts, when, and the
//! mailer for the mail the change causes. Handlers build one per request ([`EventContext`]) and
//! pass it to the domain, instead of a tuple of clones.

use chrono::NaiveDateTime;

use crate::accounts::Actor;
use crate::events::Event;
use crate::mail::Mailer;

/// The event a command acts on, who acts and when.
#[derive(Clone)]
pub struct EventContext {
    /// The event.
    pub event: Event,
    /// Who acts (an organizer, a visitor, a job): written in the audit log.
    pub actor: Actor,
    /// The app clock's now.
    pub now: NaiveDateTime,
    /// Renders and queues mail (it also holds the secret key that derives links).
    pub mailer: Mailer,
}

impl EventContext {
    /// A context.
    pub fn new(event: Event, actor: Actor, now: NaiveDateTime, mailer: Mailer) -> EventContext {
        EventContext {
            event,
            actor,
            now,
            mailer,
        }
    }

    /// The event's id.
    pub fn event_id(&self) -> &str {
        &self.event.id
    }
}

impl std::fmt::Debug for EventContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventContext")
            .field("event", &self.event.slug)
            .field("actor", &self.actor.label)
            .field("now", &self.now)
            .finish()
    }
}

/// What every background job gets besides its payload: the mailer (its jobs queue mail).
#[derive(Clone)]
pub struct JobContext {
    /// Renders and queues mail.
    pub mailer: Mailer,
}
