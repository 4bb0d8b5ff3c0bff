//! Organizers manage an event's sponsor levels and sponsors; cloning an event copies both.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::images;
use super::model::{Level, Sponsor};
use crate::context::EventContext;
use crate::db::schema::{sponsor_levels, sponsors};
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{parse_line, parse_optional_url, parse_text};

/// The levels of an event, in order.
pub fn levels(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Level>> {
    sponsor_levels::table
        .filter(sponsor_levels::event_id.eq(event_id))
        .order((sponsor_levels::position, sponsor_levels::name))
        .select(Level::as_select())
        .load(conn)
}

/// The sponsors of an event, in order within their level.
pub fn sponsors_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Sponsor>> {
    sponsors::table
        .filter(sponsors::event_id.eq(event_id))
        .order((sponsors::position, sponsors::name))
        .select(Sponsor::as_select())
        .load(conn)
}

/// The level form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LevelForm {
    /// Name.
    pub name: String,
    /// Order (a number; lower comes first).
    pub position: String,
}

/// Adds a level.
pub fn add_level(conn: &mut AnyConnection, cx: &EventContext, form: &LevelForm) -> AppResult<()> {
    let mut f = Fields::new();
    let name = f.take("level_name", parse_line(&form.name, "the level's name", 60));
    let position = f.take(
        "level_position",
        crate::values::parse_optional_int(&form.position, "the order", 0, 1000),
    );
    let (name, position) = f
        .finish(|| Some((name?, position?)))
        .map_err(AppError::Invalid)?;
    write_transaction(conn, |conn| {
        let taken = levels(conn, &cx.event.id)?;
        if taken.iter().any(|l| l.name.eq_ignore_ascii_case(&name)) {
            return Err(AppError::Invalid(FieldErrors::from([(
                "level_name".into(),
                "This event has a level of that name already.".into(),
            )])));
        }
        let position = position.unwrap_or(taken.iter().map(|l| l.position + 1).max().unwrap_or(0));
        let level = Level {
            id: new_id(),
            event_id: cx.event.id.clone(),
            name,
            position,
        };
        diesel::insert_into(sponsor_levels::table)
            .values(&level)
            .execute(conn)?;
        crate::audit::note(
            conn,
            cx,
            "sponsor_level.add",
            ("sponsor_level", &level.id),
            &level.name,
        )?;
        Ok(())
    })
}

/// Deletes a level (with its sponsors).
pub fn delete_level(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        diesel::delete(
            sponsors::table
                .filter(sponsors::level_id.eq(id))
                .filter(sponsors::event_id.eq(&cx.event.id)),
        )
        .execute(conn)?;
        let n = diesel::delete(
            sponsor_levels::table
                .find(id)
                .filter(sponsor_levels::event_id.eq(&cx.event.id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        crate::audit::note(
            conn,
            cx,
            "sponsor_level.delete",
            ("sponsor_level", id),
            "deleted",
        )?;
        Ok(())
    })
}

/// The sponsor form's text fields (the logo comes as a file beside them).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SponsorForm {
    /// Name.
    pub name: String,
    /// A level id.
    pub level_id: String,
    /// Link.
    pub url: String,
    /// Short text.
    pub blurb: String,
}

/// Adds a sponsor, with its logo if one was uploaded (checked by [`images::check`]; a bad
/// file is a message on the logo field, and nothing is saved).
pub fn add_sponsor(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &SponsorForm,
    logo: Option<&[u8]>,
) -> AppResult<()> {
    let mut f = Fields::new();
    let name = f.take("name", parse_line(&form.name, "the sponsor's name", 100));
    let url = f.take("url", parse_optional_url(&form.url));
    let blurb = f.take("blurb", parse_text(&form.blurb, "the text", 400));
    let image = match logo {
        Some(bytes) if !bytes.is_empty() => f.take("logo", images::check(bytes, cx.now)).map(Some),
        _ => Some(None),
    };
    write_transaction(conn, |conn| {
        let known = levels(conn, &cx.event.id)?;
        f.check(
            known.iter().any(|l| l.id == form.level_id),
            "level_id",
            "Choose a level (add one first).",
        );
        let (name, url, blurb, image) = f
            .finish(|| Some((name?, url?, blurb?, image?)))
            .map_err(AppError::Invalid)?;
        let logo_id = match &image {
            Some(img) => Some(images::store(conn, img)?),
            None => None,
        };
        let position: i64 = sponsors::table
            .filter(sponsors::level_id.eq(&form.level_id))
            .count()
            .get_result(conn)?;
        let sponsor = Sponsor {
            id: new_id(),
            event_id: cx.event.id.clone(),
            level_id: form.level_id.clone(),
            name,
            url,
            blurb,
            logo_id,
            position: position as i32,
            created_at: cx.now,
            updated_at: cx.now,
        };
        diesel::insert_into(sponsors::table)
            .values(&sponsor)
            .execute(conn)?;
        crate::audit::note(
            conn,
            cx,
            "sponsor.add",
            ("sponsor", &sponsor.id),
            &sponsor.name,
        )?;
        Ok(())
    })
}

/// Removes a sponsor.
pub fn delete_sponsor(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let n = diesel::delete(
            sponsors::table
                .find(id)
                .filter(sponsors::event_id.eq(&cx.event.id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        crate::audit::note(conn, cx, "sponsor.delete", ("sponsor", id), "removed")?;
        Ok(())
    })
}

/// Copies the levels and sponsors of one event to another (cloning an event; the logos are
/// shared rows).
pub fn clone_to(
    conn: &mut AnyConnection,
    from_event: &str,
    to_event: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    let mut level_ids = std::collections::HashMap::new();
    for l in levels(conn, from_event)? {
        let id = new_id();
        level_ids.insert(l.id.clone(), id.clone());
        diesel::insert_into(sponsor_levels::table)
            .values(Level {
                id,
                event_id: to_event.into(),
                ..l
            })
            .execute(conn)?;
    }
    for s in sponsors_of(conn, from_event)? {
        let Some(level) = level_ids.get(&s.level_id) else {
            continue;
        };
        diesel::insert_into(sponsors::table)
            .values(Sponsor {
                id: new_id(),
                event_id: to_event.into(),
                level_id: level.clone(),
                created_at: now,
                ..s
            })
            .execute(conn)?;
    }
    Ok(())
}
