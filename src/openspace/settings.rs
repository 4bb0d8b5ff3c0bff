//! An event's open-space settings: reading them (defaults until an organizer saves), the
//! settings form, the board's version, and which open-space slots take no topic.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Access, Market, Settings};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{openspace_closed_slots, openspaces};
use crate::db::{write_transaction, AnyConnection};
use crate::error::{AppResult, FieldErrors};
use crate::events::Event;
use crate::forms::Fields;
use crate::tokens::LinkKind;
use crate::values::{parse_int, parse_local_datetime, parse_text, to_local_input};

/// Dots per participant unless the organizers say otherwise.
pub const DEFAULT_DOTS: i32 = 3;
/// Days after the event that notes stay editable unless the organizers say otherwise.
pub const DEFAULT_NOTES_DAYS: i32 = 30;

/// The marketplace code an event starts with: six characters people read off a screen and
/// type on a phone (no 0/O, 1/I/L), derived from the secret key and the event, so it is the
/// same on every page and instance before anyone saves the settings. It lets people at the
/// venue in; it is not a personal credential. Organizers can make a new one.
pub fn default_code(secret: &[u8], event_id: &str) -> String {
    code_of(crate::tokens::derive(secret, LinkKind::MarketplaceCode, event_id, 0).as_bytes())
}

fn code_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    bytes
        .iter()
        .take(6)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// A new random marketplace code.
pub fn new_code() -> String {
    code_of(&crate::tokens::random_bytes(6))
}

/// The settings of the context's event: its row, or the defaults (nothing is written).
pub fn current(conn: &mut AnyConnection, cx: &EventContext) -> QueryResult<Settings> {
    Ok(openspaces::table
        .find(&cx.event.id)
        .select(Settings::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_else(|| Settings {
            event_id: cx.event.id.clone(),
            access: Access::Code,
            code: default_code(cx.mailer.secret(), &cx.event.id),
            dots: DEFAULT_DOTS,
            market: Market::Scheduled,
            opens_at: None,
            closes_at: None,
            notes_days: DEFAULT_NOTES_DAYS,
            about: String::new(),
            board_version: 0,
            updated_at: cx.now,
        }))
}

/// The settings, with their row created from the defaults if needed (in a write transaction).
pub fn ensure(conn: &mut AnyConnection, cx: &EventContext) -> QueryResult<Settings> {
    let s = current(conn, cx)?;
    if openspaces::table
        .find(&cx.event.id)
        .count()
        .get_result::<i64>(conn)?
        == 0
    {
        insert_once(conn, |c| {
            diesel::insert_into(openspaces::table).values(&s).execute(c)
        })?;
    }
    Ok(s)
}

/// Runs an insert in a savepoint: 1 when it inserted, 0 when the row existed (a unique
/// violation, e.g. a race with another request), leaving the caller's transaction usable.
pub fn insert_once(
    conn: &mut AnyConnection,
    insert: impl FnOnce(&mut AnyConnection) -> QueryResult<usize>,
) -> QueryResult<usize> {
    match conn.transaction(insert) {
        Err(e) if crate::db::is_unique_violation(&e) => Ok(0),
        other => other,
    }
}

/// The board's version without creating anything (0 for an event without settings).
pub fn board_version(conn: &mut AnyConnection, event_id: &str) -> QueryResult<i64> {
    Ok(openspaces::table
        .find(event_id)
        .select(openspaces::board_version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// The board versions of every event that has one: (event id, version).
pub fn board_versions(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i64)>> {
    openspaces::table
        .select((openspaces::event_id, openspaces::board_version))
        .load(conn)
}

/// Bumps the board's version (inside the transaction of the change).
pub fn bump_board(conn: &mut AnyConnection, cx: &EventContext) -> QueryResult<()> {
    ensure(conn, cx)?;
    diesel::update(openspaces::table.find(&cx.event.id))
        .set((
            openspaces::board_version.eq(openspaces::board_version + 1),
            openspaces::updated_at.eq(cx.now),
        ))
        .execute(conn)
        .map(drop)
}

/// The settings form, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    /// `code` or `registered`.
    pub access: String,
    /// Dots per participant.
    pub dots: String,
    /// `scheduled`, `open` or `closed`.
    pub market: String,
    /// Local date and time, may be empty.
    pub opens_at: String,
    /// Local date and time, may be empty.
    pub closes_at: String,
    /// Days.
    pub notes_days: String,
    /// Markdown; empty for the default text.
    pub about: String,
    /// "1" to make a new marketplace code.
    pub new_code: String,
}

impl SettingsForm {
    /// The form filled with the current settings.
    pub fn of(s: &Settings, event: &Event) -> SettingsForm {
        let tz = event.tz();
        SettingsForm {
            access: s.access.as_str().into(),
            dots: s.dots.to_string(),
            market: s.market.as_str().into(),
            opens_at: s
                .opens_at
                .map(|t| to_local_input(t, tz))
                .unwrap_or_default(),
            closes_at: s
                .closes_at
                .map(|t| to_local_input(t, tz))
                .unwrap_or_default(),
            notes_days: s.notes_days.to_string(),
            about: s.about.clone(),
            new_code: String::new(),
        }
    }
}

/// The settings form, typed.
#[derive(Debug, Clone)]
pub struct SettingsInput {
    access: Access,
    dots: i32,
    market: Market,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    notes_days: i32,
    about: String,
    new_code: bool,
}

fn optional_time(input: &str, tz: chrono_tz::Tz) -> Result<Option<NaiveDateTime>, String> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    parse_local_datetime(input, tz).map(Some)
}

/// Parses the settings form (times in the event's timezone).
pub fn parse(form: &SettingsForm, event: &Event) -> Result<SettingsInput, FieldErrors> {
    let tz = event.tz();
    let mut f = Fields::new();
    let access = f.take(
        "access",
        Access::parse(&form.access).ok_or_else(|| "Choose who may take part.".to_string()),
    );
    let market = f.take(
        "market",
        Market::parse(&form.market)
            .ok_or_else(|| "Choose when the marketplace is open.".to_string()),
    );
    let dots = f.take("dots", parse_int(&form.dots, "the number of dots", 1, 20));
    let notes_days = f.take(
        "notes_days",
        parse_int(&form.notes_days, "the number of days", 0, 3650),
    );
    let opens_at = f.take("opens_at", optional_time(&form.opens_at, tz));
    let closes_at = f.take("closes_at", optional_time(&form.closes_at, tz));
    let about = f.take("about", parse_text(&form.about, "the text", 20_000));
    if let (Some(Some(o)), Some(Some(c))) = (opens_at, closes_at) {
        f.check(
            o < c,
            "closes_at",
            "The marketplace must close after it opens.",
        );
    }
    f.finish(|| {
        Some(SettingsInput {
            access: access?,
            dots: dots?,
            market: market?,
            opens_at: opens_at?,
            closes_at: closes_at?,
            notes_days: notes_days?,
            about: about?,
            new_code: form.new_code == "1",
        })
    })
}

/// Saves the settings. Fewer dots than someone already placed do not take theirs away; they
/// cannot place more until they are under the new number.
pub fn save(conn: &mut AnyConnection, cx: &EventContext, input: &SettingsInput) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let current = ensure(conn, cx)?;
        let code = if input.new_code {
            new_code()
        } else {
            current.code
        };
        diesel::update(openspaces::table.find(&cx.event.id))
            .set((
                openspaces::access.eq(input.access),
                openspaces::code.eq(code),
                openspaces::dots.eq(input.dots),
                openspaces::market.eq(input.market),
                openspaces::opens_at.eq(input.opens_at),
                openspaces::closes_at.eq(input.closes_at),
                openspaces::notes_days.eq(input.notes_days),
                openspaces::about.eq(&input.about),
                openspaces::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        audit::note(
            conn,
            cx,
            "openspace.settings",
            ("event", &cx.event.id),
            "Changed the open-space settings",
        )?;
        Ok(())
    })
}

/// Opens or closes the marketplace by hand (the buttons on the day).
pub fn set_market(conn: &mut AnyConnection, cx: &EventContext, market: Market) -> AppResult<()> {
    write_transaction(conn, |conn| {
        ensure(conn, cx)?;
        diesel::update(openspaces::table.find(&cx.event.id))
            .set((
                openspaces::market.eq(market),
                openspaces::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        let what = match market {
            Market::Open => "Opened the marketplace",
            Market::Closed => "Closed the marketplace",
            Market::Scheduled => "Set the marketplace to open by its times",
        };
        audit::note(conn, cx, "openspace.market", ("event", &cx.event.id), what)?;
        Ok(())
    })
}

/// The open-space slots of an event that take no topic.
pub fn closed_slots(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<String>> {
    openspace_closed_slots::table
        .filter(openspace_closed_slots::event_id.eq(event_id))
        .select(openspace_closed_slots::slot_id)
        .load(conn)
}

/// Marks a slot as taking topics or not (the marketplace slot takes none).
pub fn set_takes_topics(
    conn: &mut AnyConnection,
    cx: &EventContext,
    slot_id: &str,
    takes: bool,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let slot = crate::programme::queries::slot_of(conn, &cx.event.id, slot_id)?;
        if takes {
            diesel::delete(openspace_closed_slots::table.find(&slot.id)).execute(conn)?;
        } else {
            if super::board::topic_in(conn, &slot.id)?.is_some() {
                return Err(crate::error::AppError::Refused(
                    "Move the topic out of this slot first.".into(),
                ));
            }
            insert_once(conn, |c| {
                diesel::insert_into(openspace_closed_slots::table)
                    .values((
                        openspace_closed_slots::slot_id.eq(&slot.id),
                        openspace_closed_slots::event_id.eq(&cx.event.id),
                    ))
                    .execute(c)
            })?;
        }
        bump_board(conn, cx)?;
        Ok(())
    })
}
