//! Rows of the sponsor tables and of uploaded images.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{images, sponsor_levels, sponsors};

/// A sponsor level ("Hosting", "Gold"…), in the organizers' order.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = sponsor_levels)]
pub struct Level {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Name, unique in the event.
    pub name: String,
    /// Order (lowest first).
    pub position: i32,
}

/// A sponsor.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = sponsors)]
pub struct Sponsor {
    /// Random UUID.
    pub id: String,
    /// Event.
    pub event_id: String,
    /// Level.
    pub level_id: String,
    /// Name.
    pub name: String,
    /// Link (may be empty).
    pub url: String,
    /// Short text.
    pub blurb: String,
    /// The logo (an [`Image`] id).
    pub logo_id: Option<String>,
    /// Order within the level.
    pub position: i32,
    /// Added.
    pub created_at: NaiveDateTime,
    /// Last change (the API's `updated_since`).
    pub updated_at: NaiveDateTime,
}

/// An uploaded image: the id is the SHA-256 of the bytes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = images)]
pub struct Image {
    /// Hex SHA-256 of `bytes`.
    pub id: String,
    /// `image/png`, `image/jpeg` or `image/webp`.
    pub content_type: String,
    /// Pixels.
    pub width: i32,
    /// Pixels.
    pub height: i32,
    /// The file.
    pub bytes: Vec<u8>,
    /// Uploaded.
    pub created_at: NaiveDateTime,
}
