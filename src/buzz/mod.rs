//! Buzz: what was written and said about an event (blog posts, reports, mailing-list threads,
//! videos, photos, posts on social networks), curated by the organizers, suggested by visitors
//! through a moderated queue, shown on the event's buzz page and home, and published as an
//! Atom feed.

pub mod feed;
pub mod items;
pub mod model;
pub mod sample;
pub mod views;
