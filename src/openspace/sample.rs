//! The demo's open space: Ghent 2009's two afternoons as a filled board (sample topics with
//! votes and notes, the marketplace slots marked), and USA 2010 with an open marketplace to try
//! (code `DEVOPS`). Every topic is labelled sample data.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::model::{
    Access, Market, NoteRevision, NoteSubject, Participant, Settings, Topic, TopicState,
};
use crate::db::schema::{
    openspace_closed_slots, openspace_participants, openspace_topics, openspace_votes, openspaces,
    rooms, session_notes, slots,
};
use crate::db::{new_id, AnyConnection};
use crate::events::Event;
use crate::programme::model::SlotKind;

/// The demo's marketplace code for USA 2010.
pub const USA_CODE: &str = "DEVOPS";

const GHENT_TOPICS: &[(&str, &str)] = &[
    (
        "Deployment: who pushes the button?",
        "Developers, operations, or a script nobody owns.",
    ),
    (
        "Monitoring that tells you something",
        "Fewer alerts, better ones: what do you page on?",
    ),
    (
        "Puppet, Cfengine or something else?",
        "Experiences with configuration management tools.",
    ),
    (
        "Planning ops work that interrupts",
        "Sprints, queues and the pager.",
    ),
    (
        "Logs and metrics for developers",
        "Giving developers access to production data safely.",
    ),
    (
        "Release management with continuous integration",
        "From a green build to production.",
    ),
    (
        "Test environments from a private cloud",
        "Self-service machines for every branch.",
    ),
    (
        "Developers on call",
        "Should the people who write it carry the pager?",
    ),
    (
        "Infrastructure in version control",
        "Everything in the repository, including the firewall.",
    ),
    (
        "Kanban for operations teams",
        "Limits on work in progress when work arrives unplanned.",
    ),
    (
        "Schema changes without downtime",
        "Databases and continuous deployment.",
    ),
    (
        "Getting dev and ops in one room",
        "Culture first: how did your company start?",
    ),
    (
        "Packaging: deb, rpm or tarballs?",
        "How applications reach the servers.",
    ),
];

const PEOPLE: &[&str] = &[
    "An Peeters",
    "Jan Janssens",
    "Marie Dubois",
    "Tom Claes",
    "Sofie Maes",
    "Pieter Jacobs",
    "Lotte Willems",
    "Bram Wouters",
    "Eva Goossens",
    "Koen De Smet",
    "Nina Hermans",
    "Wout Martens",
];

fn settings(
    event_id: &str,
    access: Access,
    code: &str,
    market: Market,
    now: NaiveDateTime,
) -> Settings {
    Settings {
        event_id: event_id.into(),
        access,
        code: code.into(),
        dots: super::settings::DEFAULT_DOTS,
        market,
        opens_at: None,
        closes_at: None,
        notes_days: super::settings::DEFAULT_NOTES_DAYS,
        about: String::new(),
        board_version: 1,
        updated_at: now,
    }
}

fn participants(
    conn: &mut AnyConnection,
    event: &Event,
    at: NaiveDateTime,
) -> QueryResult<Vec<Participant>> {
    let list: Vec<Participant> = PEOPLE
        .iter()
        .map(|name| Participant {
            id: new_id(),
            event_id: event.id.clone(),
            registration_id: None,
            name: name.to_string(),
            dots_used: 0,
            created_at: at,
        })
        .collect();
    for p in &list {
        diesel::insert_into(openspace_participants::table)
            .values(p)
            .execute(conn)?;
    }
    Ok(list)
}

fn topic(
    conn: &mut AnyConnection,
    event: &Event,
    (title, description): (&str, &str),
    convener: &Participant,
    slot: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<Topic> {
    let t = Topic {
        id: new_id(),
        number: crate::programme::model::next_number(conn)?,
        event_id: event.id.clone(),
        title: title.into(),
        description: description.into(),
        convener_name: convener.name.clone(),
        participant_id: Some(convener.id.clone()),
        state: TopicState::Shown,
        merged_into: None,
        slot_id: slot.map(str::to_string),
        draft_slot_id: None,
        sample: true,
        created_at: at,
        updated_at: at,
    };
    diesel::insert_into(openspace_topics::table)
        .values(&t)
        .execute(conn)?;
    Ok(t)
}

/// Votes: participant `i` puts dots on `dots` topics picked by a fixed pattern, so the counts
/// differ from topic to topic.
fn votes(
    conn: &mut AnyConnection,
    event: &Event,
    people: &[Participant],
    topics: &[Topic],
    at: NaiveDateTime,
) -> QueryResult<()> {
    for (i, p) in people.iter().enumerate() {
        let mut chosen: Vec<usize> = vec![
            i % topics.len(),
            (i * 3 + 1) % topics.len(),
            (i / 2) % topics.len(),
        ];
        chosen.sort();
        chosen.dedup();
        for &t in &chosen {
            diesel::insert_into(openspace_votes::table)
                .values((
                    openspace_votes::id.eq(new_id()),
                    openspace_votes::event_id.eq(&event.id),
                    openspace_votes::topic_id.eq(&topics[t].id),
                    openspace_votes::participant_id.eq(&p.id),
                    openspace_votes::created_at.eq(at),
                ))
                .execute(conn)?;
        }
        diesel::update(openspace_participants::table.find(&p.id))
            .set(openspace_participants::dots_used.eq(chosen.len() as i32))
            .execute(conn)?;
    }
    Ok(())
}

fn note(
    conn: &mut AnyConnection,
    event: &Event,
    t: &Topic,
    revision: i32,
    body: &str,
    by: &Participant,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(session_notes::table)
        .values(NoteRevision {
            id: new_id(),
            event_id: event.id.clone(),
            subject_kind: NoteSubject::Topic,
            subject_id: t.id.clone(),
            revision,
            body: body.into(),
            editor_name: by.name.clone(),
            participant_id: Some(by.id.clone()),
            created_at: at,
        })
        .execute(conn)
        .map(drop)
}

/// Ghent 2009: the marketplace slots (in the main room) take no topic; the other open-space
/// slots hold sample topics, with votes and a few pages of notes. The marketplace is closed.
pub fn ghent(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> QueryResult<()> {
    let board: Vec<(String, String, NaiveDateTime)> = slots::table
        .inner_join(rooms::table)
        .filter(slots::event_id.eq(&event.id))
        .filter(slots::kind.eq(SlotKind::OpenSpace))
        .order((slots::starts_at, rooms::position))
        .select((slots::id, rooms::name, slots::starts_at))
        .load(conn)?;
    diesel::insert_into(openspaces::table)
        .values(settings(
            &event.id,
            Access::Code,
            &super::settings::new_code(),
            Market::Closed,
            now,
        ))
        .execute(conn)?;
    let (market, spaces): (Vec<_>, Vec<_>) = board
        .into_iter()
        .partition(|(_, room, _)| room == "Main room");
    for (slot, _, _) in &market {
        diesel::insert_into(openspace_closed_slots::table)
            .values((
                openspace_closed_slots::slot_id.eq(slot),
                openspace_closed_slots::event_id.eq(&event.id),
            ))
            .execute(conn)?;
    }
    let first = spaces.first().map_or(event.starts_at, |s| s.2);
    let people = participants(conn, event, first - Duration::minutes(30))?;
    let mut topics = Vec::new();
    for (i, seed) in GHENT_TOPICS.iter().enumerate() {
        let slot = spaces.get(i).map(|s| s.0.as_str());
        let proposed = spaces.get(i).map_or(first, |s| s.2) - Duration::minutes(45);
        topics.push(topic(
            conn,
            event,
            *seed,
            &people[i % people.len()],
            slot,
            proposed,
        )?);
    }
    votes(conn, event, &people, &topics, first - Duration::minutes(20))?;
    let after = event.ends_at + Duration::days(1);
    note(conn, event, &topics[0], 1, "- Whoever is woken up at night should be able to roll back.\n- Most teams: ops push, devs watch.", &people[0], after)?;
    note(conn, event, &topics[0], 2, "- Whoever is woken up at night should be able to roll back.\n- Most teams: ops push, devs watch.\n- Two teams let developers deploy with a one-button script; nobody wants to go back.", &people[3], after + Duration::hours(2))?;
    note(
        conn,
        event,
        &topics[1],
        1,
        "Alert on symptoms users see, graph the causes. *Cucumber-nagios* came up twice.",
        &people[1],
        after,
    )?;
    note(
        conn,
        event,
        &topics[9],
        1,
        "Work in progress limits per person; interrupts get their own lane on the board.",
        &people[9],
        after,
    )?;
    Ok(())
}

/// USA 2010: an open marketplace (code [`USA_CODE`]) with two sample topics, to try.
pub fn usa(conn: &mut AnyConnection, event: &Event, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(openspaces::table)
        .values(settings(
            &event.id,
            Access::Code,
            USA_CODE,
            Market::Open,
            now,
        ))
        .execute(conn)?;
    let people = participants(conn, event, now - Duration::hours(2))?;
    let topics = vec![
        topic(
            conn,
            event,
            (
                "Devops in a large enterprise",
                "Where do you start when there are forty teams?",
            ),
            &people[0],
            None,
            now - Duration::hours(1),
        )?,
        topic(
            conn,
            event,
            (
                "Metrics everyone looks at",
                "One dashboard for developers and operations.",
            ),
            &people[1],
            None,
            now - Duration::minutes(30),
        )?,
    ];
    votes(
        conn,
        event,
        &people[..4],
        &topics,
        now - Duration::minutes(10),
    )
}
