//! Suggesting a board: which unplaced topics go into which free slots. Pure, so its order is
//! tested without a database.
//!
//! The rule: topics in order of votes (most first); ties go to the topic proposed earlier, then
//! to the lower topic number. Each takes the free slot in the biggest room (most seats; a room
//! without a capacity counts as the smallest), ties going to the earlier time, then to the room
//! further left in the programme. A slot where the topic's convener is already busy (placed, or
//! given a slot earlier in this draft) is skipped. Topics left over when the slots run out stay
//! unplaced.

use chrono::NaiveDateTime;

/// A free slot on the board.
#[derive(Debug, Clone)]
pub struct FreeSlot {
    /// Slot id.
    pub slot_id: String,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
    /// The room's seats.
    pub capacity: Option<i32>,
    /// The room's column.
    pub room_position: i32,
}

/// An unplaced topic.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Topic id.
    pub topic_id: String,
    /// Dots on it.
    pub votes: i64,
    /// Proposed.
    pub created_at: NaiveDateTime,
    /// Stable number.
    pub number: i64,
    /// Who convenes it (the participant), if known.
    pub convener: Option<String>,
}

/// A time a convener is already busy.
#[derive(Debug, Clone)]
pub struct Busy {
    /// The participant.
    pub convener: String,
    /// Start.
    pub starts_at: NaiveDateTime,
    /// End.
    pub ends_at: NaiveDateTime,
}

fn overlaps(a: (NaiveDateTime, NaiveDateTime), b: (NaiveDateTime, NaiveDateTime)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// (topic id, slot id) for each topic the draft places.
pub fn suggest(
    mut slots: Vec<FreeSlot>,
    mut topics: Vec<Candidate>,
    mut busy: Vec<Busy>,
) -> Vec<(String, String)> {
    topics.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.created_at.cmp(&b.created_at))
            .then(a.number.cmp(&b.number))
    });
    slots.sort_by(|a, b| {
        b.capacity
            .unwrap_or(-1)
            .cmp(&a.capacity.unwrap_or(-1))
            .then(a.starts_at.cmp(&b.starts_at))
            .then(a.room_position.cmp(&b.room_position))
    });
    let mut out = Vec::new();
    for t in topics {
        let fits = |s: &FreeSlot| {
            t.convener.as_ref().is_none_or(|c| {
                !busy.iter().any(|b| {
                    &b.convener == c && overlaps((b.starts_at, b.ends_at), (s.starts_at, s.ends_at))
                })
            })
        };
        if let Some(i) = slots.iter().position(fits) {
            let s = slots.remove(i);
            if let Some(c) = &t.convener {
                busy.push(Busy {
                    convener: c.clone(),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                });
            }
            out.push((t.topic_id, s.slot_id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2009, 10, 30)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn slot(id: &str, h: u32, cap: Option<i32>, pos: i32) -> FreeSlot {
        FreeSlot {
            slot_id: id.into(),
            starts_at: at(h),
            ends_at: at(h + 1),
            capacity: cap,
            room_position: pos,
        }
    }

    fn topic(id: &str, votes: i64, minute: i64, convener: Option<&str>) -> Candidate {
        Candidate {
            topic_id: id.into(),
            votes,
            created_at: at(9) + chrono::Duration::minutes(minute),
            number: minute,
            convener: convener.map(Into::into),
        }
    }

    #[test]
    fn most_votes_get_the_biggest_rooms_ties_go_to_the_earlier_proposal() {
        let slots = vec![
            slot("small-14", 14, Some(10), 2),
            slot("big-14", 14, Some(50), 1),
            slot("big-15", 15, Some(50), 1),
        ];
        let topics = vec![
            topic("few", 1, 0, None),
            topic("tie-late", 5, 9, None),
            topic("tie-early", 5, 3, None),
            topic("most", 9, 5, None),
        ];
        let got = suggest(slots, topics, vec![]);
        assert_eq!(
            got,
            vec![
                ("most".to_string(), "big-14".to_string()),
                ("tie-early".into(), "big-15".into()),
                ("tie-late".into(), "small-14".into()),
            ]
        );
    }

    #[test]
    fn a_convener_is_never_given_two_places_at_once() {
        let slots = vec![
            slot("a-14", 14, Some(50), 1),
            slot("b-14", 14, Some(40), 2),
            slot("a-15", 15, Some(50), 1),
        ];
        let topics = vec![
            topic("one", 9, 0, Some("kris")),
            topic("two", 8, 1, Some("kris")),
        ];
        let got = suggest(slots.clone(), topics.clone(), vec![]);
        assert_eq!(
            got,
            vec![
                ("one".to_string(), "a-14".to_string()),
                ("two".into(), "a-15".into())
            ]
        );
        let busy = vec![Busy {
            convener: "kris".into(),
            starts_at: at(14),
            ends_at: at(15),
        }];
        let got = suggest(slots, topics, busy);
        assert_eq!(got, vec![("one".to_string(), "a-15".to_string())]);
    }
}
