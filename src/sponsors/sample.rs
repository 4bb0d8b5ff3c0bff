//! The demo's sponsors (sample data): devopsdays USA 2010's host and supporters, with logos
//! drawn at seed time as labelled images.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Level, Sponsor};
use super::{images, logos};
use crate::db::schema::{sponsor_levels, sponsors};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::Event;

const SUPPORTING: &[&str] = &[
    "AppDynamics",
    "BitNami",
    "Cloudscaling",
    "DTO Solutions",
    "New Relic",
    "Opscode",
    "Puppet Labs",
    "rPath",
    "ThoughtWorks",
    "Zenoss",
    "VMware",
];

/// USA 2010's sponsors.
pub fn usa(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> AppResult<()> {
    let levels = [
        ("Hosting", 0, vec!["LinkedIn"], [10u8, 102, 194]),
        ("Supporting", 1, SUPPORTING.to_vec(), [60, 60, 60]),
    ];
    for (name, position, names, colour) in levels {
        let level = Level {
            id: new_id(),
            event_id: event.id.clone(),
            name: name.into(),
            position,
        };
        diesel::insert_into(sponsor_levels::table)
            .values(&level)
            .execute(conn)?;
        for (i, sponsor) in names.iter().enumerate() {
            let png = logos::labelled_png(sponsor, colour);
            let image = images::check(&png, now)
                .map_err(|m| AppError::Internal(anyhow::anyhow!("demo logo: {m}")))?;
            let logo_id = images::store(conn, &image)?;
            let row = Sponsor {
                id: new_id(),
                event_id: event.id.clone(),
                level_id: level.id.clone(),
                name: sponsor.to_string(),
                url: String::new(),
                blurb: if position == 0 {
                    "Hosts devopsdays USA 2010 in Mountain View (sample data).".into()
                } else {
                    String::new()
                },
                logo_id: Some(logo_id),
                position: i as i32,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(sponsors::table)
                .values(&row)
                .execute(conn)?;
        }
    }
    Ok(())
}
