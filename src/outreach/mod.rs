//! Writing to a group: an organizer's message to an audience of an event (confirmed attendees,
//! the waiting list, accepted or all speakers), previewed for its first recipient, then expanded
//! in the background into one outbox message per person with their own links and a working
//! unsubscribe link. It sits above the domains whose people it reaches (registration, the call
//! for papers, the programme) and below the web layer, so none of them imports it back.

pub mod bulk;
pub mod notices;
pub mod views;
