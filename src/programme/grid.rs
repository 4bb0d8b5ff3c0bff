//! The programme grid: for each day, a table with rooms as columns and time as rows. A slot
//! spans the rows of its duration; breaks and socials (no room) span every column. Built from a
//! snapshot, so the public grid shows only released data, and the organizers' editor shows the
//! draft the same way.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
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
    /// The open-space topic placed here, if any: its id (its notes page).
    pub topic_id: Option<String>,
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
    /// For an empty cell: its room's id (where a slot dropped there goes).
    pub room_id: Option<String>,
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
    /// One row per distinct start time, in order.
    pub rows: Vec<Row>,
    /// Slots that overlap another in the same room (shown below the table).
    pub overlapping: Vec<CellSlot>,
}

/// A track in the filter.
#[derive(Debug, Clone, Serialize)]
pub struct TrackLink {
    /// For the `#track-…` anchor and filter.
    pub id: String,
    /// As shown in the legend.
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

/// The relative luminance of `#rrggbb` (WCAG 2), or `None` for anything else.
fn luminance(hex: &str) -> Option<f64> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let c = f64::from(u8::from_str_radix(h.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// Black or white, whichever contrasts more with `hex` (one of the two always reaches 4.58:1).
pub fn text_on(hex: &str) -> &'static str {
    let l = luminance(hex).unwrap_or(1.0);
    if (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// The stylesheet of a release's track colours (the CSP allows no inline style): each track's
/// class gets its organizer-chosen colour as the slot's stripe and as the background of its
/// label, with black or white text for contrast.
pub fn track_css(snapshot: &Snapshot) -> String {
    let mut css = String::new();
    for (i, t) in snapshot.tracks.iter().enumerate() {
        if luminance(&t.colour).is_none() {
            continue;
        }
        let class = format!("track-{}", i % 8);
        css.push_str(&format!(
            "td.{class} {{ border-left: 6px solid {c} !important; }}\n\
             td.{class} .track, .track-filter a.{class} {{ background: {c}; color: {fg}; padding: 0 .3rem; border-radius: .2rem; }}\n",
            c = t.colour,
            fg = text_on(&t.colour)
        ));
    }
    css
}

/// A slot's own title, or "Free slot" for a slot that has neither a talk nor a title (made
/// empty, or whose talk was taken out): it stays visible, with its time.
fn free_or(title: &str) -> String {
    if title.trim().is_empty() {
        "Free slot".to_string()
    } else {
        title.to_string()
    }
}

/// Builds the grid, optionally showing only one track's talks (untalked slots stay).
pub fn build(snapshot: &Snapshot, track_filter: Option<&str>) -> Grid {
    let tz: Tz = snapshot.event.timezone.parse().unwrap_or(Tz::UTC);
    let people = snapshot.people_by_id();
    let track_index = |id: &str| snapshot.tracks.iter().position(|t| t.id == id);
    let cell_slot = |s: &SnapSlot| {
        let talk = s.talk_id.as_deref().and_then(|id| snapshot.talk(id));
        let topic = snapshot.topic_in(&s.id);
        CellSlot {
            id: s.id.clone(),
            kind: s.kind,
            title: talk
                .map(|t| t.title.clone())
                .or_else(|| topic.map(|t| t.title.clone()))
                .unwrap_or_else(|| free_or(&s.title)),
            topic_id: topic.map(|t| t.id.clone()),
            time: format!(
                "{}–{}",
                display::time(s.starts_at, tz),
                display::time(s.ends_at, tz)
            ),
            room: snapshot.room_name(s.room_id.as_deref()),
            talk_id: talk.map(|t| t.id.clone()),
            talk_kind: talk.map(|t| t.kind),
            people: talk
                .map(|t| t.people_names(&people).join(", "))
                .or_else(|| topic.map(|t| t.convener.clone()))
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

/// Where each slot of a day sits in its table: a grid of rows (between consecutive start and
/// end times) and columns (rooms), each cell taken by at most one slot.
struct Layout {
    /// Row × column → the slot (index) covering the cell.
    grid: Vec<Vec<Option<usize>>>,
    /// Per slot: (first row, row after, first column, column after), if placed.
    placed: Vec<Option<(usize, usize, usize, usize)>>,
    /// Slots that clash with one placed before them (listed under the table).
    overlapping: Vec<usize>,
}

impl Layout {
    fn place(slots: &[&SnapSlot], columns: &[&str], bounds: &[NaiveDateTime]) -> Layout {
        let rows = bounds.len().saturating_sub(1);
        let row_of = |t| bounds.binary_search(&t).unwrap_or(0);
        let mut layout = Layout {
            grid: vec![vec![None; columns.len()]; rows],
            placed: vec![None; slots.len()],
            overlapping: Vec::new(),
        };
        for (i, s) in slots.iter().enumerate() {
            let r0 = row_of(s.starts_at);
            let r1 = row_of(s.ends_at).max(r0 + 1).min(rows);
            let (c0, c1) = match s
                .room_id
                .as_deref()
                .and_then(|room| columns.iter().position(|c| *c == room))
            {
                Some(c) => (c, c + 1),
                None => (0, columns.len()),
            };
            let free = (r0..r1).all(|r| (c0..c1).all(|c| layout.grid[r][c].is_none()));
            if !free || r0 >= rows {
                layout.overlapping.push(i);
                continue;
            }
            for row in layout.grid.iter_mut().take(r1).skip(r0) {
                for cell in row.iter_mut().take(c1).skip(c0) {
                    *cell = Some(i);
                }
            }
            layout.placed[i] = Some((r0, r1, c0, c1));
        }
        layout
    }

    /// The table's rows: a cell where a slot starts (spanning its rows and columns), an empty
    /// cell where none is, nothing where a slot started above or to the left.
    fn rows(
        &self,
        slots: &[&SnapSlot],
        (bounds, columns): (&[NaiveDateTime], &[&str]),
        tz: Tz,
        cell_slot: &dyn Fn(&SnapSlot) -> CellSlot,
    ) -> Vec<Row> {
        let mut out = Vec::with_capacity(self.grid.len());
        for (r, row) in self.grid.iter().enumerate() {
            let mut cells = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Some(i) => {
                        if let Some((r0, r1, c0, c1)) = self.placed[*i] {
                            if r0 == r && c0 == c {
                                cells.push(Cell {
                                    rowspan: r1 - r0,
                                    colspan: c1 - c0,
                                    slot: Some(cell_slot(slots[*i])),
                                    room_id: None,
                                });
                            }
                        }
                    }
                    None => cells.push(Cell {
                        rowspan: 1,
                        colspan: 1,
                        slot: None,
                        room_id: columns.get(c).map(|r| r.to_string()),
                    }),
                }
            }
            out.push(Row {
                time: display::time(bounds[r], tz),
                time_iso: display::iso_utc(bounds[r]),
                cells,
            });
        }
        out
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
    let layout = Layout::place(slots, &columns, &bounds);
    let overlapping = layout
        .overlapping
        .iter()
        .map(|i| cell_slot(slots[*i]))
        .collect();
    let out_rows = layout.rows(slots, (&bounds, &columns), tz, cell_slot);
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
    use super::*;

    #[test]
    fn track_labels_get_the_text_colour_that_contrasts_more() {
        assert_eq!(text_on("#1f6feb"), "#ffffff");
        assert_eq!(text_on("#ffe58a"), "#000000");
        assert_eq!(text_on("#000000"), "#ffffff");
        assert_eq!(text_on("#ffffff"), "#000000");
    }

    fn snapshot() -> Snapshot {
        use crate::programme::snapshot::fixtures::{slot, snapshot, talk};
        snapshot(
            vec![
                slot("s1", Some("a"), (9, 0), (10, 0), Some("t1")),
                slot("s2", Some("b"), (9, 30), (10, 0), Some("t2")),
                slot("s3", None, (10, 0), (10, 30), None),
            ],
            vec![
                talk("t1", "One", 45, Some("ops"), &[]),
                talk("t2", "Two", 45, None, &[]),
            ],
        )
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
