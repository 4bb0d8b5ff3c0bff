//! Organizers editing the programme: rooms, tracks, speakers, talks and slots, and placing,
//! moving and unscheduling talks. Every change is audited; nothing here is public until a release.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{
    next_number, Person, Room, Slot, Talk, TalkPerson, Track, ROLES, SLOT_KINDS, TALK_KINDS,
};
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::{people, rooms, slots, talk_people, talks, tracks};
use crate::db::{is_unique_violation, new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::values::{self, EmailAddress};

fn audit_change(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    action: &str,
    entity: (&str, &str),
    summary: &str,
) -> QueryResult<()> {
    audit::record(
        conn,
        now,
        actor,
        Change {
            event_id: Some(&event.id),
            action,
            entity_type: entity.0,
            entity_id: Some(entity.1),
        },
        summary,
    )
}

fn invalid(errors: FieldErrors) -> AppResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn take<T>(errors: &mut FieldErrors, field: &str, r: Result<T, String>) -> Option<T> {
    r.map_err(|m| {
        errors.entry(field.to_string()).or_insert(m);
    })
    .ok()
}

// ---------------------------------------------------------------- rooms

/// The room form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    /// Name.
    pub name: String,
    /// Seats.
    pub capacity: String,
    /// Column order.
    pub position: String,
    /// Free text.
    pub description: String,
}

/// The rooms of an event, in order.
pub fn rooms_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Room>> {
    rooms::table
        .filter(rooms::event_id.eq(event_id))
        .order((rooms::position, rooms::name))
        .select(Room::as_select())
        .load(conn)
}

/// Creates (`id` None) or updates a room.
pub fn save_room(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &RoomForm,
) -> AppResult<Room> {
    let mut e = FieldErrors::new();
    let name = take(&mut e, "name", values::parse_line(&form.name, "a name", 80));
    let capacity = take(
        &mut e,
        "capacity",
        values::parse_optional_int(&form.capacity, "the capacity", 0, 100_000),
    );
    let position = take(
        &mut e,
        "position",
        values::parse_optional_int(&form.position, "the order", -1000, 1000),
    );
    let description = take(
        &mut e,
        "description",
        values::parse_text(&form.description, "the description", 2000),
    );
    invalid(e)?;
    let (Some(name), Some(capacity), Some(position), Some(description)) =
        (name, capacity, position, description)
    else {
        return Err(AppError::BadRequest("Please check the form.".into()));
    };
    let position = match position {
        Some(p) => p,
        None => rooms_of(conn, &event.id)?.len() as i32,
    };
    let room = Room {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        event_id: event.id.clone(),
        name,
        description,
        capacity,
        position,
    };
    let result = match id {
        Some(id) => diesel::update(rooms::table.find(id).filter(rooms::event_id.eq(&event.id)))
            .set((
                rooms::name.eq(&room.name),
                rooms::capacity.eq(room.capacity),
                rooms::position.eq(room.position),
                rooms::description.eq(&room.description),
            ))
            .execute(conn)
            .and_then(|n| {
                if n == 0 {
                    Err(diesel::result::Error::NotFound)
                } else {
                    Ok(n)
                }
            }),
        None => diesel::insert_into(rooms::table)
            .values(&room)
            .execute(conn),
    };
    match result {
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::field(
                "name",
                "Another room of this event has this name.",
            ))
        }
        Err(diesel::result::Error::NotFound) => return Err(AppError::NotFound),
        other => other?,
    };
    audit_change(
        conn,
        now,
        actor,
        event,
        if id.is_some() {
            "room.update"
        } else {
            "room.create"
        },
        ("room", &room.id),
        &format!("Saved room {}", room.name),
    )?;
    Ok(room)
}

/// Deletes a room (its slots go with it).
pub fn delete_room(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: &str,
) -> AppResult<()> {
    let room: Room = rooms::table
        .find(id)
        .filter(rooms::event_id.eq(&event.id))
        .select(Room::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    diesel::delete(rooms::table.find(id)).execute(conn)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        "room.delete",
        ("room", id),
        &format!("Deleted room {} and its slots", room.name),
    )?;
    Ok(())
}

// ---------------------------------------------------------------- tracks

/// The track form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackForm {
    /// Name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// The tracks of an event.
pub fn tracks_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Track>> {
    tracks::table
        .filter(tracks::event_id.eq(event_id))
        .order((tracks::position, tracks::name))
        .select(Track::as_select())
        .load(conn)
}

/// Creates or updates a track.
pub fn save_track(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &TrackForm,
) -> AppResult<Track> {
    let mut e = FieldErrors::new();
    let name = take(&mut e, "name", values::parse_line(&form.name, "a name", 80));
    let colour = form.colour.trim().to_lowercase();
    let colour = if colour.is_empty() {
        "#1f6feb".to_string()
    } else {
        colour
    };
    if !(colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit()))
    {
        e.insert("colour".into(), "Use a colour like #1f6feb.".into());
    }
    invalid(e)?;
    let name = name.unwrap_or_default();
    let track = Track {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        event_id: event.id.clone(),
        name,
        colour,
        position: tracks_of(conn, &event.id)?.len() as i32,
    };
    let result = match id {
        Some(id) => diesel::update(
            tracks::table
                .find(id)
                .filter(tracks::event_id.eq(&event.id)),
        )
        .set((
            tracks::name.eq(&track.name),
            tracks::colour.eq(&track.colour),
        ))
        .execute(conn),
        None => diesel::insert_into(tracks::table)
            .values(&track)
            .execute(conn),
    };
    match result {
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::field(
                "name",
                "Another track of this event has this name.",
            ))
        }
        Ok(0) => return Err(AppError::NotFound),
        other => other?,
    };
    audit_change(
        conn,
        now,
        actor,
        event,
        "track.save",
        ("track", &track.id),
        &format!("Saved track {}", track.name),
    )?;
    Ok(track)
}

// ---------------------------------------------------------------- people

/// The speaker form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    /// Name.
    pub name: String,
    /// Private email (optional).
    pub email: String,
    /// Markdown bio.
    pub bio: String,
    /// Photo URL.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links, one per line.
    pub social: String,
}

impl PersonForm {
    /// The form filled from a person.
    pub fn from_person(p: &Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            email: p.email.clone().unwrap_or_default(),
            bio: p.bio.clone(),
            photo_url: p.photo_url.clone(),
            website_url: p.website_url.clone(),
            social: p.social.clone(),
        }
    }
}

/// People on this event's talks, plus people created from it, by name.
pub fn people_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Person>> {
    let on_talks: Vec<String> = talk_people::table
        .inner_join(talks::table)
        .filter(talks::event_id.eq(event_id))
        .select(talk_people::person_id)
        .distinct()
        .load(conn)?;
    let from_cfp: Vec<String> = crate::db::schema::proposal_speakers::table
        .inner_join(crate::db::schema::proposals::table)
        .filter(crate::db::schema::proposals::event_id.eq(event_id))
        .select(crate::db::schema::proposal_speakers::person_id)
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

/// Creates or updates a person. A new person with an email that already has a profile is not
/// duplicated: the existing profile is returned, since people carry over between events.
pub fn save_person(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &PersonForm,
) -> AppResult<Person> {
    let mut e = FieldErrors::new();
    let name = take(
        &mut e,
        "name",
        values::parse_line(&form.name, "a name", 120),
    );
    let email = if form.email.trim().is_empty() {
        Some(None)
    } else {
        take(
            &mut e,
            "email",
            EmailAddress::parse(&form.email).map(|a| Some(a.into_inner())),
        )
    };
    let bio = take(
        &mut e,
        "bio",
        values::parse_text(&form.bio, "the bio", 5000),
    );
    let photo = take(
        &mut e,
        "photo_url",
        values::parse_optional_url(&form.photo_url),
    );
    let website = take(
        &mut e,
        "website_url",
        values::parse_optional_url(&form.website_url),
    );
    let social = take(
        &mut e,
        "social",
        values::parse_text(&form.social, "the links", 1000),
    );
    invalid(e)?;
    let (Some(name), Some(email), Some(bio), Some(photo_url), Some(website_url), Some(social)) =
        (name, email, bio, photo, website, social)
    else {
        return Err(AppError::BadRequest("Please check the form.".into()));
    };
    if id.is_none() {
        if let Some(addr) = &email {
            if let Some(existing) = people::table
                .filter(people::email.eq(addr))
                .select(Person::as_select())
                .first(conn)
                .optional()?
            {
                return Ok(existing);
            }
        }
    }
    let person = Person {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        name,
        email,
        bio,
        photo_url,
        website_url,
        social,
        created_at: now,
        updated_at: now,
    };
    let result = match id {
        Some(id) => diesel::update(people::table.find(id))
            .set((
                people::name.eq(&person.name),
                people::email.eq(&person.email),
                people::bio.eq(&person.bio),
                people::photo_url.eq(&person.photo_url),
                people::website_url.eq(&person.website_url),
                people::social.eq(&person.social),
                people::updated_at.eq(now),
            ))
            .execute(conn),
        None => diesel::insert_into(people::table)
            .values(&person)
            .execute(conn),
    };
    match result {
        Err(err) if is_unique_violation(&err) => {
            return Err(AppError::field(
                "email",
                "Another speaker profile has this email.",
            ))
        }
        Ok(0) => return Err(AppError::NotFound),
        other => other?,
    };
    audit_change(
        conn,
        now,
        actor,
        event,
        "speaker.save",
        ("person", &person.id),
        &format!("Saved speaker {}", person.name),
    )?;
    Ok(person)
}

// ---------------------------------------------------------------- talks

/// How many people rows the talk form offers.
pub const PEOPLE_ROWS: usize = 8;

/// The talk form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TalkForm {
    /// Title.
    pub title: String,
    /// Abstract (Markdown).
    pub r#abstract: String,
    /// Description (Markdown).
    pub description: String,
    /// Kind.
    pub kind: String,
    /// Minutes.
    pub duration_minutes: String,
    /// Track id or empty.
    pub track_id: String,
    /// Language code.
    pub language: String,
    /// Level.
    pub level: String,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// confirmed or cancelled.
    pub state: String,
    /// Person ids, one per row (empty rows ignored).
    pub person: Vec<String>,
    /// Role per row.
    pub role: Vec<String>,
}

impl TalkForm {
    /// A blank form.
    pub fn blank() -> TalkForm {
        TalkForm {
            kind: "talk".into(),
            duration_minutes: "45".into(),
            language: "en".into(),
            state: "confirmed".into(),
            ..TalkForm::default()
        }
    }

    /// The form filled from a talk and its people.
    pub fn from_talk(t: &Talk, people: &[TalkPerson]) -> TalkForm {
        TalkForm {
            title: t.title.clone(),
            r#abstract: t.abstract_.clone(),
            description: t.description.clone(),
            kind: t.kind.clone(),
            duration_minutes: t.duration_minutes.to_string(),
            track_id: t.track_id.clone().unwrap_or_default(),
            language: t.language.clone(),
            level: t.level.clone(),
            slides_url: t.slides_url.clone(),
            video_url: t.video_url.clone(),
            state: t.state.clone(),
            person: people.iter().map(|p| p.person_id.clone()).collect(),
            role: people.iter().map(|p| p.role.clone()).collect(),
        }
    }
}

/// The talks of an event, by title.
pub fn talks_of(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Talk>> {
    talks::table
        .filter(talks::event_id.eq(event_id))
        .order(talks::title)
        .select(Talk::as_select())
        .load(conn)
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

/// Creates or updates a talk with its people.
pub fn save_talk(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &TalkForm,
) -> AppResult<Talk> {
    let mut e = FieldErrors::new();
    let title = take(
        &mut e,
        "title",
        values::parse_line(&form.title, "a title", 200),
    );
    let abstract_ = take(
        &mut e,
        "abstract",
        values::parse_text(&form.r#abstract, "the abstract", 5000),
    );
    let description = take(
        &mut e,
        "description",
        values::parse_text(&form.description, "the description", 20_000),
    );
    if !TALK_KINDS.contains(&form.kind.as_str()) {
        e.insert("kind".into(), "Choose a kind of talk.".into());
    }
    let duration = take(
        &mut e,
        "duration_minutes",
        values::parse_int(&form.duration_minutes, "the duration", 1, 24 * 60),
    );
    let track_id = Some(form.track_id.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &track_id {
        let known: bool = diesel::select(diesel::dsl::exists(
            tracks::table.find(t).filter(tracks::event_id.eq(&event.id)),
        ))
        .get_result(conn)?;
        if !known {
            e.insert(
                "track_id".into(),
                "Choose one of this event's tracks.".into(),
            );
        }
    }
    let language = take(
        &mut e,
        "language",
        values::parse_optional_line(&form.language, "the language", 10),
    );
    let level = form.level.trim().to_string();
    if !["", "beginner", "intermediate", "advanced"].contains(&level.as_str()) {
        e.insert("level".into(), "Choose a level.".into());
    }
    let slides = take(
        &mut e,
        "slides_url",
        values::parse_optional_url(&form.slides_url),
    );
    let video = take(
        &mut e,
        "video_url",
        values::parse_optional_url(&form.video_url),
    );
    let state = if form.state.is_empty() {
        "confirmed".to_string()
    } else {
        form.state.clone()
    };
    if !["confirmed", "cancelled"].contains(&state.as_str()) {
        e.insert("state".into(), "Choose confirmed or cancelled.".into());
    }
    let mut chosen: Vec<(String, String)> = Vec::new();
    for (i, person) in form.person.iter().enumerate() {
        let person = person.trim();
        if person.is_empty() {
            continue;
        }
        let role = form
            .role
            .get(i)
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .unwrap_or("speaker");
        if !ROLES.contains(&role) {
            e.insert("person".into(), "Choose speaker or moderator.".into());
        }
        let known: bool =
            diesel::select(diesel::dsl::exists(people::table.find(person))).get_result(conn)?;
        if !known {
            e.insert(
                "person".into(),
                "Choose people from the list (add new speakers first).".into(),
            );
        }
        if chosen.iter().any(|(p, _)| p == person) {
            e.insert("person".into(), "Each person once, please.".into());
        }
        chosen.push((person.to_string(), role.to_string()));
    }
    invalid(e)?;
    let (
        Some(title),
        Some(abstract_),
        Some(description),
        Some(duration),
        Some(language),
        Some(slides_url),
        Some(video_url),
    ) = (
        title,
        abstract_,
        description,
        duration,
        language,
        slides,
        video,
    )
    else {
        return Err(AppError::BadRequest("Please check the form.".into()));
    };
    let talk_id = match id {
        Some(id) => {
            let n = diesel::update(talks::table.find(id).filter(talks::event_id.eq(&event.id)))
                .set((
                    talks::title.eq(&title),
                    talks::abstract_.eq(&abstract_),
                    talks::description.eq(&description),
                    talks::kind.eq(&form.kind),
                    talks::duration_minutes.eq(duration),
                    talks::track_id.eq(&track_id),
                    talks::language.eq(&language),
                    talks::level.eq(&level),
                    talks::slides_url.eq(&slides_url),
                    talks::video_url.eq(&video_url),
                    talks::state.eq(&state),
                    talks::updated_at.eq(now),
                ))
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            id.to_string()
        }
        None => {
            let talk = Talk {
                id: new_id(),
                number: next_number(conn)?,
                event_id: event.id.clone(),
                title: title.clone(),
                abstract_,
                description,
                kind: form.kind.clone(),
                duration_minutes: duration,
                track_id,
                language,
                level,
                slides_url,
                video_url,
                state,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(talks::table)
                .values(&talk)
                .execute(conn)?;
            talk.id
        }
    };
    set_talk_people(conn, &talk_id, &chosen)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        if id.is_some() {
            "talk.update"
        } else {
            "talk.create"
        },
        ("talk", &talk_id),
        &format!("Saved talk “{title}”"),
    )?;
    Ok(talk_of(conn, &event.id, &talk_id)?.0)
}

/// Replaces a talk's people (in order).
pub fn set_talk_people(
    conn: &mut AnyConnection,
    talk_id: &str,
    chosen: &[(String, String)],
) -> QueryResult<()> {
    diesel::delete(talk_people::table.filter(talk_people::talk_id.eq(talk_id))).execute(conn)?;
    for (position, (person, role)) in chosen.iter().enumerate() {
        diesel::insert_into(talk_people::table)
            .values(TalkPerson {
                id: new_id(),
                talk_id: talk_id.to_string(),
                person_id: person.clone(),
                role: role.clone(),
                position: position as i32,
            })
            .execute(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- slots

/// The slot form (times in the event's timezone).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SlotForm {
    /// Local start.
    pub starts_at: String,
    /// Local end.
    pub ends_at: String,
    /// Room id, or empty for every room.
    pub room_id: String,
    /// Kind.
    pub kind: String,
    /// Talk id, or empty.
    pub talk_id: String,
    /// Title when there is no talk.
    pub title: String,
}

impl SlotForm {
    /// The form filled from a slot.
    pub fn from_slot(s: &Slot, tz: Tz) -> SlotForm {
        SlotForm {
            starts_at: values::to_local_input(s.starts_at, tz),
            ends_at: values::to_local_input(s.ends_at, tz),
            room_id: s.room_id.clone().unwrap_or_default(),
            kind: s.kind.clone(),
            talk_id: s.talk_id.clone().unwrap_or_default(),
            title: s.title.clone(),
        }
    }
}

/// One slot of an event.
pub fn slot_of(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<Slot> {
    slots::table
        .find(id)
        .filter(slots::event_id.eq(event_id))
        .select(Slot::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// Creates or updates a slot (placing the chosen talk, which leaves any other slot).
pub fn save_slot(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &SlotForm,
) -> AppResult<Slot> {
    let tz = event.tz();
    let mut e = FieldErrors::new();
    let starts = take(
        &mut e,
        "starts_at",
        values::parse_local_datetime(&form.starts_at, tz),
    );
    let ends = take(
        &mut e,
        "ends_at",
        values::parse_local_datetime(&form.ends_at, tz),
    );
    if let (Some(s), Some(en)) = (starts, ends) {
        if en <= s {
            e.insert("ends_at".into(), "A slot must end after it starts.".into());
        }
    }
    let room_id = Some(form.room_id.trim().to_string()).filter(|r| !r.is_empty());
    if let Some(r) = &room_id {
        let known: bool = diesel::select(diesel::dsl::exists(
            rooms::table.find(r).filter(rooms::event_id.eq(&event.id)),
        ))
        .get_result(conn)?;
        if !known {
            e.insert("room_id".into(), "Choose one of this event's rooms.".into());
        }
    }
    let kind = if form.kind.is_empty() {
        "talk".to_string()
    } else {
        form.kind.clone()
    };
    if !SLOT_KINDS.contains(&kind.as_str()) {
        e.insert("kind".into(), "Choose a kind of slot.".into());
    }
    let talk_id = Some(form.talk_id.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(t) = &talk_id {
        let known: bool = diesel::select(diesel::dsl::exists(
            talks::table.find(t).filter(talks::event_id.eq(&event.id)),
        ))
        .get_result(conn)?;
        if !known {
            e.insert("talk_id".into(), "Choose one of this event's talks.".into());
        }
    }
    let title = take(
        &mut e,
        "title",
        values::parse_optional_line(&form.title, "the title", 200),
    );
    if talk_id.is_none() && title.as_deref().is_some_and(str::is_empty) {
        e.insert(
            "title".into(),
            "Give the slot a title (e.g. Lunch), or place a talk in it.".into(),
        );
    }
    invalid(e)?;
    let (Some(starts_at), Some(ends_at), Some(title)) = (starts, ends, title) else {
        return Err(AppError::BadRequest("Please check the form.".into()));
    };
    if let Some(t) = &talk_id {
        // A talk is in at most one slot: placing it here takes it out of any other.
        diesel::update(
            slots::table
                .filter(slots::talk_id.eq(t))
                .filter(slots::id.ne(id.unwrap_or(""))),
        )
        .set((slots::talk_id.eq(None::<String>), slots::updated_at.eq(now)))
        .execute(conn)?;
    }
    let slot_id = match id {
        Some(id) => {
            let n = diesel::update(slots::table.find(id).filter(slots::event_id.eq(&event.id)))
                .set((
                    slots::starts_at.eq(starts_at),
                    slots::ends_at.eq(ends_at),
                    slots::room_id.eq(&room_id),
                    slots::kind.eq(&kind),
                    slots::talk_id.eq(&talk_id),
                    slots::title.eq(&title),
                    slots::updated_at.eq(now),
                ))
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            id.to_string()
        }
        None => {
            let slot = Slot {
                id: new_id(),
                number: next_number(conn)?,
                event_id: event.id.clone(),
                room_id,
                starts_at,
                ends_at,
                kind,
                talk_id,
                title,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(slots::table)
                .values(&slot)
                .execute(conn)?;
            slot.id
        }
    };
    let slot = slot_of(conn, &event.id, &slot_id)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        "slot.save",
        ("slot", &slot.id),
        &format!(
            "Saved slot at {}",
            crate::events::display::short_datetime(slot.starts_at, tz)
        ),
    )?;
    Ok(slot)
}

/// Places a talk in a slot (moving it out of any other slot). The drag-and-drop editor and the
/// "place" form both call this.
pub fn place(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    slot_id: &str,
    talk_id: &str,
) -> AppResult<()> {
    let slot = slot_of(conn, &event.id, slot_id)?;
    let (talk, _) = talk_of(conn, &event.id, talk_id)?;
    diesel::update(slots::table.filter(slots::talk_id.eq(talk_id)))
        .set((slots::talk_id.eq(None::<String>), slots::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(slots::table.find(&slot.id))
        .set((slots::talk_id.eq(Some(talk_id)), slots::updated_at.eq(now)))
        .execute(conn)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        "slot.place",
        ("talk", talk_id),
        &format!(
            "Placed “{}” at {}",
            talk.title,
            crate::events::display::short_datetime(slot.starts_at, event.tz())
        ),
    )?;
    Ok(())
}

/// Takes the talk out of a slot (the slot stays, empty).
pub fn unschedule(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    slot_id: &str,
) -> AppResult<()> {
    let slot = slot_of(conn, &event.id, slot_id)?;
    diesel::update(slots::table.find(&slot.id))
        .set((slots::talk_id.eq(None::<String>), slots::updated_at.eq(now)))
        .execute(conn)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        "slot.unschedule",
        ("slot", slot_id),
        "Took the talk out of a slot",
    )?;
    Ok(())
}

/// Deletes a slot.
pub fn delete_slot(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    slot_id: &str,
) -> AppResult<()> {
    slot_of(conn, &event.id, slot_id)?;
    diesel::delete(slots::table.find(slot_id)).execute(conn)?;
    audit_change(
        conn,
        now,
        actor,
        event,
        "slot.delete",
        ("slot", slot_id),
        "Deleted a slot",
    )?;
    Ok(())
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
        .filter(talks::state.eq("confirmed"))
        .filter(talks::id.ne_all(placed))
        .order(talks::title)
        .select(Talk::as_select())
        .load(conn)
}
