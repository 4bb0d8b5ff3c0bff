//! Demo data: devopsdays Ghent 2009 (two weeks past at the demo's clock) and devopsdays USA
//! 2010 (planned; call for papers and registration open). Facts come from the public record;
//! the summaries and anything marked "sample" are ours, and the events are flagged as sample data.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::accounts::{self, Actor, Role};
use crate::cfp::ProposalState;
use crate::db::schema::{
    people, proposal_speakers, proposals, questions, rooms, slots, submission_types, talk_people,
    talks, tracks,
};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::form::{parse as parse_form, EventForm};
use crate::events::lifecycle::create;
use crate::events::{queries, Event};
use crate::programme::model::{Level, SlotKind, TalkKind, TalkRole, TalkState};
use crate::registration::model::QuestionKind;
use crate::values::EmailAddress;

/// Email of the demo organizer.
pub const DEMO_ORGANIZER: &str = "demo@ghent.example";

struct TalkSeed<'a> {
    day: u32,
    start: &'a str,
    minutes: i64,
    title: &'a str,
    kind: TalkKind,
    abstract_: &'a str,
    people: &'a [(&'a str, TalkRole)],
    slides: &'a str,
    video: &'a str,
}

/// Loads both demo events unless they are already there. Returns a one-line summary.
pub fn demo(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<String> {
    if queries::by_slug(conn, "ghent-2009")?.is_some() {
        return Ok("demo data already present".into());
    }
    conn.transaction(|conn| {
        let ghent = ghent_2009(conn, now)?;
        let usa = usa_2010(conn, now)?;
        let actor = Actor::system("ghent seed --demo");
        // Ghent's programme was released before the event; USA's is a first, preliminary one.
        let ghent_release = local(ghent.tz(), (2009, 10, 20), "12:00")?;
        crate::programme::release::release(
            conn,
            ghent_release.min(now),
            None,
            &actor,
            &ghent,
            "The programme of the first devopsdays.",
        )?;
        crate::programme::release::release(
            conn,
            now,
            None,
            &actor,
            &usa,
            "Preliminary programme: the panels; lightning talks come from the call for papers.",
        )?;
        crate::openspace::sample::ghent(conn, &ghent, now)?;
        crate::openspace::sample::usa(conn, &usa, now)?;
        let hamburg = europe_2010(conn, now)?;
        crate::buzz::sample::ghent(conn, &ghent, now)?;
        crate::sponsors::sample::usa(conn, &usa, now)?;
        // Ghent 2009 → USA 2010 → Hamburg 2010.
        for (from, to) in [(&ghent, &usa), (&usa, &hamburg)] {
            diesel::update(crate::db::schema::events::table.find(&from.id))
                .set(crate::db::schema::events::successor_id.eq(Some(&to.id)))
                .execute(conn)?;
        }
        crate::material::index::reindex_all(conn)?;
        Ok(format!(
            "seeded demo events {}, {} and {}",
            ghent.slug, usa.slug, hamburg.slug
        ))
    })
}

/// Creates (or resets the password of) the demo organizer, a site administrator and owner of
/// the demo events. Returns the login.
pub fn demo_organizer(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<(String, String)> {
    let password = crate::tokens::new_token()[..16].to_string();
    let email = EmailAddress::parse(DEMO_ORGANIZER).map_err(AppError::BadRequest)?;
    let organizer = match accounts::service::find_by_email(conn, DEMO_ORGANIZER)? {
        Some(o) => {
            accounts::service::set_password(conn, now, &o.id, &password)?;
            o
        }
        None => accounts::service::create_organizer(
            conn,
            now,
            &email,
            "Demo Organizer",
            Some(&password),
            true,
        )?,
    };
    for slug in ["ghent-2009", "usa-2010"] {
        if let Some(event) = queries::by_slug(conn, slug)? {
            accounts::service::grant_role(conn, now, &event.id, &organizer.id, Role::Owner)?;
        }
    }
    Ok((DEMO_ORGANIZER.to_string(), password))
}

fn event(conn: &mut AnyConnection, now: NaiveDateTime, form: EventForm) -> AppResult<Event> {
    let input = parse_form(&form).map_err(AppError::Invalid)?;
    create(conn, now, &Actor::system("ghent seed --demo"), input, true)
}

fn local(tz: Tz, date: (i32, u32, u32), hm: &str) -> AppResult<NaiveDateTime> {
    let (h, m) = hm
        .split_once(':')
        .ok_or_else(|| AppError::BadRequest(format!("bad time {hm}")))?;
    let (h, m): (u32, u32) = (h.parse().unwrap_or(0), m.parse().unwrap_or(0));
    tz.with_ymd_and_hms(date.0, date.1, date.2, h, m, 0)
        .single()
        .map(|t| t.naive_utc())
        .ok_or_else(|| AppError::BadRequest(format!("{hm} does not exist in {tz}")))
}

fn room(
    conn: &mut AnyConnection,
    event: &Event,
    name: &str,
    capacity: Option<i32>,
    position: i32,
) -> AppResult<String> {
    let id = new_id();
    diesel::insert_into(rooms::table)
        .values((
            rooms::id.eq(&id),
            rooms::event_id.eq(&event.id),
            rooms::name.eq(name),
            rooms::description.eq(""),
            rooms::capacity.eq(capacity),
            rooms::position.eq(position),
            rooms::updated_at.eq(event.created_at),
        ))
        .execute(conn)?;
    Ok(id)
}

fn person(conn: &mut AnyConnection, now: NaiveDateTime, name: &str) -> AppResult<String> {
    if let Some(id) = people::table
        .filter(people::name.eq(name))
        .select(people::id)
        .first::<String>(conn)
        .optional()?
    {
        return Ok(id);
    }
    let id = new_id();
    diesel::insert_into(people::table)
        .values((
            people::id.eq(&id),
            people::name.eq(name),
            people::email.eq(None::<String>),
            people::bio.eq(""),
            people::photo_url.eq(""),
            people::website_url.eq(""),
            people::social.eq(""),
            people::created_at.eq(now),
            people::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
fn slot(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    room_id: Option<&str>,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    kind: SlotKind,
    talk_id: Option<&str>,
    title: &str,
) -> AppResult<()> {
    let number = crate::programme::model::next_number(conn)?;
    diesel::insert_into(slots::table)
        .values((
            slots::id.eq(new_id()),
            slots::number.eq(number),
            slots::event_id.eq(&event.id),
            slots::room_id.eq(room_id),
            slots::starts_at.eq(starts),
            slots::ends_at.eq(ends),
            slots::kind.eq(kind),
            slots::talk_id.eq(talk_id),
            slots::title.eq(title),
            slots::created_at.eq(now),
            slots::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

fn talk(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    seed: &TalkSeed<'_>,
    track_id: Option<&str>,
) -> AppResult<String> {
    let id = new_id();
    let number = crate::programme::model::next_number(conn)?;
    diesel::insert_into(talks::table)
        .values((
            talks::id.eq(&id),
            talks::number.eq(number),
            talks::event_id.eq(&event.id),
            talks::title.eq(seed.title),
            talks::abstract_.eq(seed.abstract_),
            talks::description.eq(""),
            talks::kind.eq(seed.kind),
            talks::duration_minutes.eq(seed.minutes as i32),
            talks::track_id.eq(track_id),
            talks::language.eq("en"),
            talks::level.eq(Level::Unspecified),
            talks::slides_url.eq(seed.slides),
            talks::video_url.eq(seed.video),
            talks::state.eq(TalkState::Confirmed),
            talks::created_at.eq(now),
            talks::updated_at.eq(now),
        ))
        .execute(conn)?;
    for (position, (name, role)) in seed.people.iter().enumerate() {
        let person_id = person(conn, now, name)?;
        diesel::insert_into(talk_people::table)
            .values((
                talk_people::id.eq(new_id()),
                talk_people::talk_id.eq(&id),
                talk_people::person_id.eq(person_id),
                talk_people::role.eq(*role),
                talk_people::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

fn ghent_2009(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<Event> {
    let event = event(
        conn,
        now,
        EventForm {
            name: "devopsdays Ghent 2009".into(),
            slug: "ghent-2009".into(),
            timezone: "Europe/Brussels".into(),
            starts_at: "2009-10-30T09:00".into(),
            ends_at: "2009-10-31T18:00".into(),
            venue_name: "Ghent (sample venue)".into(),
            venue_address: "Ghent\nBelgium".into(),
            capacity: "100".into(),
            description: "*Sample data for the Ghent demo.*\n\n\
The first devopsdays: two days where developers and operations people met in Ghent to talk about \
working together. **Formal talks in the morning, open space sessions in the afternoon.** \
Organized by Patrick Debois."
                .into(),
            registration_opens_at: "2009-09-01T09:00".into(),
            registration_closes_at: "2009-10-28T23:59".into(),
            cfp_opens_at: "2009-08-01T09:00".into(),
            cfp_closes_at: "2009-09-30T23:59".into(),
            cfp_description:
                "Propose a talk for the morning sessions; the afternoons are open space.".into(),
            ..EventForm::blank()
        },
    )?;
    let tz = event.tz();
    let main = room(conn, &event, "Main room", Some(100), 0)?;
    let os_rooms = [
        room(conn, &event, "Open space A", Some(30), 1)?,
        room(conn, &event, "Open space B", Some(30), 2)?,
        room(conn, &event, "Open space C", Some(30), 3)?,
    ];
    let talks_seed = [
        TalkSeed { day: 30, start: "09:15", minutes: 15, title: "Welcome to devopsdays", kind: TalkKind::Keynote, abstract_: "Why developers and operations should talk, and how the two days will run.", people: &[("Patrick Debois", TalkRole::Speaker)], slides: "", video: "https://www.youtube.com/watch?v=EOveXZhJpr4" },
        TalkSeed { day: 30, start: "09:30", minutes: 45, title: "Non-Functional Requirements: do user stories really help?", kind: TalkKind::Talk, abstract_: "How agile teams keep infrastructure needs visible in a backlog.", people: &[("Rachel Davies", TalkRole::Speaker)], slides: "http://www.devopsdays.org/blog/wp-content/uploads/2010/02/rachel-davies-nonfunctional-devopsdays.pdf", video: "http://blip.tv/file/3021957" },
        TalkSeed { day: 30, start: "10:30", minutes: 45, title: "Cucumber-nagios + Flapjack: rethinking monitoring for the cloud", kind: TalkKind::Talk, abstract_: "Behavioural checks in plain language, and a monitoring system that scales out.", people: &[("Lindsay Holmwood", TalkRole::Speaker)], slides: "http://www.slideshare.net/auxesis/behaviour-driven-monitoring-with-cucumbernagios-2444224", video: "http://blip.tv/file/3021653" },
        TalkSeed { day: 30, start: "11:30", minutes: 45, title: "Building Agile Infrastructures with Puppet", kind: TalkKind::Talk, abstract_: "Patterns for infrastructure that changes as fast as the business.", people: &[("Teyo Tyree", TalkRole::Speaker)], slides: "http://www.devopsdays.org/blog/wp-content/uploads/2010/02/Practical-Patterns-in-Automated-Infrastructure.pdf", video: "http://blip.tv/file/3023407" },
        TalkSeed { day: 31, start: "09:30", minutes: 45, title: "Introducing Kanban in operations", kind: TalkKind::Talk, abstract_: "A field report from a game operations department.", people: &[("Mattias Skarin", TalkRole::Speaker)], slides: "http://blog.crisp.se/mattiasskarin/files/slides/introducing_kanban_in_operations.pdf", video: "http://blip.tv/file/3022558" },
        TalkSeed { day: 31, start: "10:30", minutes: 45, title: "Continuous Integration, Pipelines and Deployment", kind: TalkKind::Talk, abstract_: "From CI to build pipelines to continuous deployment, and what ops owns.", people: &[("Chris Read", TalkRole::Speaker)], slides: "http://www.slideshare.net/ChristopherRead/continuous-integration-build-pipelines-and-continuous-deployment", video: "http://blip.tv/file/3022239" },
        TalkSeed { day: 31, start: "11:30", minutes: 45, title: "A private openQRM Cloud use-case for a developer team", kind: TalkKind::Talk, abstract_: "Self-service test environments from a private cloud, with Puppet on top.", people: &[("Matthias Rechenburg", TalkRole::Speaker)], slides: "http://www.openqrm.com/userfiles/Private_Cloud_Computing_Use_Case.odp", video: "http://blip.tv/file/3023695" },
    ];
    for seed in &talks_seed {
        let id = talk(conn, now, &event, seed, None)?;
        let starts = local(tz, (2009, 10, seed.day), seed.start)?;
        slot(
            conn,
            now,
            &event,
            Some(&main),
            starts,
            starts + chrono::Duration::minutes(seed.minutes),
            SlotKind::Talk,
            Some(&id),
            "",
        )?;
    }
    for day in [30, 31] {
        let d = (2009, 10, day);
        slot(
            conn,
            now,
            &event,
            None,
            local(tz, d, "08:30")?,
            local(tz, d, "09:15")?,
            SlotKind::Registration,
            None,
            if day == 30 {
                "Registration and breakfast"
            } else {
                "Breakfast"
            },
        )?;
        slot(
            conn,
            now,
            &event,
            None,
            local(tz, d, "12:15")?,
            local(tz, d, "13:30")?,
            SlotKind::Break,
            None,
            "Lunch",
        )?;
        slot(
            conn,
            now,
            &event,
            Some(&main),
            local(tz, d, "13:30")?,
            local(tz, d, "14:00")?,
            SlotKind::OpenSpace,
            None,
            if day == 30 {
                "Opening of the open space"
            } else {
                "Re-opening of the open space"
            },
        )?;
        for (i, start) in ["14:00", "15:15", "16:30"].iter().enumerate() {
            let s = local(tz, d, start)?;
            for (r, room_id) in os_rooms.iter().enumerate() {
                slot(
                    conn,
                    now,
                    &event,
                    Some(room_id),
                    s,
                    s + chrono::Duration::minutes(60),
                    SlotKind::OpenSpace,
                    None,
                    &format!("Open space {}.{}", i + 1, r + 1),
                )?;
            }
            if i < 2 {
                slot(
                    conn,
                    now,
                    &event,
                    None,
                    s + chrono::Duration::minutes(60),
                    s + chrono::Duration::minutes(75),
                    SlotKind::Break,
                    None,
                    "Coffee break",
                )?;
            }
        }
        slot(
            conn,
            now,
            &event,
            Some(&main),
            local(tz, d, "17:30")?,
            local(tz, d, "18:00")?,
            SlotKind::Talk,
            None,
            "Closing",
        )?;
    }
    slot(
        conn,
        now,
        &event,
        None,
        local(tz, (2009, 10, 30), "19:00")?,
        local(tz, (2009, 10, 30), "23:00")?,
        SlotKind::Social,
        None,
        "Social event",
    )?;
    Ok(event)
}

/// devopsdays Europe 2010 in Hamburg: planned, its registration and call for papers not yet
/// open, so "tell me when it opens" can be tried from USA 2010's home.
fn europe_2010(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<Event> {
    event(
        conn,
        now,
        EventForm {
            name: "devopsdays Europe 2010".into(),
            slug: "hamburg-2010".into(),
            timezone: "Europe/Berlin".into(),
            starts_at: "2010-10-15T09:00".into(),
            ends_at: "2010-10-16T18:00".into(),
            venue_name: "Hamburg (sample venue)".into(),
            venue_address: "Hamburg\nGermany".into(),
            capacity: "250".into(),
            description: "*Sample data for the Ghent demo.*\n\n\
devopsdays returns to Europe: two days in Hamburg, with talks in the morning, ignites before \
lunch on day two, and open space in the afternoons. Registration and the call for papers open \
later; leave your address to hear when."
                .into(),
            registration_opens_at: "2010-06-01T09:00".into(),
            registration_closes_at: "2010-10-10T23:59".into(),
            cfp_opens_at: "2010-05-01T09:00".into(),
            cfp_closes_at: "2010-07-31T23:59".into(),
            cfp_description: "Propose a talk or an ignite.".into(),
            ..EventForm::blank()
        },
    )
}

fn usa_2010(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<Event> {
    let event = event(
        conn,
        now,
        EventForm {
            name: "devopsdays USA 2010".into(),
            slug: "usa-2010".into(),
            timezone: "America/Los_Angeles".into(),
            starts_at: "2010-06-25T09:00".into(),
            ends_at: "2010-06-25T18:00".into(),
            venue_name: "LinkedIn (sample venue)".into(),
            venue_address: "Mountain View, California\nUnited States".into(),
            capacity: "250".into(),
            description: "*Sample data for the Ghent demo.*\n\n\
devopsdays comes to the United States: **one track of moderated panels with open discussion**, \
and lightning talks. Hosted by LinkedIn in Mountain View, California. Panels moderated by \
Andrew Shafer, Patrick Debois, John Willis and Damon Edwards."
                .into(),
            registration_opens_at: "2009-11-01T09:00".into(),
            registration_closes_at: "2010-06-20T23:59".into(),
            cfp_opens_at: "2009-11-01T09:00".into(),
            cfp_closes_at: "2010-03-31T23:59".into(),
            cfp_description: "Suggest a panel topic, volunteer as a panelist, or propose a lightning talk (5 minutes).".into(),
            ..EventForm::blank()
        },
    )?;
    let tz = event.tz();
    let stage = room(conn, &event, "Main stage", Some(250), 0)?;
    let track = new_id();
    diesel::insert_into(tracks::table)
        .values((
            tracks::id.eq(&track),
            tracks::event_id.eq(&event.id),
            tracks::name.eq("Panels"),
            tracks::colour.eq("#1f6feb"),
            tracks::position.eq(0),
            tracks::updated_at.eq(event.created_at),
        ))
        .execute(conn)?;
    let mut type_ids = Vec::new();
    for (i, (name, kind, minutes)) in [
        ("Panel topic or panelist", TalkKind::Panel, 45),
        ("Lightning talk", TalkKind::Ignite, 5),
    ]
    .iter()
    .enumerate()
    {
        let type_id = new_id();
        type_ids.push(type_id.clone());
        diesel::insert_into(submission_types::table)
            .values((
                submission_types::id.eq(type_id),
                submission_types::event_id.eq(&event.id),
                submission_types::name.eq(*name),
                submission_types::kind.eq(*kind),
                submission_types::duration_minutes.eq(*minutes),
                submission_types::position.eq(i as i32),
            ))
            .execute(conn)?;
    }
    for (i, (label, kind, options, required)) in [
        (
            "T-shirt size",
            QuestionKind::Single,
            "S\nM\nL\nXL\nXXL",
            false,
        ),
        ("Dietary needs", QuestionKind::Text, "", false),
    ]
    .iter()
    .enumerate()
    {
        diesel::insert_into(questions::table)
            .values((
                questions::id.eq(new_id()),
                questions::event_id.eq(&event.id),
                questions::label.eq(*label),
                questions::help_text.eq(""),
                questions::kind.eq(*kind),
                questions::required.eq(*required),
                questions::options.eq(*options),
                questions::position.eq(i as i32),
                questions::updated_at.eq(event.created_at),
            ))
            .execute(conn)?;
    }
    sample_proposals(conn, now, &event, &type_ids, &track)?;
    let panels: [(&str, &str, &[&str], &str); 7] = [
        (
            "09:30",
            "Your mileage may vary",
            &[
                "Stefan Apitz",
                "Ernest Mueller",
                "Dan Nemec",
                "Burzin Engineer",
                "Kevin Rae",
            ],
            "Andrew Shafer",
        ),
        (
            "10:30",
            "Infrastructure as code",
            &[
                "Theo Schlossnagle",
                "Luke Kanies",
                "Adam Jacob",
                "Erik Troan",
            ],
            "Patrick Debois",
        ),
        (
            "11:30",
            "Changing culture to enable DevOps",
            &["John Allspaw", "Lee Thompson", "Israel Gat", "Lloyd Taylor"],
            "Andrew Shafer",
        ),
        (
            "13:30",
            "Does the Cloud need DevOps? Does DevOps need the Cloud?",
            &["James Urquhart", "Adrian Cole", "Justin Dean", "Joe Arnold"],
            "John Willis",
        ),
        (
            "14:30",
            "DevOps requires visibility: monitoring, testing, and performance",
            &[
                "Jyoti Bansal",
                "Gareth Bowles",
                "John Willis",
                "Eishay Smith",
                "Javier Soltero",
            ],
            "Damon Edwards",
        ),
        (
            "15:30",
            "DevOps outside of Web Operations",
            &[
                "Adam Fletcher",
                "Gene Kim",
                "Michael Stahnke",
                "James Turnbull",
            ],
            "Patrick Debois",
        ),
        (
            "16:30",
            "Making the business case",
            &["Kurt Milne", "Jay Lyman", "Rolf Russell", "Jody Mulkey"],
            "Damon Edwards",
        ),
    ];
    let day = (2010, 6, 25);
    for (start, title, panelists, moderator) in panels {
        let mut people: Vec<(&str, TalkRole)> = vec![(moderator, TalkRole::Moderator)];
        // A moderator who is also on another panel as a panelist keeps both roles apart.
        people.extend(
            panelists
                .iter()
                .filter(|p| **p != moderator)
                .map(|p| (*p, TalkRole::Speaker)),
        );
        let seed = TalkSeed {
            day: 25,
            start,
            minutes: 45,
            title,
            kind: TalkKind::Panel,
            abstract_: "A moderated panel with open discussion from the floor.",
            people: &people,
            slides: "",
            video: "",
        };
        let id = talk(conn, now, &event, &seed, Some(&track))?;
        let starts = local(tz, day, start)?;
        slot(
            conn,
            now,
            &event,
            Some(&stage),
            starts,
            starts + chrono::Duration::minutes(45),
            SlotKind::Talk,
            Some(&id),
            "",
        )?;
    }
    slot(
        conn,
        now,
        &event,
        None,
        local(tz, day, "08:30")?,
        local(tz, day, "09:15")?,
        SlotKind::Registration,
        None,
        "Registration and breakfast",
    )?;
    slot(
        conn,
        now,
        &event,
        Some(&stage),
        local(tz, day, "09:15")?,
        local(tz, day, "09:30")?,
        SlotKind::Talk,
        None,
        "Welcome",
    )?;
    slot(
        conn,
        now,
        &event,
        None,
        local(tz, day, "12:15")?,
        local(tz, day, "13:30")?,
        SlotKind::Break,
        None,
        "Lunch",
    )?;
    slot(
        conn,
        now,
        &event,
        Some(&stage),
        local(tz, day, "17:15")?,
        local(tz, day, "17:45")?,
        SlotKind::Ignite,
        None,
        "Lightning talks",
    )?;
    slot(
        conn,
        now,
        &event,
        None,
        local(tz, day, "18:00")?,
        local(tz, day, "21:00")?,
        SlotKind::Social,
        None,
        "Drinks",
    )?;
    Ok(event)
}

/// Three proposals waiting for review in USA 2010, so the demo's CfP pages are not empty.
/// Their speakers are sample people with `example.org` addresses.
fn sample_proposals(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    event: &Event,
    type_ids: &[String],
    track: &str,
) -> AppResult<()> {
    let samples = [
        (
            "Sample Speaker One",
            "Monitoring is not a four-letter word",
            0,
            "A panel on what developers and operators each want from monitoring, and the one dashboard they could share.",
        ),
        (
            "Sample Speaker Two",
            "Configuration management in five minutes",
            1,
            "Twenty slides, fifteen seconds each: why your servers should be cattle, not pets.",
        ),
        (
            "Sample Speaker Three",
            "The release that never ends",
            1,
            "An ignite about continuous deployment at a small shop, and what broke first.",
        ),
    ];
    for (i, (name, title, type_index, summary)) in samples.iter().enumerate() {
        let person = new_id();
        diesel::insert_into(people::table)
            .values((
                people::id.eq(&person),
                people::name.eq(*name),
                people::email.eq(Some(format!("sample-speaker-{}@example.org", i + 1))),
                people::bio.eq("Sample data for the Ghent demo."),
                people::photo_url.eq(""),
                people::website_url.eq(""),
                people::social.eq(""),
                people::created_at.eq(now),
                people::updated_at.eq(now),
            ))
            .execute(conn)?;
        let proposal = new_id();
        diesel::insert_into(proposals::table)
            .values((
                proposals::id.eq(&proposal),
                proposals::event_id.eq(&event.id),
                proposals::submitter_id.eq(&person),
                proposals::submission_type_id.eq(&type_ids[*type_index]),
                proposals::track_id.eq(Some(track)),
                proposals::title.eq(*title),
                proposals::abstract_.eq(*summary),
                proposals::description.eq(""),
                proposals::notes.eq(""),
                proposals::state.eq(ProposalState::Submitted),
                proposals::submitted_at.eq(now),
                proposals::updated_at.eq(now),
                proposals::reminders_sent.eq(0),
            ))
            .execute(conn)?;
        diesel::insert_into(proposal_speakers::table)
            .values((
                proposal_speakers::id.eq(new_id()),
                proposal_speakers::proposal_id.eq(&proposal),
                proposal_speakers::person_id.eq(&person),
                proposal_speakers::position.eq(0),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A large synthetic conference for benchmarks (`ghent seed --large`): 3 days, 6 rooms,
/// 200 talks with a speaker each, breaks, released as version 1. Slug `large-sample`.
pub fn large(conn: &mut AnyConnection, now: NaiveDateTime) -> AppResult<String> {
    if queries::by_slug(conn, "large-sample")?.is_some() {
        return Ok("large-sample already present".into());
    }
    conn.transaction(|conn| {
        let event = event(
            conn,
            now,
            EventForm {
                name: "Large sample conference".into(),
                slug: "large-sample".into(),
                timezone: "Europe/Brussels".into(),
                starts_at: "2010-10-13T09:00".into(),
                ends_at: "2010-10-15T18:00".into(),
                venue_name: "Sample venue".into(),
                description: "*Synthetic data for benchmarks.*".into(),
                ..EventForm::blank()
            },
        )?;
        let tz = event.tz();
        let rooms: Vec<String> = (0..6)
            .map(|i| room(conn, &event, &format!("Room {}", i + 1), Some(100), i))
            .collect::<AppResult<_>>()?;
        let mut n = 0;
        for day in 13..=15u32 {
            let d = (2010, 10, day);
            slot(
                conn,
                now,
                &event,
                None,
                local(tz, d, "12:00")?,
                local(tz, d, "13:00")?,
                SlotKind::Break,
                None,
                "Lunch",
            )?;
            for (r, room_id) in rooms.iter().enumerate() {
                for i in 0..12 {
                    if n >= 200 {
                        break;
                    }
                    // Eleven 30-minute talks a day per room, around lunch.
                    let minutes = if i < 6 {
                        9 * 60 + i * 30
                    } else {
                        13 * 60 + (i - 6) * 30
                    };
                    if i == 11 && r % 2 == 1 {
                        continue;
                    }
                    let start = local(tz, d, &format!("{:02}:{:02}", minutes / 60, minutes % 60))?;
                    let speaker = format!("Sample Speaker {n:03}");
                    let title = format!(
                        "Sample talk {n:03}: operations at scale, part {}",
                        n % 7 + 1
                    );
                    let seed = TalkSeed {
                        day,
                        start: "",
                        minutes: 30,
                        title: &title,
                        kind: TalkKind::Talk,
                        abstract_: "A synthetic abstract with **some** Markdown, for benchmarks.",
                        people: &[(&speaker, TalkRole::Speaker)],
                        slides: "",
                        video: "",
                    };
                    let id = talk(conn, now, &event, &seed, None)?;
                    slot(
                        conn,
                        now,
                        &event,
                        Some(room_id),
                        start,
                        start + chrono::Duration::minutes(30),
                        SlotKind::Talk,
                        Some(&id),
                        "",
                    )?;
                    n += 1;
                }
            }
        }
        crate::programme::release::release(
            conn,
            now,
            None,
            &Actor::system("ghent seed --large"),
            &event,
            "Benchmark data",
        )?;
        Ok(format!(
            "seeded large-sample: {n} talks in 6 rooms over 3 days"
        ))
    })
}
