//! Problems to fix before a release: two things in one room at once, a speaker in two places
//! at once, a talk longer than its slot.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde::Serialize;

use super::snapshot::Snapshot;
use crate::events::display;

/// One problem, in words, with the slots it concerns.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Conflict {
    /// `room`, `speaker` or `length`.
    pub kind: &'static str,
    /// A sentence for organizers.
    pub message: String,
    /// Slot ids concerned.
    pub slots: Vec<String>,
}

/// Finds every conflict in a (draft) snapshot.
pub fn find(s: &Snapshot) -> Vec<Conflict> {
    let tz: Tz = s.event.timezone.parse().unwrap_or(Tz::UTC);
    let when = |slot: &super::snapshot::SnapSlot| {
        format!(
            "{} {}",
            display::date(slot.starts_at, tz),
            display::time(slot.starts_at, tz)
        )
    };
    let title = |slot: &super::snapshot::SnapSlot| {
        slot.talk_id
            .as_deref()
            .and_then(|id| s.talk(id))
            .map(|t| t.title.clone())
            .unwrap_or_else(|| slot.title.clone())
    };
    let mut out = Vec::new();
    for (i, a) in s.slots.iter().enumerate() {
        for b in &s.slots[i + 1..] {
            let overlap = a.starts_at < b.ends_at && b.starts_at < a.ends_at;
            if !overlap {
                continue;
            }
            // Two slots clash in a room when they share it, or when one spans every room
            // while the other holds a talk (a break over a talk).
            let same_room = match (&a.room_id, &b.room_id) {
                (Some(x), Some(y)) => x == y,
                (None, None) => true,
                (None, Some(_)) => b.talk_id.is_some(),
                (Some(_), None) => a.talk_id.is_some(),
            };
            if same_room {
                out.push(Conflict {
                    kind: "room",
                    message: format!(
                        "“{}” and “{}” overlap in {} on {}.",
                        title(a),
                        title(b),
                        s.room_name(a.room_id.as_deref().or(b.room_id.as_deref())),
                        when(a)
                    ),
                    slots: vec![a.id.clone(), b.id.clone()],
                });
            }
            if let (Some(ta), Some(tb)) = (
                a.talk_id.as_deref().and_then(|id| s.talk(id)),
                b.talk_id.as_deref().and_then(|id| s.talk(id)),
            ) {
                let people: HashMap<&str, &str> = s
                    .people
                    .iter()
                    .map(|p| (p.id.as_str(), p.name.as_str()))
                    .collect();
                for r in &ta.people {
                    if tb.people.iter().any(|q| q.person_id == r.person_id) {
                        out.push(Conflict {
                            kind: "speaker",
                            message: format!(
                                "{} is in “{}” and “{}” at the same time ({}).",
                                people.get(r.person_id.as_str()).unwrap_or(&"Someone"),
                                ta.title,
                                tb.title,
                                when(a)
                            ),
                            slots: vec![a.id.clone(), b.id.clone()],
                        });
                    }
                }
            }
        }
        if let Some(talk) = a.talk_id.as_deref().and_then(|id| s.talk(id)) {
            let minutes = (a.ends_at - a.starts_at).num_minutes();
            if i64::from(talk.duration_minutes) > minutes {
                out.push(Conflict {
                    kind: "length",
                    message: format!(
                        "“{}” lasts {} minutes but its slot on {} has {}.",
                        talk.title,
                        talk.duration_minutes,
                        when(a),
                        minutes
                    ),
                    slots: vec![a.id.clone()],
                });
            }
        }
    }
    out
}
