//! The programme grid: for each day, a table with rooms as columns and time as rows. A slot
//! spans the rows of its duration; breaks and socials (no room) span every column. Built from a
//! snapshot, so the public grid shows only released data, and the organizers' editor shows the
//! draft the same way.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::model::SlotKind;
use super::snapshot::{SnapSlot, Snapshot};
use crate::events::display;

/// A slot in a cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellSlot {
    /// Slot guid.
    pub id: String,
    /// Slot kind (CSS class).
    pub kind: SlotKind,
    /// Title (the talk's, or the slot's own).
    pub title: String,
    /// "09:30–10:15".
    pub time: String,
    /// Room name, or "All rooms".
    pub room: String,
    /// The talk, if any: its guid.
    pub talk_id: Option<String>,
    /// Talk kind (keynote, ignite…).
    pub talk_kind: Option<crate::programme::model::TalkKind>,
    /// "Rachel Davies, Lindsay Holmwood".
    pub people: String,
    /// Track name.
    pub track: Option<String>,
    /// `track-0` … `track-7`: a colour class (inline styles are not allowed by the CSP).
    pub track_class: Option<String>,
}

/// A table cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Rows spanned.
    pub rowspan: usize,
    /// Columns spanned.
    pub colspan: usize,
    /// The slot, or `None` for an empty cell.
    pub slot: Option<CellSlot>,
}

/// A table row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// "09:30".
    pub time: String,
    /// Machine-readable start.
    pub time_iso: String,
    /// Cells (slots spanning down from earlier rows are left out).
    pub cells: Vec<Cell>,
}

/// One day of the programme.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// 1-based.
    pub index: usize,
    /// "Friday 30 October 2009".
    pub label: String,
    /// "2009-10-30".
    pub date: String,
    /// Column headings.
    pub rooms: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Slots that overlap another in the same room (shown below the table).
    pub overlapping: Vec<CellSlot>,
}

/// A track in the filter.
#[derive(Debug, Clone, Serialize)]
pub struct TrackLink {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Colour class.
    pub class: String,
    /// The filter shows this track.
    pub selected: bool,
}

/// The whole grid.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    /// Days in order.
    pub days: Vec<Day>,
    /// Tracks for the filter.
    pub tracks: Vec<TrackLink>,
    /// Name of the selected track.
    pub track: Option<String>,
}

/// Builds the grid, optionally showing only one track's talks (untalked slots stay).
pub fn build(snapshot: &Snapshot, track_filter: Option<&str>) -> Grid {
    let tz: Tz = snapshot.event.timezone.parse().unwrap_or(Tz::UTC);
    let people = snapshot.people_by_id();
    let track_index = |id: &str| snapshot.tracks.iter().position(|t| t.id == id);
    let cell_slot = |s: &SnapSlot| {
        let talk = s.talk_id.as_deref().and_then(|id| snapshot.talk(id));
        CellSlot {
            id: s.id.clone(),
            kind: s.kind,
            title: talk
                .map(|t| t.title.clone())
                .unwrap_or_else(|| s.title.clone()),
            time: format!(
                "{}–{}",
                display::time(s.starts_at, tz),
                display::time(s.ends_at, tz)
            ),
            room: snapshot.room_name(s.room_id.as_deref()),
            talk_id: talk.map(|t| t.id.clone()),
            talk_kind: talk.map(|t| t.kind),
            people: talk
                .map(|t| {
                    t.people
                        .iter()
                        .filter_map(|r| people.get(r.person_id.as_str()).map(|p| p.name.clone()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            track: talk
                .and_then(|t| t.track_id.as_deref())
                .and_then(|id| snapshot.tracks.iter().find(|tr| tr.id == id))
                .map(|t| t.name.clone()),
            track_class: talk
                .and_then(|t| t.track_id.as_deref())
                .and_then(track_index)
                .map(|i| format!("track-{}", i % 8)),
        }
    };
    let visible = |s: &&SnapSlot| match (
        track_filter,
        s.talk_id.as_deref().and_then(|id| snapshot.talk(id)),
    ) {
        (Some(track), Some(talk)) => talk.track_id.as_deref() == Some(track),
        _ => true,
    };
    let mut by_day: BTreeMap<NaiveDate, Vec<&SnapSlot>> = BTreeMap::new();
    for s in snapshot.slots.iter().filter(visible) {
        by_day
            .entry(display::local(s.starts_at, tz).date_naive())
            .or_default()
            .push(s);
    }
    let days = by_day
        .into_iter()
        .enumerate()
        .map(|(i, (date, slots))| day(snapshot, tz, i + 1, date, &slots, &cell_slot))
        .collect();
    Grid {
        days,
        tracks: snapshot
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| TrackLink {
                id: t.id.clone(),
                name: t.name.clone(),
                class: format!("track-{}", i % 8),
                selected: track_filter == Some(t.id.as_str()),
            })
            .collect(),
        track: track_filter
            .and_then(|id| snapshot.tracks.iter().find(|t| t.id == id))
            .map(|t| t.name.clone()),
    }
}

fn day(
    snapshot: &Snapshot,
    tz: Tz,
    index: usize,
    date: NaiveDate,
    slots: &[&SnapSlot],
    cell_slot: &dyn Fn(&SnapSlot) -> CellSlot,
) -> Day {
    // Columns: the rooms used on this day, in the event's order.
    let mut columns: Vec<&str> = snapshot
        .rooms
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| slots.iter().any(|s| s.room_id.as_deref() == Some(id)))
        .collect();
    let all_rooms_only = columns.is_empty();
    if all_rooms_only {
        columns.push("");
    }
    let mut bounds: Vec<_> = slots
        .iter()
        .flat_map(|s| [s.starts_at, s.ends_at])
        .collect();
    bounds.sort();
    bounds.dedup();
    let rows = bounds.len().saturating_sub(1);
    let row_of = |t| bounds.binary_search(&t).unwrap_or(0);
    let mut grid: Vec<Vec<Option<usize>>> = vec![vec![None; columns.len()]; rows];
    let mut placed: Vec<Option<(usize, usize, usize, usize)>> = vec![None; slots.len()];
    let mut overlapping = Vec::new();
    for (i, s) in slots.iter().enumerate() {
        let (r0, r1) = (
            row_of(s.starts_at),
            row_of(s.ends_at).max(row_of(s.starts_at) + 1).min(rows),
        );
        let (c0, c1) = match s.room_id.as_deref() {
            Some(room) => match columns.iter().position(|c| *c == room) {
                Some(c) => (c, c + 1),
                None => (0, columns.len()),
            },
            None => (0, columns.len()),
        };
        let free = (r0..r1).all(|r| (c0..c1).all(|c| grid[r][c].is_none()));
        if !free || r0 >= rows {
            overlapping.push(cell_slot(s));
            continue;
        }
        for row in grid.iter_mut().take(r1).skip(r0) {
            for cell in row.iter_mut().take(c1).skip(c0) {
                *cell = Some(i);
            }
        }
        placed[i] = Some((r0, r1, c0, c1));
    }
    let mut out_rows = Vec::with_capacity(rows);
    for (r, row) in grid.iter().enumerate() {
        let mut cells = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Some(i) => {
                    if let Some((r0, r1, c0, c1)) = placed[*i] {
                        if r0 == r && c0 == c {
                            cells.push(Cell {
                                rowspan: r1 - r0,
                                colspan: c1 - c0,
                                slot: Some(cell_slot(slots[*i])),
                            });
                        }
                    }
                }
                None => cells.push(Cell {
                    rowspan: 1,
                    colspan: 1,
                    slot: None,
                }),
            }
        }
        out_rows.push(Row {
            time: display::time(bounds[r], tz),
            time_iso: display::iso_utc(bounds[r]),
            cells,
        });
    }
    Day {
        index,
        label: date.format("%A %-d %B %Y").to_string(),
        date: date.format("%Y-%m-%d").to_string(),
        rooms: if all_rooms_only {
            vec!["All rooms".to_string()]
        } else {
            columns
                .iter()
                .map(|id| snapshot.room_name(Some(id)))
                .collect()
        },
        rows: out_rows,
        overlapping,
    }
}

#[cfg(test)]
mod tests {
    use super::super::snapshot::{SnapEvent, SnapRoom, SnapSlot, SnapTalk, SnapTrack, Snapshot};
    use super::*;
    use chrono::NaiveDateTime;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn snapshot() -> Snapshot {
        let slot =
            |id: &str, room: Option<&str>, a: &str, b: &str, talk: Option<&str>, title: &str| {
                SnapSlot {
                    id: id.into(),
                    number: 1,
                    room_id: room.map(str::to_string),
                    starts_at: t(a),
                    ends_at: t(b),
                    kind: if talk.is_some() {
                        SlotKind::Talk
                    } else {
                        SlotKind::Break
                    },
                    talk_id: talk.map(str::to_string),
                    title: title.into(),
                }
            };
        let talk = |id: &str, title: &str, track: Option<&str>| SnapTalk {
            id: id.into(),
            number: 1,
            title: title.into(),
            r#abstract: String::new(),
            description: String::new(),
            kind: crate::programme::model::TalkKind::Talk,
            duration_minutes: 45,
            track_id: track.map(str::to_string),
            language: "en".into(),
            level: crate::programme::model::Level::Unspecified,
            slides_url: String::new(),
            video_url: String::new(),
            people: vec![],
        };
        Snapshot {
            event: SnapEvent {
                id: "e".into(),
                slug: "x".into(),
                name: "X".into(),
                timezone: "UTC".into(),
                starts_at: t("2009-10-30 09:00"),
                ends_at: t("2009-10-30 18:00"),
                venue: None,
            },
            rooms: vec![
                SnapRoom {
                    id: "a".into(),
                    name: "A".into(),
                    capacity: None,
                },
                SnapRoom {
                    id: "b".into(),
                    name: "B".into(),
                    capacity: None,
                },
            ],
            tracks: vec![SnapTrack {
                id: "ops".into(),
                name: "Ops".into(),
                colour: "#000000".into(),
            }],
            people: vec![],
            talks: vec![talk("t1", "One", Some("ops")), talk("t2", "Two", None)],
            slots: vec![
                slot(
                    "s1",
                    Some("a"),
                    "2009-10-30 09:00",
                    "2009-10-30 10:00",
                    Some("t1"),
                    "",
                ),
                slot(
                    "s2",
                    Some("b"),
                    "2009-10-30 09:30",
                    "2009-10-30 10:00",
                    Some("t2"),
                    "",
                ),
                slot(
                    "s3",
                    None,
                    "2009-10-30 10:00",
                    "2009-10-30 10:30",
                    None,
                    "Coffee",
                ),
            ],
        }
    }

    #[test]
    fn slots_span_their_rows_and_breaks_span_all_rooms() {
        let g = build(&snapshot(), None);
        assert_eq!(g.days.len(), 1);
        let d = &g.days[0];
        assert_eq!(d.rooms, ["A", "B"]);
        assert_eq!(d.rows.len(), 3, "09:00, 09:30, 10:00");
        // 09:00: talk One spans two rows in A; B is empty.
        assert_eq!(d.rows[0].cells.len(), 2);
        assert_eq!(d.rows[0].cells[0].rowspan, 2);
        assert!(d.rows[0].cells[1].slot.is_none());
        // 09:30: only B's talk (A is covered from above).
        assert_eq!(d.rows[1].cells.len(), 1);
        assert_eq!(d.rows[1].cells[0].slot.as_ref().unwrap().title, "Two");
        // 10:00: the coffee break spans both rooms.
        assert_eq!(d.rows[2].cells[0].colspan, 2);
        assert_eq!(d.rows[2].cells[0].slot.as_ref().unwrap().room, "All rooms");
    }

    #[test]
    fn a_track_filter_keeps_breaks_and_that_tracks_talks() {
        let g = build(&snapshot(), Some("ops"));
        let titles: Vec<String> = g.days[0]
            .rows
            .iter()
            .flat_map(|r| {
                r.cells
                    .iter()
                    .filter_map(|c| c.slot.as_ref().map(|s| s.title.clone()))
            })
            .collect();
        assert_eq!(titles, ["One", "Coffee"]);
        assert_eq!(g.track.as_deref(), Some("Ops"));
    }

    #[test]
    fn overlapping_slots_in_one_room_are_listed_not_lost() {
        let mut s = snapshot();
        s.slots[1].room_id = Some("a".into());
        let g = build(&s, None);
        assert_eq!(g.days[0].overlapping.len(), 1);
        assert_eq!(g.days[0].overlapping[0].title, "Two");
    }
}
