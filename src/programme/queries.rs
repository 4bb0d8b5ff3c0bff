//! Reading the programme as organizers edit it: rooms, tracks, people, talks, slots.

use diesel::prelude::*;

use super::model::{Person, Room, Slot, Talk, TalkPerson, TalkState, Track};
use crate::db::schema::{
    people, proposal_speakers, proposals, rooms, slots, talk_people, talks, tracks,
};
use crate::db::{of_event, AnyConnection};
use crate::error::{AppError, AppResult};

of_event! {
    /// The rooms of an event, in order.
    pub fn rooms_of(event) -> Vec<Room> from rooms order (rooms::position, rooms::name)
}

of_event! {
    /// One room of an event.
    pub fn room_of(event, id) -> Room from rooms
}

of_event! {
    /// The tracks of an event, in order.
    pub fn tracks_of(event) -> Vec<Track> from tracks order (tracks::position, tracks::name)
}

/// The speakers the talk form suggests: people on talks or proposals of this event and of
/// events that started before it, the most recent event's first, each once.
pub fn speakers_until(
    conn: &mut AnyConnection,
    event: &crate::events::Event,
) -> QueryResult<Vec<Person>> {
    use crate::db::schema::events;
    let mut on_talks: Vec<(String, chrono::NaiveDateTime)> = talk_people::table
        .inner_join(talks::table.inner_join(events::table))
        .filter(events::starts_at.le(event.starts_at))
        .select((talk_people::person_id, events::starts_at))
        .load(conn)?;
    on_talks.extend(
        proposal_speakers::table
            .inner_join(proposals::table.inner_join(events::table))
            .filter(events::starts_at.le(event.starts_at))
            .select((proposal_speakers::person_id, events::starts_at))
            .load::<(String, chrono::NaiveDateTime)>(conn)?,
    );
    on_talks.sort_by_key(|t| std::cmp::Reverse(t.1));
    // Profiles on nothing yet (just added under Speakers) are suggested too, last.
    let fresh: Vec<String> = people::table
        .filter(people::id.ne_all(talk_people::table.select(talk_people::person_id)))
        .filter(people::id.ne_all(proposal_speakers::table.select(proposal_speakers::person_id)))
        .select(people::id)
        .load(conn)?;
    let mut order: Vec<String> = Vec::new();
    for id in on_talks.into_iter().map(|(id, _)| id).chain(fresh) {
        if !order.contains(&id) {
            order.push(id);
        }
    }
    let mut found: Vec<Person> = people::table
        .filter(people::id.eq_any(&order))
        .select(Person::as_select())
        .load(conn)?;
    found.sort_by_key(|p| order.iter().position(|id| *id == p.id));
    Ok(found)
}

/// People on this event's talks, plus people who proposed for it, by name.
pub fn people_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Person>> {
    let on_talks: Vec<String> = talk_people::table
        .inner_join(talks::table)
        .filter(talks::event_id.eq(event_id))
        .select(talk_people::person_id)
        .distinct()
        .load(conn)?;
    let from_cfp: Vec<String> = proposal_speakers::table
        .inner_join(proposals::table)
        .filter(proposals::event_id.eq(event_id))
        .select(proposal_speakers::person_id)
        .distinct()
        .load(conn)?;
    let ids: Vec<String> = on_talks.into_iter().chain(from_cfp).collect();
    people::table
        .filter(people::id.eq_any(ids))
        .order(people::name)
        .select(Person::as_select())
        .load(conn)
}

/// All people (to pick speakers from, across events), by name.
pub fn all_people(conn: &mut AnyConnection) -> QueryResult<Vec<Person>> {
    people::table
        .order(people::name)
        .select(Person::as_select())
        .load(conn)
}

/// A person by id.
pub fn person(conn: &mut AnyConnection, id: &str) -> AppResult<Person> {
    people::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

of_event! {
    /// The talks of an event, by title.
    pub fn talks_of(event) -> Vec<Talk> from talks order talks::title
}

/// One talk of an event with its people.
pub fn talk_of(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> AppResult<(Talk, Vec<TalkPerson>)> {
    let talk = talks::table
        .find(id)
        .filter(talks::event_id.eq(event_id))
        .select(Talk::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let people = talk_people::table
        .filter(talk_people::talk_id.eq(id))
        .order(talk_people::position)
        .select(TalkPerson::as_select())
        .load(conn)?;
    Ok((talk, people))
}

of_event! {
    /// One slot of an event.
    pub fn slot_of(event, id) -> Slot from slots
}

/// Confirmed talks that are in no slot.
pub fn unscheduled(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Talk>> {
    let placed: Vec<String> = slots::table
        .filter(slots::event_id.eq(event_id))
        .filter(slots::talk_id.is_not_null())
        .select(slots::talk_id.assume_not_null())
        .load(conn)?;
    talks::table
        .filter(talks::event_id.eq(event_id))
        .filter(talks::state.eq(TalkState::Confirmed))
        .filter(talks::id.ne_all(placed))
        .order(talks::title)
        .select(Talk::as_select())
        .load(conn)
}

/// Whether `id` is a room, track or talk of the event (form references are checked with this).
pub fn belongs(
    conn: &mut AnyConnection,
    event_id: &str,
    what: Owned,
    id: &str,
) -> QueryResult<bool> {
    match what {
        Owned::Room => diesel::select(diesel::dsl::exists(
            rooms::table.find(id).filter(rooms::event_id.eq(event_id)),
        ))
        .get_result(conn),
        Owned::Track => diesel::select(diesel::dsl::exists(
            tracks::table.find(id).filter(tracks::event_id.eq(event_id)),
        ))
        .get_result(conn),
        Owned::Talk => diesel::select(diesel::dsl::exists(
            talks::table.find(id).filter(talks::event_id.eq(event_id)),
        ))
        .get_result(conn),
    }
}

/// What an event owns, for [`belongs`].
#[derive(Debug, Clone, Copy)]
pub enum Owned {
    /// A room.
    Room,
    /// A track.
    Track,
    /// A talk.
    Talk,
}
