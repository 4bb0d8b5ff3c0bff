//! What the API reads. Published programme data (the latest release, the open-space board) is
//! public; with a token that reaches the event, the programme is the live working copy the
//! organizers edit. Everything else needs a token whose owner may see it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::list::{page_from, page_of, Page, Window};
use super::repr::*;
use super::tokens::Caller;
use crate::accounts::Capability;
use crate::cfp::model::{Proposal, Review};
use crate::db::schema::{people, proposals, registrations, reviews, rooms, slots, talks, tracks};
use crate::db::AnyConnection;
use crate::error::{AppError, AppResult, OrNotFound};
use crate::events::Event;
use crate::programme::release;
use crate::programme::snapshot::{self, Snapshot};
use crate::registration::model::Registration;

/// The events the caller may see: every event that is not a draft, and the drafts of the
/// caller's teams.
pub fn events(conn: &mut AnyConnection, caller: Option<&Caller>) -> QueryResult<Vec<Event>> {
    Ok(crate::events::queries::all(conn)?
        .into_iter()
        .filter(|e| !e.is_draft() || caller.is_some_and(|c| c.reaches(&e.id)))
        .collect())
}

/// One event by slug, if the caller may see it.
pub fn event(conn: &mut AnyConnection, caller: Option<&Caller>, slug: &str) -> AppResult<Event> {
    let e = crate::events::queries::by_slug(conn, slug)?.or_not_found()?;
    if e.is_draft() && !caller.is_some_and(|c| c.reaches(&e.id)) {
        return Err(AppError::NotFound);
    }
    Ok(e)
}

/// The programme a caller reads: the working copy for a token of the event's team, else the
/// latest release (404 before the first). `stamp` gives each item's last change.
pub struct Programme {
    /// The programme.
    pub snap: Snapshot,
    stamps: HashMap<String, NaiveDateTime>,
    released_at: Option<NaiveDateTime>,
    base_url: String,
}

impl Programme {
    /// The caller's programme of `event`.
    pub fn load(
        conn: &mut AnyConnection,
        caller: Option<&Caller>,
        event: &Event,
        base_url: &str,
    ) -> AppResult<Programme> {
        if caller.is_some_and(|c| c.may(&event.id, Capability::Organize, false)) {
            let snap = snapshot::build(conn, event)?;
            let mut stamps = HashMap::new();
            let e = &event.id;
            let rows: Vec<(String, NaiveDateTime)> = rooms::table
                .filter(rooms::event_id.eq(e))
                .select((rooms::id, rooms::updated_at))
                .load(conn)?;
            stamps.extend(rows);
            let rows: Vec<(String, NaiveDateTime)> = tracks::table
                .filter(tracks::event_id.eq(e))
                .select((tracks::id, tracks::updated_at))
                .load(conn)?;
            stamps.extend(rows);
            let rows: Vec<(String, NaiveDateTime)> = talks::table
                .filter(talks::event_id.eq(e))
                .select((talks::id, talks::updated_at))
                .load(conn)?;
            stamps.extend(rows);
            let rows: Vec<(String, NaiveDateTime)> = slots::table
                .filter(slots::event_id.eq(e))
                .select((slots::id, slots::updated_at))
                .load(conn)?;
            stamps.extend(rows);
            let ids: Vec<&str> = snap.people.iter().map(|p| p.id.as_str()).collect();
            let rows: Vec<(String, NaiveDateTime)> = people::table
                .filter(people::id.eq_any(&ids))
                .select((people::id, people::updated_at))
                .load(conn)?;
            stamps.extend(rows);
            return Ok(Programme {
                snap,
                stamps,
                released_at: None,
                base_url: base_url.to_string(),
            });
        }
        let latest = release::latest(conn, &event.id)?.ok_or_else(|| {
            AppError::NotFoundBecause("The programme is not published yet.".into())
        })?;
        Ok(Programme {
            snap: latest.snapshot,
            stamps: HashMap::new(),
            released_at: Some(latest.released_at),
            base_url: base_url.to_string(),
        })
    }

    /// An item's last change: its row's, or for a released programme the release's time (a
    /// client polling with `updated_since` gets a release's items again, never misses one).
    pub fn stamp(&self, id: &str) -> NaiveDateTime {
        self.released_at
            .or_else(|| self.stamps.get(id).copied())
            .unwrap_or_default()
    }

    /// Whether this is the working copy (not a release).
    pub fn is_live(&self) -> bool {
        self.released_at.is_none()
    }
}

/// An event's proposals, for a caller who may review them.
pub fn proposals(
    conn: &mut AnyConnection,
    event_id: &str,
    w: &Window,
    state: Option<&str>,
    track: Option<&str>,
) -> QueryResult<Page<ProposalOut>> {
    let mut q = proposals::table
        .filter(proposals::event_id.eq(event_id))
        .order(proposals::id)
        .limit(w.limit + 1)
        .select(Proposal::as_select())
        .into_boxed();
    if let Some(after) = &w.after {
        q = q.filter(proposals::id.gt(after.clone()));
    }
    if let Some(t) = w.updated_since {
        q = q.filter(proposals::updated_at.ge(t));
    }
    if let Some(s) = state {
        q = q.filter(proposals::state.eq(s.to_string()));
    }
    if let Some(t) = track {
        q = q.filter(proposals::track_id.eq(t.to_string()));
    }
    let mut rows: Vec<ProposalOut> = q.load(conn)?.iter().map(ProposalOut::of).collect();
    Ok(page_from(&mut rows, w.limit))
}

/// One proposal of an event, with its reviews.
pub fn proposal(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> AppResult<(ProposalOut, Vec<ReviewOut>)> {
    let p: Proposal = proposals::table
        .find(id)
        .filter(proposals::event_id.eq(event_id))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let rs: Vec<Review> = reviews::table
        .filter(reviews::proposal_id.eq(id))
        .order(reviews::id)
        .select(Review::as_select())
        .load(conn)?;
    Ok((ProposalOut::of(&p), rs.iter().map(ReviewOut::of).collect()))
}

/// An event's registrations in id order, filtered in the database (events have thousands).
pub fn registrations(
    conn: &mut AnyConnection,
    event_id: &str,
    w: &Window,
    state: Option<&str>,
) -> QueryResult<Page<RegistrationOut>> {
    let mut q = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .order(registrations::id)
        .limit(w.limit + 1)
        .select(Registration::as_select())
        .into_boxed();
    if let Some(after) = &w.after {
        q = q.filter(registrations::id.gt(after.clone()));
    }
    if let Some(t) = w.updated_since {
        q = q.filter(registrations::updated_at.ge(t));
    }
    if let Some(s) = state {
        q = q.filter(registrations::status.eq(s.to_string()));
    }
    let mut rows: Vec<RegistrationOut> = q.load(conn)?.iter().map(RegistrationOut::of).collect();
    Ok(page_from(&mut rows, w.limit))
}

/// One registration of an event.
pub fn registration(
    conn: &mut AnyConnection,
    event_id: &str,
    id: &str,
) -> AppResult<RegistrationOut> {
    Ok(RegistrationOut::of(&crate::registration::queries::by_id(
        conn, event_id, id,
    )?))
}

/// The open-space board's topics (those shown to everyone).
pub fn topics(conn: &mut AnyConnection, event_id: &str, w: &Window) -> QueryResult<Page<TopicOut>> {
    let rows = crate::openspace::board::shown_topics(conn, event_id)?
        .iter()
        .map(TopicOut::of)
        .collect();
    Ok(page_of(rows, w))
}

/// Every resource sent in lists has an id and a last change.
macro_rules! listed {
    ($($t:ty),*) => {$(
        impl super::list::Listed for $t {
            fn id(&self) -> &str { &self.id }
            fn updated(&self) -> NaiveDateTime { self.updated_at.naive_utc() }
        }
    )*};
}
listed!(
    EventOut,
    RoomOut,
    TrackOut,
    SpeakerOut,
    TalkOut,
    SlotOut,
    ProposalOut,
    RegistrationOut,
    TopicOut,
    BuzzOut,
    SponsorOut,
    QuestionOut
);

impl Programme {
    /// Rooms.
    pub fn rooms(&self, w: &Window) -> Page<RoomOut> {
        let items = self
            .snap
            .rooms
            .iter()
            .map(|r| RoomOut::of(r, self.stamp(&r.id)))
            .collect();
        page_of(items, w)
    }

    /// Tracks.
    pub fn tracks(&self, w: &Window) -> Page<TrackOut> {
        let items = self
            .snap
            .tracks
            .iter()
            .map(|t| TrackOut::of(t, self.stamp(&t.id)))
            .collect();
        page_of(items, w)
    }

    /// Speakers.
    pub fn speakers(&self, w: &Window) -> Page<SpeakerOut> {
        let items = self
            .snap
            .people
            .iter()
            .map(|p| SpeakerOut::of(p, self.stamp(&p.id)))
            .collect();
        page_of(items, w)
    }

    fn talk_out(&self, event: &Event, t: &crate::programme::snapshot::SnapTalk) -> TalkOut {
        TalkOut::of(
            t,
            crate::urls::absolute(&self.base_url, &crate::urls::talk(&event.slug, &t.id)),
            self.stamp(&t.id),
        )
    }

    /// Talks, of a track and on a day (of their slot, in the event's timezone) when asked.
    pub fn talks(
        &self,
        event: &Event,
        w: &Window,
        track: Option<&str>,
        day: Option<chrono::NaiveDate>,
    ) -> Page<TalkOut> {
        let items = self
            .snap
            .talks
            .iter()
            .filter(|t| track.is_none_or(|tr| t.track_id.as_deref() == Some(tr)))
            .filter(|t| {
                day.is_none_or(|d| {
                    self.snap
                        .slot_of(&t.id)
                        .is_some_and(|s| on_day(event, s.starts_at, d))
                })
            })
            .map(|t| self.talk_out(event, t))
            .collect();
        page_of(items, w)
    }

    /// One room.
    pub fn room(&self, id: &str) -> Option<RoomOut> {
        let r = self.snap.rooms.iter().find(|r| r.id == id)?;
        Some(RoomOut::of(r, self.stamp(id)))
    }

    /// One track.
    pub fn track(&self, id: &str) -> Option<TrackOut> {
        let t = self.snap.tracks.iter().find(|t| t.id == id)?;
        Some(TrackOut::of(t, self.stamp(id)))
    }

    /// One speaker of the programme.
    pub fn speaker(&self, id: &str) -> Option<SpeakerOut> {
        let p = self.snap.people.iter().find(|p| p.id == id)?;
        Some(SpeakerOut::of(p, self.stamp(id)))
    }

    /// One slot.
    pub fn slot(&self, id: &str) -> Option<SlotOut> {
        let s = self.snap.slots.iter().find(|s| s.id == id)?;
        Some(SlotOut::of(s, self.stamp(id)))
    }

    /// One talk.
    pub fn talk(&self, event: &Event, id: &str) -> AppResult<TalkOut> {
        let t = self.snap.talk(id).or_not_found()?;
        Ok(self.talk_out(event, t))
    }

    /// Slots, on a day when asked.
    pub fn slots(
        &self,
        event: &Event,
        w: &Window,
        day: Option<chrono::NaiveDate>,
    ) -> Page<SlotOut> {
        let items = self
            .snap
            .slots
            .iter()
            .filter(|s| day.is_none_or(|d| on_day(event, s.starts_at, d)))
            .map(|s| SlotOut::of(s, self.stamp(&s.id)))
            .collect();
        page_of(items, w)
    }
}

fn on_day(event: &Event, t: NaiveDateTime, day: chrono::NaiveDate) -> bool {
    t.and_utc().with_timezone(&event.tz()).date_naive() == day
}

/// The event's releases, newest first (public).
pub fn releases(conn: &mut AnyConnection, event_id: &str) -> AppResult<Vec<ReleaseOut>> {
    Ok(release::all(conn, event_id)?
        .iter()
        .map(ReleaseOut::of)
        .collect())
}

/// The registration form's questions (organizers).
pub fn questions(
    conn: &mut AnyConnection,
    event_id: &str,
    w: &Window,
) -> QueryResult<Page<QuestionOut>> {
    let rows = crate::registration::questions::of_event(conn, event_id)?
        .iter()
        .map(|q| QuestionOut {
            id: q.id.clone(),
            label: q.label.clone(),
            help_text: q.help_text.clone(),
            kind: q.kind.as_str().to_string(),
            required: q.required,
            options: q.choices(),
            updated_at: utc(q.updated_at),
        })
        .collect();
    Ok(page_of(rows, w))
}

/// Published buzz (public).
pub fn buzz(conn: &mut AnyConnection, event_id: &str, w: &Window) -> QueryResult<Page<BuzzOut>> {
    let rows = crate::buzz::views::published(conn, event_id, None)?
        .iter()
        .map(BuzzOut::of)
        .collect();
    Ok(page_of(rows, w))
}

/// Sponsors with their level's name (public).
pub fn sponsors(
    conn: &mut AnyConnection,
    event_id: &str,
    w: &Window,
) -> QueryResult<Page<SponsorOut>> {
    let levels: HashMap<String, String> = crate::sponsors::manage::levels(conn, event_id)?
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let rows = crate::sponsors::manage::sponsors_of(conn, event_id)?
        .into_iter()
        .map(|s| SponsorOut {
            level: levels.get(&s.level_id).cloned().unwrap_or_default(),
            id: s.id,
            name: s.name,
            url: s.url,
            blurb: s.blurb,
            updated_at: utc(s.updated_at),
        })
        .collect();
    Ok(page_of(rows, w))
}
