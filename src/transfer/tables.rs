//! Which rows of which tables make up one event, in the order they can be inserted again, and
//! which of them are personal data (exported only when asked for).

/// One table of an event's document.
pub struct Part {
    /// The table.
    pub table: &'static str,
    /// The SQL condition that picks the event's rows; `$1` is the event's id.
    pub rows: &'static str,
    /// Personal data: exported only with `--with-personal-data`.
    pub personal: bool,
    /// Columns emptied (set to null) in an export without personal data.
    pub blank: &'static [&'static str],
    /// Columns always emptied: links to other events, which the target may not have.
    pub cut: &'static [&'static str],
    /// Shared by events (people, venues, images): a row already there is kept, not refused.
    pub shared: bool,
}

const fn part(table: &'static str, rows: &'static str) -> Part {
    Part {
        table,
        rows,
        personal: false,
        blank: &[],
        cut: &[],
        shared: false,
    }
}

const fn personal(table: &'static str, rows: &'static str) -> Part {
    Part {
        personal: true,
        ..part(table, rows)
    }
}

const OF_EVENT: &str = "event_id = $1";

/// Every part, parents before children. Left out on purpose: the team (organizer accounts are
/// the site's, not the event's), reviews (the reviewers' notes), the mail log, the audit log,
/// links, sessions and jobs (operational, and full of credentials).
pub const PARTS: &[Part] = &[
    Part {
        shared: true,
        ..part("venues", "id = (SELECT venue_id FROM events WHERE id = $1)")
    },
    Part {
        cut: &["successor_id"],
        ..part("events", "id = $1")
    },
    Part {
        shared: true,
        blank: &["email"],
        ..part(
            "people",
            "id IN (SELECT person_id FROM talk_people WHERE talk_id IN \
             (SELECT id FROM talks WHERE event_id = $1))",
        )
    },
    Part {
        shared: true,
        personal: true,
        ..part(
            "people",
            "id NOT IN (SELECT person_id FROM talk_people WHERE talk_id IN \
             (SELECT id FROM talks WHERE event_id = $1)) AND (\
             id IN (SELECT submitter_id FROM proposals WHERE event_id = $1) OR \
             id IN (SELECT person_id FROM proposal_speakers WHERE proposal_id IN \
             (SELECT id FROM proposals WHERE event_id = $1)))",
        )
    },
    Part {
        shared: true,
        ..part(
            "images",
            "id IN (SELECT logo_id FROM sponsors WHERE event_id = $1)",
        )
    },
    part("rooms", OF_EVENT),
    part("tracks", OF_EVENT),
    part("talks", OF_EVENT),
    part(
        "talk_people",
        "talk_id IN (SELECT id FROM talks WHERE event_id = $1)",
    ),
    part("slots", OF_EVENT),
    part("schedule_releases", OF_EVENT),
    part("submission_types", OF_EVENT),
    part("questions", OF_EVENT),
    part("openspaces", OF_EVENT),
    part("openspace_closed_slots", OF_EVENT),
    part("sponsor_levels", OF_EVENT),
    part("sponsors", OF_EVENT),
    part("mail_templates", OF_EVENT),
    personal("registrations", OF_EVENT),
    personal(
        "answers",
        "registration_id IN (SELECT id FROM registrations WHERE event_id = $1)",
    ),
    personal("openspace_participants", OF_EVENT),
    Part {
        blank: &["participant_id"],
        ..part("openspace_topics", OF_EVENT)
    },
    personal("openspace_votes", OF_EVENT),
    personal("session_notes", OF_EVENT),
    Part {
        blank: &["topic_id"],
        ..part("buzz_items", OF_EVENT)
    },
    personal("proposals", OF_EVENT),
    personal(
        "proposal_speakers",
        "proposal_id IN (SELECT id FROM proposals WHERE event_id = $1)",
    ),
    personal("talk_feedback", OF_EVENT),
    personal("speaker_availability", OF_EVENT),
    personal("notice_subscriptions", OF_EVENT),
    personal("mail_unsubscribes", OF_EVENT),
];

/// Binary columns: written in documents as lowercase hex.
pub const BINARY: &[(&str, &str)] = &[("images", "bytes")];
