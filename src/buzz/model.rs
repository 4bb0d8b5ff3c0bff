//! The buzz item row and its vocabularies.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::buzz_items;
use crate::db::text_enum;

text_enum! {
    /// What kind of thing a buzz item is.
    pub enum BuzzKind {
        /// A blog post.
        Blog = "blog",
        /// A report of the event.
        Report = "report",
        /// A mailing-list or forum thread.
        Thread = "thread",
        /// A video.
        Video = "video",
        /// Photos.
        Photos = "photos",
        /// A post on a social network.
        Social = "social",
        /// Any other link.
        Link = "link",
    }
}

impl BuzzKind {
    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            BuzzKind::Blog => "Blog post",
            BuzzKind::Report => "Report",
            BuzzKind::Thread => "Thread",
            BuzzKind::Video => "Video",
            BuzzKind::Photos => "Photos",
            BuzzKind::Social => "Social post",
            BuzzKind::Link => "Link",
        }
    }
}

text_enum! {
    /// Where a buzz item stands.
    pub enum BuzzStatus {
        /// Suggested by a visitor, waiting for an organizer.
        Suggested = "suggested",
        /// On the buzz page and in the feed.
        Published = "published",
        /// Turned down by an organizer.
        Rejected = "rejected",
    }
}

/// A buzz item.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = buzz_items)]
pub struct BuzzItem {
    /// Random UUID (also the feed entry's id).
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Kind.
    pub kind: BuzzKind,
    /// Title.
    pub title: String,
    /// Who wrote or said it.
    pub author: String,
    /// Link; empty for a mention without one.
    pub url: String,
    /// When it appeared (a date; midnight UTC).
    pub published_on: NaiveDateTime,
    /// A short quote (optional).
    pub quote: String,
    /// Suggested, published or rejected.
    pub status: BuzzStatus,
    /// The talk it is about, if any.
    pub talk_id: Option<String>,
    /// The open-space topic it is about, if any.
    pub topic_id: Option<String>,
    /// Demo data.
    pub sample: bool,
    /// Added.
    pub created_at: NaiveDateTime,
    /// Changed (the feed's `updated`).
    pub updated_at: NaiveDateTime,
}
