//! Feedback on talks: once a talk has started, attendees leave a rating and a comment,
//! anonymously, one per browser per talk; speakers read what their own talks got, organizers
//! all of it, per talk and as a summary. Off per event.

pub mod leave;
pub mod summary;
