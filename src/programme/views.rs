//! What the organizers' programme pages show: the draft grid (the same grid as the public one,
//! built from the tables instead of a release), conflicts, unscheduled talks, what a release
//! would change, and past releases.

use serde::Serialize;

use super::conflicts::{self, Conflict};
use super::grid::{self, Grid};
use super::model::{
    Person, Room, Slot, SlotKind, Talk, TalkKind, TalkPerson, TalkRole, TalkState, Track,
};
use super::people::PersonForm;
use super::queries as service;
use super::release;
use super::slots::SlotForm;
use super::snapshot::{self, Changes};
use super::talks::TalkForm;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::{display, Event};

/// A past release.
#[derive(Debug, Serialize)]
pub struct ReleaseRow {
    /// The release number.
    pub version: i32,
    /// When (event time).
    pub released: String,
    /// What the organizer said changed.
    pub note: String,
    /// "2 added, 1 moved…".
    pub summary: String,
}

fn summary(c: &Changes) -> String {
    format!(
        "{} added, {} moved, {} cancelled, {} renamed",
        c.added.len(),
        c.moved.len(),
        c.cancelled.len(),
        c.retitled.len()
    )
}

/// The programme overview.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// The draft grid.
    pub grid: Grid,
    /// Problems to fix.
    pub conflicts: Vec<Conflict>,
    /// Confirmed talks in no slot.
    pub unscheduled: Vec<Talk>,
    /// Latest version, 0 if never released.
    pub version: i32,
    /// What releasing now would change.
    pub pending: String,
    /// Whether releasing now would change anything.
    pub has_pending: bool,
    /// Past releases, newest first.
    pub releases: Vec<ReleaseRow>,
    /// Counts for the sub-navigation.
    pub rooms: usize,
}

/// Builds the overview.
pub fn overview(conn: &mut AnyConnection, event: &Event) -> AppResult<Overview> {
    let draft = snapshot::build(conn, event)?;
    let tz = event.tz();
    let log = release::changelog(conn, &event.id)?;
    let latest = release::latest(conn, &event.id)?;
    let pending = snapshot::diff(latest.as_ref().map(|r| &r.snapshot), &draft);
    let has_pending = latest.as_ref().map(|r| r.snapshot != draft).unwrap_or(true);
    Ok(Overview {
        grid: grid::build(&draft, None),
        conflicts: conflicts::find_with(&draft, &super::availability::of_event(conn, &event.id)?),
        unscheduled: service::unscheduled(conn, &event.id)?,
        version: latest.as_ref().map(|r| r.version).unwrap_or(0),
        pending: summary(&pending),
        has_pending,
        releases: log
            .iter()
            .map(|e| ReleaseRow {
                version: e.version,
                released: display::datetime(e.released_at, tz),
                note: e.note.clone(),
                summary: summary(&e.changes),
            })
            .collect(),
        rooms: draft.rooms.len(),
    })
}

/// A talk in the organizers' list.
#[derive(Debug, Serialize)]
pub struct TalkRow {
    /// The talk.
    pub talk: Talk,
    /// Names.
    pub people: String,
    /// "Friday 30 October 2009 09:30" if scheduled.
    pub when: Option<String>,
}

/// Which talks the admin's list shows.
#[derive(Debug, Clone, Default)]
pub struct TalkFilter {
    /// Only talks in this state.
    pub state: Option<super::model::TalkState>,
    /// Only talks with (`Some(true)`) or without a slot.
    pub scheduled: Option<bool>,
    /// Words the title or a speaker's name contains (any case).
    pub search: String,
}

impl TalkFilter {
    fn keeps(&self, row: &TalkRow) -> bool {
        let q = self.search.trim().to_lowercase();
        self.state.is_none_or(|s| row.talk.state == s)
            && self.scheduled.is_none_or(|s| row.when.is_some() == s)
            && (q.is_empty()
                || row.talk.title.to_lowercase().contains(&q)
                || row.people.to_lowercase().contains(&q))
    }
}

/// The talks page: the event's talks the filter keeps, with their people and time.
pub fn talk_rows(
    conn: &mut AnyConnection,
    event: &Event,
    filter: &TalkFilter,
) -> AppResult<Vec<TalkRow>> {
    use crate::db::schema::{people, slots, talk_people};
    use diesel::prelude::*;
    let talks = service::talks_of(conn, &event.id)?;
    let mut rows = Vec::with_capacity(talks.len());
    for talk in talks {
        let names: Vec<String> = talk_people::table
            .inner_join(people::table)
            .filter(talk_people::talk_id.eq(&talk.id))
            .order(talk_people::position)
            .select(people::name)
            .load(conn)?;
        let when: Option<chrono::NaiveDateTime> = slots::table
            .filter(slots::talk_id.eq(&talk.id))
            .select(slots::starts_at)
            .first(conn)
            .optional()?;
        let row = TalkRow {
            people: names.join(", "),
            when: when.map(|t| display::short_datetime(t, event.tz())),
            talk,
        };
        if filter.keeps(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Choices for the talk form.
#[derive(Debug, Serialize)]
pub struct TalkChoices {
    /// Every talk kind, for the select.
    pub kinds: &'static [TalkKind],
    /// Every role on a talk, for the people rows.
    pub roles: &'static [TalkRole],
    /// The event's tracks, for the select.
    pub tracks: Vec<Track>,
    /// The speakers suggested when adding a person: this event's and earlier events'.
    pub speakers: Vec<Person>,
}

/// The talk form's choices.
pub fn talk_choices(conn: &mut AnyConnection, event: &Event) -> AppResult<TalkChoices> {
    Ok(TalkChoices {
        kinds: TalkKind::ALL,
        roles: TalkRole::ALL,
        tracks: service::tracks_of(conn, &event.id)?,
        speakers: super::queries::speakers_until(conn, event)?,
    })
}

/// One person on the talk form, with their role.
#[derive(Debug, Serialize)]
pub struct PersonRow {
    /// Row number.
    pub index: usize,
    /// Person id.
    pub person: String,
    /// Their name.
    pub name: String,
    /// Chosen role.
    pub role: String,
}

/// The talk form's people, named, in order (the form keeps ids only).
pub fn person_rows(conn: &mut AnyConnection, form: &TalkForm) -> AppResult<Vec<PersonRow>> {
    use crate::db::schema::people;
    use diesel::prelude::*;
    let ids: Vec<&String> = form
        .person
        .iter()
        .filter(|p| !p.trim().is_empty())
        .collect();
    let names: std::collections::HashMap<String, String> = people::table
        .filter(people::id.eq_any(&ids))
        .select((people::id, people::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(form
        .person
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.trim().is_empty())
        .map(|(i, p)| PersonRow {
            index: i,
            person: p.clone(),
            name: names
                .get(p)
                .cloned()
                .unwrap_or_else(|| "(unknown person)".into()),
            role: form
                .role
                .get(i)
                .cloned()
                .unwrap_or_else(|| TalkRole::Speaker.as_str().into()),
        })
        .collect())
}

/// Choices for the slot form.
#[derive(Debug, Serialize)]
pub struct SlotChoices {
    /// Every slot kind, for the select.
    pub kinds: &'static [SlotKind],
    /// The event's rooms, for the select.
    pub rooms: Vec<Room>,
    /// Confirmed talks.
    pub talks: Vec<Talk>,
}

/// The slot form's choices.
pub fn slot_choices(conn: &mut AnyConnection, event: &Event) -> AppResult<SlotChoices> {
    let talks = service::talks_of(conn, &event.id)?
        .into_iter()
        .filter(|t| t.state == TalkState::Confirmed)
        .collect();
    Ok(SlotChoices {
        kinds: SlotKind::ALL,
        rooms: service::rooms_of(conn, &event.id)?,
        talks,
    })
}

/// A slot's edit form, filled.
pub fn slot_form(slot: &Slot, event: &Event) -> SlotForm {
    SlotForm::from_slot(slot, event.tz())
}

/// A talk's edit form, filled.
pub fn talk_form(talk: &Talk, people: &[TalkPerson]) -> TalkForm {
    TalkForm::from_talk(talk, people)
}

/// A person's edit form, filled.
pub fn person_form(p: &Person) -> PersonForm {
    PersonForm::from_person(p)
}
