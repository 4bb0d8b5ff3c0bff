//! The marketplace: proposing topics, dot votes, and the moderators' hide and merge.
//!
//! A vote takes one of the participant's dots with a single conditional UPDATE
//! (`dots_used = dots_used + 1 WHERE dots_used < dots`) in the transaction that inserts the
//! vote, and the (topic, participant) pair is UNIQUE: so however many requests race, nobody
//! places more than their dots or two on one topic, on SQLite and on PostgreSQL alike.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Participant, Topic, TopicState};
use super::participants::may_take_part;
use super::settings;
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{openspace_participants, openspace_topics, openspace_votes};
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{parse_line, parse_text};

/// Most topics one participant proposes in an hour.
pub const TOPICS_PER_HOUR: i64 = 5;

/// The proposal form, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicForm {
    /// Title.
    pub title: String,
    /// A few lines.
    pub description: String,
    /// The convener's name.
    pub convener: String,
    /// The honeypot: people leave it empty (it is hidden), bots fill it.
    pub website: String,
}

impl TopicForm {
    /// Whether a bot filled the hidden field.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

/// A proposal, typed.
#[derive(Debug, Clone)]
pub struct TopicInput {
    title: String,
    description: String,
    convener: String,
}

/// Parses the proposal form.
pub fn parse(form: &TopicForm) -> Result<TopicInput, FieldErrors> {
    let mut f = Fields::new();
    let title = f.take("title", parse_line(&form.title, "a title", 120));
    let description = f.take(
        "description",
        parse_text(&form.description, "the description", 1000),
    );
    let convener = f.take(
        "convener",
        parse_line(&form.convener, "the convener's name", 80),
    );
    f.finish(|| {
        Some(TopicInput {
            title: title?,
            description: description?,
            convener: convener?,
        })
    })
}

/// Checks that the marketplace is open and the participant may take part.
fn check_open(conn: &mut AnyConnection, cx: &EventContext, p: &Participant) -> AppResult<i32> {
    let s = settings::current(conn, cx)?;
    if !s.market_open(cx.now) {
        return Err(AppError::Refused(
            "The marketplace is closed: topics and votes can no longer change.".into(),
        ));
    }
    if !may_take_part(s.access, p) {
        return Err(AppError::Refused("This open space is for registered attendees: open it through the link in your registration mail.".into()));
    }
    Ok(s.dots)
}

/// Proposes a topic with the participant as its convener.
pub fn propose(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Participant,
    input: &TopicInput,
) -> AppResult<Topic> {
    write_transaction(conn, |conn| {
        check_open(conn, cx, p)?;
        let recent: i64 = openspace_topics::table
            .filter(openspace_topics::participant_id.eq(&p.id))
            .filter(openspace_topics::created_at.gt(cx.now - Duration::hours(1)))
            .count()
            .get_result(conn)?;
        if recent >= TOPICS_PER_HOUR {
            return Err(AppError::Refused(format!("You proposed {recent} topics in the last hour; that is the most one person may. Pitch them at the marketplace first.")));
        }
        let topic = Topic {
            id: new_id(),
            number: crate::programme::model::next_number(conn)?,
            event_id: cx.event.id.clone(),
            title: input.title.clone(),
            description: input.description.clone(),
            convener_name: input.convener.clone(),
            participant_id: Some(p.id.clone()),
            state: TopicState::Shown,
            merged_into: None,
            slot_id: None,
            draft_slot_id: None,
            sample: false,
            created_at: cx.now,
            updated_at: cx.now,
        };
        diesel::insert_into(openspace_topics::table)
            .values(&topic)
            .execute(conn)?;
        crate::material::index::reindex_event(conn, &cx.event.id)?;
        Ok(topic)
    })
}

/// One of the event's listed topics.
fn listed(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Topic> {
    openspace_topics::table
        .find(id)
        .filter(openspace_topics::event_id.eq(event_id))
        .filter(openspace_topics::state.eq(TopicState::Shown))
        .select(Topic::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// Puts one of the participant's dots on a topic.
pub fn vote(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Participant,
    topic_id: &str,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let dots = check_open(conn, cx, p)?;
        let topic = listed(conn, &cx.event.id, topic_id)?;
        let inserted = settings::insert_once(conn, |c| {
            diesel::insert_into(openspace_votes::table)
                .values((
                    openspace_votes::id.eq(new_id()),
                    openspace_votes::event_id.eq(&cx.event.id),
                    openspace_votes::topic_id.eq(&topic.id),
                    openspace_votes::participant_id.eq(&p.id),
                    openspace_votes::created_at.eq(cx.now),
                ))
                .execute(c)
        })?;
        if inserted == 0 {
            return Err(AppError::Refused(
                "Your dot is on this topic already: one per topic.".into(),
            ));
        }
        let took = diesel::update(openspace_participants::table.find(&p.id))
            .filter(openspace_participants::dots_used.lt(dots))
            .set(openspace_participants::dots_used.eq(openspace_participants::dots_used + 1))
            .execute(conn)?;
        if took == 0 {
            // Rolls the vote back with the transaction.
            return Err(AppError::Refused(format!(
                "All your {dots} dots are placed. Take one back from another topic first."
            )));
        }
        Ok(())
    })
}

/// Takes the participant's dot back from a topic.
pub fn unvote(
    conn: &mut AnyConnection,
    cx: &EventContext,
    p: &Participant,
    topic_id: &str,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        check_open(conn, cx, p)?;
        let removed = diesel::delete(
            openspace_votes::table
                .filter(openspace_votes::topic_id.eq(topic_id))
                .filter(openspace_votes::participant_id.eq(&p.id)),
        )
        .execute(conn)?;
        if removed > 0 {
            release_dots(conn, &p.id, removed)?;
        }
        Ok(())
    })
}

fn release_dots(conn: &mut AnyConnection, participant_id: &str, n: usize) -> QueryResult<usize> {
    diesel::update(openspace_participants::table.find(participant_id))
        .set(openspace_participants::dots_used.eq(openspace_participants::dots_used - n as i32))
        .execute(conn)
}

/// The topics a participant's dots are on.
pub fn voted_by(conn: &mut AnyConnection, participant_id: &str) -> QueryResult<Vec<String>> {
    openspace_votes::table
        .filter(openspace_votes::participant_id.eq(participant_id))
        .select(openspace_votes::topic_id)
        .load(conn)
}

/// Votes per topic of an event (topic id → dots).
pub fn counts(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = openspace_votes::table
        .filter(openspace_votes::event_id.eq(event_id))
        .group_by(openspace_votes::topic_id)
        .select((openspace_votes::topic_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Hides a topic from the marketplace and the board, or shows it again.
pub fn set_hidden(
    conn: &mut AnyConnection,
    cx: &EventContext,
    topic_id: &str,
    hidden: bool,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let topic = super::board::topic_of(conn, &cx.event.id, topic_id)?;
        if topic.state == TopicState::Merged {
            return Err(AppError::Refused(
                "This topic was merged into another one.".into(),
            ));
        }
        if hidden {
            // Dots on a hidden topic go back to their owners, to place elsewhere.
            let voters: Vec<String> = openspace_votes::table
                .filter(openspace_votes::topic_id.eq(&topic.id))
                .select(openspace_votes::participant_id)
                .load(conn)?;
            diesel::delete(openspace_votes::table.filter(openspace_votes::topic_id.eq(&topic.id)))
                .execute(conn)?;
            for v in &voters {
                release_dots(conn, v, 1)?;
            }
        }
        let state = if hidden {
            TopicState::Hidden
        } else {
            TopicState::Shown
        };
        diesel::update(openspace_topics::table.find(&topic.id))
            .set((
                openspace_topics::state.eq(state),
                openspace_topics::slot_id.eq(if hidden { None } else { topic.slot_id.clone() }),
                openspace_topics::draft_slot_id.eq(None::<String>),
                openspace_topics::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        if topic.slot_id.is_some() && hidden {
            settings::bump_board(conn, cx)?;
        }
        let what = if hidden { "Hid" } else { "Showed" };
        audit::note(
            conn,
            cx,
            "openspace.moderate",
            ("openspace_topic", &topic.id),
            &format!("{what} the topic “{}”", topic.title),
        )?;
        crate::material::index::reindex_event(conn, &cx.event.id)?;
        Ok(())
    })
}

/// Merges topic `from` into `into`: its votes move there, a participant who voted for both keeps
/// one vote on `into` and gets the other dot back; `from` is no longer listed (its page points
/// to `into`, its notes stay).
pub fn merge(conn: &mut AnyConnection, cx: &EventContext, from: &str, into: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        if from == into {
            return Err(AppError::Refused(
                "Choose two different topics to merge.".into(),
            ));
        }
        let b = listed(conn, &cx.event.id, from)?;
        let a = listed(conn, &cx.event.id, into)?;
        let on_a: Vec<String> = openspace_votes::table
            .filter(openspace_votes::topic_id.eq(&a.id))
            .select(openspace_votes::participant_id)
            .load(conn)?;
        let both: Vec<String> = openspace_votes::table
            .filter(openspace_votes::topic_id.eq(&b.id))
            .filter(openspace_votes::participant_id.eq_any(&on_a))
            .select(openspace_votes::participant_id)
            .load(conn)?;
        diesel::delete(
            openspace_votes::table
                .filter(openspace_votes::topic_id.eq(&b.id))
                .filter(openspace_votes::participant_id.eq_any(&both)),
        )
        .execute(conn)?;
        for p in &both {
            release_dots(conn, p, 1)?;
        }
        diesel::update(openspace_votes::table.filter(openspace_votes::topic_id.eq(&b.id)))
            .set(openspace_votes::topic_id.eq(&a.id))
            .execute(conn)?;
        diesel::update(openspace_topics::table.find(&b.id))
            .set((
                openspace_topics::state.eq(TopicState::Merged),
                openspace_topics::merged_into.eq(Some(&a.id)),
                openspace_topics::slot_id.eq(None::<String>),
                openspace_topics::draft_slot_id.eq(None::<String>),
                openspace_topics::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        if b.slot_id.is_some() {
            settings::bump_board(conn, cx)?;
        }
        audit::note(
            conn,
            cx,
            "openspace.merge",
            ("openspace_topic", &a.id),
            &format!(
                "Merged “{}” into “{}” ({} voted for both)",
                b.title,
                a.title,
                both.len()
            ),
        )?;
        crate::material::index::reindex_event(conn, &cx.event.id)?;
        Ok(())
    })
}
