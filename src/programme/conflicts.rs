//! Problems to fix before a release: two things in one room at once, a speaker in two places
//! at once, a talk longer than its slot.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde::Serialize;

use super::snapshot::{SnapSlot, SnapTalk, Snapshot};
use crate::events::display;

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Two things in one room at once (or a break across the rooms over a talk).
    Room,
    /// A speaker in two talks at once.
    Speaker,
    /// A talk longer than its slot.
    Length,
    /// A talk placed when one of its speakers said they are away.
    Availability,
}

/// One problem, in words, with the slots it concerns.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Conflict {
    /// What kind.
    pub kind: ConflictKind,
    /// A sentence for organizers.
    pub message: String,
    /// Slot ids concerned.
    pub slots: Vec<String>,
}

/// Checks the slots of one snapshot.
struct Checker<'a> {
    s: &'a Snapshot,
    tz: Tz,
    people: HashMap<&'a str, &'a str>,
    availability: &'a Availability,
}

/// Speakers' windows (UTC) by person id: see [`super::availability`].
pub type Availability = HashMap<String, Vec<super::availability::Window>>;

impl<'a> Checker<'a> {
    fn when(&self, slot: &SnapSlot) -> String {
        format!(
            "{} {}",
            display::date(slot.starts_at, self.tz),
            display::time(slot.starts_at, self.tz)
        )
    }

    /// The slot as a message names it: its talk's or its own title in quotes, or "the free
    /// slot at 10:30" (never an empty “”).
    fn title(&self, slot: &SnapSlot) -> String {
        let title = self
            .talk(slot)
            .map(|t| t.title.clone())
            .unwrap_or_else(|| slot.title.clone());
        if title.trim().is_empty() {
            format!(
                "the free slot at {}",
                display::time(slot.starts_at, self.tz)
            )
        } else {
            format!("“{title}”")
        }
    }

    fn talk(&self, slot: &SnapSlot) -> Option<&'a SnapTalk> {
        slot.talk_id.as_deref().and_then(|id| self.s.talk(id))
    }

    /// Two overlapping slots clash in a room when they share it, or when one spans every room
    /// while the other holds a talk (a break over a talk).
    fn room(&self, a: &SnapSlot, b: &SnapSlot) -> Option<Conflict> {
        let same_room = match (&a.room_id, &b.room_id) {
            (Some(x), Some(y)) => x == y,
            (None, None) => true,
            (None, Some(_)) => b.talk_id.is_some(),
            (Some(_), None) => a.talk_id.is_some(),
        };
        let room = self
            .s
            .room_name(a.room_id.as_deref().or(b.room_id.as_deref()));
        same_room.then(|| Conflict {
            kind: ConflictKind::Room,
            message: format!(
                "{} and {} overlap in {room} on {}.",
                self.title(a),
                self.title(b),
                self.when(a)
            ),
            slots: vec![a.id.clone(), b.id.clone()],
        })
    }

    /// Everyone who is in the talks of two overlapping slots.
    fn speakers(&self, a: &SnapSlot, b: &SnapSlot) -> Vec<Conflict> {
        let (Some(ta), Some(tb)) = (self.talk(a), self.talk(b)) else {
            return Vec::new();
        };
        ta.people
            .iter()
            .filter(|r| tb.people.iter().any(|q| q.person_id == r.person_id))
            .map(|r| Conflict {
                kind: ConflictKind::Speaker,
                message: format!(
                    "{} is in “{}” and “{}” at the same time ({}).",
                    self.people.get(r.person_id.as_str()).unwrap_or(&"Someone"),
                    ta.title,
                    tb.title,
                    self.when(a)
                ),
                slots: vec![a.id.clone(), b.id.clone()],
            })
            .collect()
    }

    /// A speaker who gave windows, none of which holds the whole slot.
    fn availability(&self, a: &SnapSlot) -> Vec<Conflict> {
        let Some(talk) = self.talk(a) else {
            return Vec::new();
        };
        talk.people
            .iter()
            .filter_map(|p| {
                let windows = self.availability.get(&p.person_id)?;
                let fits = windows
                    .iter()
                    .any(|(s, e)| *s <= a.starts_at && a.ends_at <= *e);
                let given = windows
                    .iter()
                    .map(|(s, e)| {
                        format!(
                            "{} {}–{}",
                            display::local(*s, self.tz).format("%a %-d %b"),
                            display::time(*s, self.tz),
                            display::time(*e, self.tz)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                (!fits).then(|| Conflict {
                    kind: ConflictKind::Availability,
                    message: format!(
                        "{} is not available for “{}” on {} (they can be there: {given}).",
                        self.people.get(p.person_id.as_str()).unwrap_or(&"Someone"),
                        talk.title,
                        self.when(a)
                    ),
                    slots: vec![a.id.clone()],
                })
            })
            .collect()
    }

    /// A talk longer than its slot.
    fn length(&self, a: &SnapSlot) -> Option<Conflict> {
        let talk = self.talk(a)?;
        let minutes = (a.ends_at - a.starts_at).num_minutes();
        (i64::from(talk.duration_minutes) > minutes).then(|| Conflict {
            kind: ConflictKind::Length,
            message: format!(
                "“{}” lasts {} minutes but its slot on {} has {minutes}.",
                talk.title,
                talk.duration_minutes,
                self.when(a)
            ),
            slots: vec![a.id.clone()],
        })
    }
}

/// Finds every conflict in a (draft) snapshot.
pub fn find(s: &Snapshot) -> Vec<Conflict> {
    find_with(s, &Availability::new())
}

/// [`find`], also against the speakers' availability.
pub fn find_with(s: &Snapshot, availability: &Availability) -> Vec<Conflict> {
    let checker = Checker {
        availability,
        s,
        tz: s.event.timezone.parse().unwrap_or(Tz::UTC),
        people: s
            .people
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect(),
    };
    let mut out = Vec::new();
    for (i, a) in s.slots.iter().enumerate() {
        for b in &s.slots[i + 1..] {
            if a.starts_at < b.ends_at && b.starts_at < a.ends_at {
                out.extend(checker.room(a, b));
                out.extend(checker.speakers(a, b));
            }
        }
        out.extend(checker.length(a));
        out.extend(checker.availability(a));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::programme::snapshot::fixtures::{slot, snapshot, talk};

    fn kinds(s: &Snapshot) -> Vec<ConflictKind> {
        find(s).into_iter().map(|c| c.kind).collect()
    }

    fn two(a: SnapSlot, b: SnapSlot) -> Snapshot {
        snapshot(
            vec![a, b],
            vec![
                talk("t1", "t1", 30, None, &["patrick"]),
                talk("t2", "t2", 30, None, &["patrick"]),
            ],
        )
    }

    #[test]
    fn two_things_in_one_room_clash_and_side_by_side_rooms_do_not() {
        let same = snapshot(
            vec![
                slot("a", Some("a"), (10, 0), (11, 0), Some("t1")),
                slot("b", Some("a"), (10, 30), (11, 30), Some("t2")),
            ],
            vec![
                talk("t1", "t1", 45, None, &[]),
                talk("t2", "t2", 45, None, &[]),
            ],
        );
        assert_eq!(kinds(&same), [ConflictKind::Room]);
        let apart = snapshot(
            vec![
                slot("a", Some("a"), (10, 0), (11, 0), Some("t1")),
                slot("b", Some("b"), (10, 0), (11, 0), Some("t2")),
            ],
            vec![
                talk("t1", "t1", 45, None, &[]),
                talk("t2", "t2", 45, None, &[]),
            ],
        );
        assert!(find(&apart).is_empty());
        let back_to_back = two(
            slot("a", Some("a"), (10, 0), (10, 30), Some("t1")),
            slot("b", Some("a"), (10, 30), (11, 0), Some("t2")),
        );
        assert!(
            find(&back_to_back).is_empty(),
            "touching slots do not overlap"
        );
    }

    #[test]
    fn a_break_across_the_rooms_clashes_with_a_talk_but_not_with_an_empty_slot() {
        let over_talk = snapshot(
            vec![
                slot("lunch", None, (12, 0), (13, 0), None),
                slot("a", Some("b"), (12, 30), (13, 0), Some("t1")),
            ],
            vec![talk("t1", "t1", 30, None, &[])],
        );
        assert_eq!(kinds(&over_talk), [ConflictKind::Room]);
        let over_empty = snapshot(
            vec![
                slot("lunch", None, (12, 0), (13, 0), None),
                slot("a", Some("b"), (12, 30), (13, 0), None),
            ],
            vec![],
        );
        assert!(find(&over_empty).is_empty());
    }

    #[test]
    fn a_speaker_in_two_places_and_a_talk_longer_than_its_slot_are_named() {
        let s = snapshot(
            vec![
                slot("a", Some("a"), (10, 0), (10, 30), Some("t1")),
                slot("b", Some("b"), (10, 15), (11, 0), Some("t2")),
            ],
            vec![
                talk("t1", "t1", 45, None, &["patrick"]),
                talk("t2", "t2", 45, None, &["patrick"]),
            ],
        );
        let found = find(&s);
        assert_eq!(
            found.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [ConflictKind::Speaker, ConflictKind::Length]
        );
        assert!(
            found[0]
                .message
                .starts_with("Patrick Debois is in “t1” and “t2”"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("lasts 45 minutes but its slot"),
            "{}",
            found[1].message
        );
    }
}
