//! What the API sends: one plain, documented type per resource (the OpenAPI document's schemas
//! are generated from these), built from the domain's rows. Times are RFC 3339 in UTC; each
//! event also says its timezone. Ids are the same UUIDs as on the site. Nothing here carries a
//! credential (no link token, no hash).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::buzz::model::BuzzItem;
use crate::cfp::model::{Proposal, Review};
use crate::events::Event;
use crate::programme::snapshot::{SnapPerson, SnapRoom, SnapSlot, SnapTalk, SnapTrack};
use crate::registration::model::Registration;

/// A stored time as UTC.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    /// UUID.
    pub id: String,
    /// As in the site's addresses (`/{slug}/`).
    pub slug: String,
    /// Name.
    pub name: String,
    /// IANA timezone the event's local times are in, e.g. `Europe/Brussels`.
    pub timezone: String,
    /// Opening.
    pub starts_at: DateTime<Utc>,
    /// Closing.
    pub ends_at: DateTime<Utc>,
    /// `draft`, `published` or `archived` (drafts only with a token of its team).
    pub status: String,
    /// Seats, when limited.
    pub capacity: Option<i32>,
    /// The event's page.
    pub url: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl EventOut {
    /// `e` as sent; `base_url` makes its page's address.
    pub fn of(e: &Event, base_url: &str) -> EventOut {
        EventOut {
            id: e.id.clone(),
            slug: e.slug.clone(),
            name: e.name.clone(),
            timezone: e.timezone.clone(),
            starts_at: utc(e.starts_at),
            ends_at: utc(e.ends_at),
            status: e.status.as_str().to_string(),
            capacity: e.capacity,
            url: format!("{base_url}/{}/", e.slug),
            updated_at: utc(e.updated_at),
        }
    }
}

/// A room.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomOut {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Seats, when known.
    pub capacity: Option<i32>,
    /// Last change (for a released programme: the release's time).
    pub updated_at: DateTime<Utc>,
}

impl RoomOut {
    /// From the programme.
    pub fn of(r: &SnapRoom, updated_at: NaiveDateTime) -> RoomOut {
        RoomOut {
            id: r.id.clone(),
            name: r.name.clone(),
            capacity: r.capacity,
            updated_at: utc(updated_at),
        }
    }
}

/// A track.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackOut {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// CSS colour, e.g. `#2a6f97`.
    pub colour: String,
    /// Last change (for a released programme: the release's time).
    pub updated_at: DateTime<Utc>,
}

impl TrackOut {
    /// From the programme.
    pub fn of(t: &SnapTrack, updated_at: NaiveDateTime) -> TrackOut {
        TrackOut {
            id: t.id.clone(),
            name: t.name.clone(),
            colour: t.colour.clone(),
            updated_at: utc(updated_at),
        }
    }
}

/// A speaker (their public profile; no address).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpeakerOut {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Biography (Markdown).
    pub bio: String,
    /// Photo address, or empty.
    pub photo_url: String,
    /// Website, or empty.
    pub website_url: String,
    /// Social handle or address, or empty.
    pub social: String,
    /// Last change (for a released programme: the release's time).
    pub updated_at: DateTime<Utc>,
}

impl SpeakerOut {
    /// From the programme.
    pub fn of(p: &SnapPerson, updated_at: NaiveDateTime) -> SpeakerOut {
        SpeakerOut {
            id: p.id.clone(),
            name: p.name.clone(),
            bio: p.bio.clone(),
            photo_url: p.photo_url.clone(),
            website_url: p.website_url.clone(),
            social: p.social.clone(),
            updated_at: utc(updated_at),
        }
    }
}

/// A person's part in a talk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TalkPersonOut {
    /// The speaker's UUID.
    pub speaker_id: String,
    /// `speaker`, `moderator`, `panelist`…
    pub role: String,
}

/// A talk, ignite, workshop or other session of the programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TalkOut {
    /// UUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Abstract (Markdown).
    #[serde(rename = "abstract")]
    #[schema(rename = "abstract")]
    pub abstract_: String,
    /// Kind: `talk`, `ignite`, `workshop`, `panel`, `keynote`…
    pub kind: String,
    /// Length.
    pub duration_minutes: i32,
    /// Track UUID.
    pub track_id: Option<String>,
    /// Language code.
    pub language: String,
    /// Slides address, or empty.
    pub slides_url: String,
    /// Recording address, or empty.
    pub video_url: String,
    /// The speakers asked not to be recorded.
    pub do_not_record: bool,
    /// Who gives it.
    pub people: Vec<TalkPersonOut>,
    /// The talk's page.
    pub url: String,
    /// Last change (for a released programme: the release's time).
    pub updated_at: DateTime<Utc>,
}

impl TalkOut {
    /// From the programme; `page` is the talk's page address.
    pub fn of(t: &SnapTalk, page: String, updated_at: NaiveDateTime) -> TalkOut {
        TalkOut {
            id: t.id.clone(),
            title: t.title.clone(),
            abstract_: t.description.clone(),
            kind: t.kind.as_str().to_string(),
            duration_minutes: t.duration_minutes,
            track_id: t.track_id.clone(),
            language: t.language.clone(),
            slides_url: t.slides_url.clone(),
            video_url: t.video_url.clone(),
            do_not_record: t.do_not_record,
            people: t
                .people
                .iter()
                .map(|p| TalkPersonOut {
                    speaker_id: p.person_id.clone(),
                    role: p.role.as_str().to_string(),
                })
                .collect(),
            url: page,
            updated_at: utc(updated_at),
        }
    }
}

/// A place in time and room: a talk's, or a break's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotOut {
    /// UUID.
    pub id: String,
    /// Room UUID (none for a plenary break).
    pub room_id: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// `talk`, `break`, `openspace`…
    pub kind: String,
    /// The talk in it.
    pub talk_id: Option<String>,
    /// Title of a slot without a talk (e.g. "Lunch").
    pub title: String,
    /// Last change (for a released programme: the release's time).
    pub updated_at: DateTime<Utc>,
}

impl SlotOut {
    /// From the programme.
    pub fn of(s: &SnapSlot, updated_at: NaiveDateTime) -> SlotOut {
        SlotOut {
            id: s.id.clone(),
            room_id: s.room_id.clone(),
            starts_at: utc(s.starts_at),
            ends_at: utc(s.ends_at),
            kind: s.kind.as_str().to_string(),
            talk_id: s.talk_id.clone(),
            title: s.title.clone(),
            updated_at: utc(updated_at),
        }
    }
}

/// A published version of the programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReleaseOut {
    /// 1, 2, 3…
    pub version: i32,
    /// When.
    pub released_at: DateTime<Utc>,
    /// What the organizers said changed.
    pub note: String,
    /// Talks added, moved, unscheduled, cancelled, retitled.
    pub changed_talks: usize,
}

/// A proposal to the call for papers (team members with the review right only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalOut {
    /// UUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Abstract.
    #[serde(rename = "abstract")]
    #[schema(rename = "abstract")]
    pub abstract_: String,
    /// Details for the reviewers.
    pub description: String,
    /// `submitted`, `accepted`, `rejected`, `confirmed`, `declined`, `withdrawn`.
    pub state: String,
    /// Submission type UUID.
    pub submission_type_id: String,
    /// Track UUID.
    pub track_id: Option<String>,
    /// The talk it became, once confirmed.
    pub talk_id: Option<String>,
    /// Submitted at.
    pub submitted_at: DateTime<Utc>,
    /// Decided at.
    pub decided_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl ProposalOut {
    /// From the row.
    pub fn of(p: &Proposal) -> ProposalOut {
        ProposalOut {
            id: p.id.clone(),
            title: p.title.clone(),
            abstract_: p.r#abstract.clone(),
            description: p.description.clone(),
            state: p.state.as_str().to_string(),
            submission_type_id: p.submission_type_id.clone(),
            track_id: p.track_id.clone(),
            talk_id: p.talk_id.clone(),
            submitted_at: utc(p.submitted_at),
            decided_at: p.decided_at.map(utc),
            updated_at: utc(p.updated_at),
        }
    }
}

/// A review of a proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewOut {
    /// UUID.
    pub id: String,
    /// The proposal.
    pub proposal_id: String,
    /// The reviewer (an organizer's UUID).
    pub reviewer_id: String,
    /// Score within the event's range.
    pub score: i32,
    /// Comment.
    pub comment: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl ReviewOut {
    /// From the row.
    pub fn of(r: &Review) -> ReviewOut {
        ReviewOut {
            id: r.id.clone(),
            proposal_id: r.proposal_id.clone(),
            reviewer_id: r.reviewer_id.clone(),
            score: r.score,
            comment: r.comment.clone(),
            updated_at: utc(r.updated_at),
        }
    }
}

/// A registration (no link token: an attendee's private page stays theirs).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationOut {
    /// UUID.
    pub id: String,
    /// Arrival order.
    pub seq: i64,
    /// Name.
    pub name: String,
    /// Address.
    pub email: String,
    /// Company, or empty.
    pub company: String,
    /// `pending`, `confirmed`, `waiting`, `offered`, `cancelled`, `expired`.
    pub state: String,
    /// `attendee`, `speaker`, `organizer`…
    pub kind: String,
    /// A hold or an offer ends then.
    pub expires_at: Option<DateTime<Utc>>,
    /// Got the seat.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Checked in at the desk.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl RegistrationOut {
    /// From the row.
    pub fn of(r: &Registration) -> RegistrationOut {
        RegistrationOut {
            id: r.id.clone(),
            seq: r.seq,
            name: r.name.clone(),
            email: r.email.clone(),
            company: r.company.clone(),
            state: r.status.as_str().to_string(),
            kind: r.kind.as_str().to_string(),
            expires_at: r.expires_at.map(utc),
            confirmed_at: r.confirmed_at.map(utc),
            checked_in_at: r.checked_in_at.map(utc),
            cancelled_at: r.cancelled_at.map(utc),
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

/// A registration form question.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionOut {
    /// UUID.
    pub id: String,
    /// The question.
    pub label: String,
    /// Help under it.
    pub help_text: String,
    /// `text`, `choice`, `boolean`…
    pub kind: String,
    /// An answer is needed.
    pub required: bool,
    /// Choices, for a choice question.
    pub options: Vec<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// An open-space topic on the board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicOut {
    /// UUID.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Who convenes it (as they gave their name).
    pub convener: String,
    /// The slot it is placed in, once placed.
    pub slot_id: Option<String>,
    /// `proposed`, `placed`…
    pub state: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl TopicOut {
    /// From the row.
    pub fn of(t: &crate::openspace::model::Topic) -> TopicOut {
        TopicOut {
            id: t.id.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            convener: t.convener_name.clone(),
            slot_id: t.slot_id.clone(),
            state: if t.slot_id.is_some() {
                "placed"
            } else {
                "proposed"
            }
            .to_string(),
            updated_at: utc(t.updated_at),
        }
    }
}

/// A buzz item: a blog post, report, thread, video or photos about the event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BuzzOut {
    /// UUID.
    pub id: String,
    /// `blog`, `report`, `thread`, `video`, `photos`, `social`, `link`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Address, or empty.
    pub url: String,
    /// Published on.
    pub published_at: DateTime<Utc>,
    /// A quote from it.
    pub quote: String,
    /// The talk it is about.
    pub talk_id: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl BuzzOut {
    /// From the row.
    pub fn of(b: &BuzzItem) -> BuzzOut {
        BuzzOut {
            id: b.id.clone(),
            kind: b.kind.as_str().to_string(),
            title: b.title.clone(),
            author: b.author.clone(),
            url: b.url.clone(),
            published_at: utc(b.published_on),
            quote: b.quote.clone(),
            talk_id: b.talk_id.clone(),
            updated_at: utc(b.updated_at),
        }
    }
}

/// A sponsor.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SponsorOut {
    /// UUID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level name ("Gold").
    pub level: String,
    /// Website.
    pub url: String,
    /// A line about them.
    pub blurb: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl ReleaseOut {
    /// From the release.
    pub fn of(r: &crate::programme::release::Release) -> ReleaseOut {
        let c = &r.changes;
        ReleaseOut {
            version: r.version,
            released_at: utc(r.released_at),
            note: r.note.clone(),
            changed_talks: c.added.len()
                + c.moved.len()
                + c.unscheduled.len()
                + c.cancelled.len()
                + c.retitled.len(),
        }
    }
}
