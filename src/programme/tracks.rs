//! Tracks: themes with a colour, to filter the grid by.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Track, TrackFields};
pub use super::queries::tracks_of as of_event;
use super::queries::tracks_of;
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::tracks;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values;

/// The track form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackForm {
    /// As typed; unique in the event.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// A colour like `#1f6feb` (empty: the default blue).
fn parse_colour(input: &str) -> Result<String, String> {
    let colour = input.trim().to_lowercase();
    if colour.is_empty() {
        return Ok("#1f6feb".to_string());
    }
    let hex = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if hex {
        Ok(colour)
    } else {
        Err("Use a colour like #1f6feb.".into())
    }
}

/// Parses the track form.
pub fn parse(form: &TrackForm) -> Result<TrackFields, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 80));
    let colour = f.take("colour", parse_colour(&form.colour));
    f.finish(|| {
        Some(TrackFields {
            name: name?,
            colour: colour?,
        })
    })
}

/// Creates (`id` None) or updates a track.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &TrackFields,
) -> AppResult<Track> {
    let taken = AppError::taken("name", "Another track of this event has this name.");
    conn.transaction(|conn| {
        let id = match id {
            Some(id) => {
                let n = diesel::update(
                    tracks::table
                        .find(id)
                        .filter(tracks::event_id.eq(&cx.event.id)),
                )
                .set((input, tracks::updated_at.eq(cx.now)))
                .execute(conn)
                .map_err(taken)?;
                if n == 0 {
                    return Err(AppError::NotFound);
                }
                id.to_string()
            }
            None => {
                let track = Track {
                    id: new_id(),
                    event_id: cx.event.id.clone(),
                    name: input.name.clone(),
                    colour: input.colour.clone(),
                    position: tracks_of(conn, &cx.event.id)?.len() as i32,
                    updated_at: cx.now,
                };
                diesel::insert_into(tracks::table)
                    .values(&track)
                    .execute(conn)
                    .map_err(taken)?;
                track.id
            }
        };
        let track: Track = tracks::table
            .find(&id)
            .select(Track::as_select())
            .first(conn)?;
        audit::note(
            conn,
            cx,
            "track.save",
            ("track", &id),
            &format!("Saved track {}", track.name),
        )?;
        Ok(track)
    })
}

/// Deletes a track that no talk or proposal uses; a used one is refused with how many use it.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    use crate::db::schema::{proposals, talks};
    crate::db::write_transaction(conn, |conn| {
        let track = tracks_of(conn, &cx.event.id)?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(AppError::NotFound)?;
        let used: i64 = talks::table
            .filter(talks::track_id.eq(id))
            .count()
            .get_result(conn)?;
        let proposed: i64 = proposals::table
            .filter(proposals::track_id.eq(id))
            .count()
            .get_result(conn)?;
        if used + proposed > 0 {
            return Err(AppError::Refused(format!(
                "The track {} is in use ({used} talks, {proposed} proposals): move them to another track first.",
                track.name
            )));
        }
        diesel::delete(tracks::table.find(id)).execute(conn)?;
        audit::note(
            conn,
            cx,
            "track.delete",
            ("track", id),
            &format!("Deleted track {}", track.name),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_six_hex_digits_or_the_default() {
        assert_eq!(parse_colour(""), Ok("#1f6feb".into()));
        assert_eq!(parse_colour(" #ABCDEF "), Ok("#abcdef".into()));
        assert!(parse_colour("red").is_err());
        assert!(parse_colour("#12345g").is_err());
    }
}
