//! A talk's material after the event: slides and video links, the "do not record" choice and
//! the abstract. Unlike the schedule they are not frozen in a release: the published
//! programme shows them live (the programme cache lays them over the release), and every
//! change bumps the event's live version (the open-space board's counter), so cached pages and
//! ETags follow within a second on every instance. Organizers edit them in bulk; a confirmed
//! speaker edits their own talk's from the CfP pages.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::context::EventContext;
use crate::db::schema::{proposals, talks};
use crate::db::{write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{parse_optional_url, parse_text};

/// What is live of one talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Live {
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// Not to be recorded.
    pub do_not_record: bool,
    /// The abstract (Markdown).
    pub r#abstract: String,
}

/// The live material of every talk of an event, by talk id.
pub fn live(conn: &mut AnyConnection, event_id: &str) -> QueryResult<HashMap<String, Live>> {
    let rows: Vec<(String, String, String, bool, String)> = talks::table
        .filter(talks::event_id.eq(event_id))
        .select((
            talks::id,
            talks::slides_url,
            talks::video_url,
            talks::do_not_record,
            talks::abstract_,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, slides_url, video_url, do_not_record, r#abstract)| {
            (
                id,
                Live {
                    slides_url,
                    video_url,
                    do_not_record,
                    r#abstract,
                },
            )
        })
        .collect())
}

/// A talk as the organizers' bulk page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct BulkRow {
    /// The talk.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// Not to be recorded.
    pub do_not_record: bool,
}

/// Every talk of an event for the bulk page, by title (one query).
pub fn bulk_rows(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<BulkRow>> {
    let rows: Vec<(String, String, String, String, bool)> = talks::table
        .filter(talks::event_id.eq(event_id))
        .order(talks::title)
        .select((
            talks::id,
            talks::title,
            talks::slides_url,
            talks::video_url,
            talks::do_not_record,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, slides_url, video_url, do_not_record)| BulkRow {
                id,
                title,
                slides_url,
                video_url,
                do_not_record,
            },
        )
        .collect())
}

/// A confirmed proposal's recording choice becomes its talk's.
pub fn pass_on_recording_choice(
    conn: &mut AnyConnection,
    proposal_id: &str,
    talk_id: &str,
) -> QueryResult<()> {
    let choice: bool = proposals::table
        .find(proposal_id)
        .select(proposals::do_not_record)
        .first(conn)?;
    diesel::update(talks::table.find(talk_id))
        .set(talks::do_not_record.eq(choice))
        .execute(conn)
        .map(drop)
}

/// One row of the organizers' bulk form, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LinksRow {
    /// The talk.
    pub talk_id: String,
    /// Slides link (empty: none).
    pub slides_url: String,
    /// Video link (empty: none).
    pub video_url: String,
    /// Checkbox.
    pub do_not_record: Option<String>,
}

/// Parses the bulk form's rows (fields `talk_id`, `slides_url`, `video_url`, `do_not_record`
/// repeated, in order; a checkbox only comes when ticked, so it carries its talk's id).
pub fn parse_bulk(pairs: &[(String, String)]) -> Result<Vec<LinksRow>, FieldErrors> {
    let mut rows: Vec<LinksRow> = Vec::new();
    let mut ticked = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "talk_id" => rows.push(LinksRow {
                talk_id: v.clone(),
                ..LinksRow::default()
            }),
            "slides_url" => {
                if let Some(r) = rows.last_mut() {
                    r.slides_url = v.clone();
                }
            }
            "video_url" => {
                if let Some(r) = rows.last_mut() {
                    r.video_url = v.clone();
                }
            }
            "do_not_record" => ticked.push(v.clone()),
            _ => {}
        }
    }
    let mut f = Fields::new();
    for r in &mut rows {
        if ticked.contains(&r.talk_id) {
            r.do_not_record = Some("on".into());
        }
        for (field, value) in [
            ("slides_url", &mut r.slides_url),
            ("video_url", &mut r.video_url),
        ] {
            if let Some(v) = f.take(&format!("{field}-{}", r.talk_id), parse_optional_url(value)) {
                *value = v;
            }
        }
    }
    f.finish(|| Some(rows))
}

/// Saves the bulk form: every listed talk of the event gets its links and recording choice.
/// Returns how many talks changed.
pub fn save_bulk(
    conn: &mut AnyConnection,
    cx: &EventContext,
    rows: &[LinksRow],
) -> AppResult<usize> {
    write_transaction(conn, |conn| {
        let current = live(conn, &cx.event.id)?;
        let mut changed = 0;
        for r in rows {
            let Some(now) = current.get(&r.talk_id) else {
                continue;
            };
            let dnr = r.do_not_record.is_some();
            if now.slides_url == r.slides_url
                && now.video_url == r.video_url
                && now.do_not_record == dnr
            {
                continue;
            }
            diesel::update(talks::table.find(&r.talk_id))
                .set((
                    talks::slides_url.eq(&r.slides_url),
                    talks::video_url.eq(&r.video_url),
                    talks::do_not_record.eq(dnr),
                    talks::updated_at.eq(cx.now),
                ))
                .execute(conn)?;
            crate::audit::note(
                conn,
                cx,
                "talk.material",
                ("talk", &r.talk_id),
                "slides, video or recording choice changed",
            )?;
            changed += 1;
        }
        if changed > 0 {
            crate::material::index::published_changed(conn, cx)?;
        }
        Ok(changed)
    })
}

/// A speaker's own material form, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SpeakerForm {
    /// Abstract (Markdown).
    pub r#abstract: String,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// Checkbox.
    pub do_not_record: Option<String>,
}

/// A parsed speaker form.
#[derive(Debug, Clone)]
pub struct SpeakerInput {
    r#abstract: String,
    slides_url: String,
    video_url: String,
    do_not_record: bool,
}

/// Parses a speaker's material form.
pub fn parse_speaker(form: &SpeakerForm) -> Result<SpeakerInput, FieldErrors> {
    let mut f = Fields::new();
    let r#abstract = f.take(
        "abstract",
        parse_text(&form.r#abstract, "the abstract", 2000),
    );
    let slides_url = f.take("slides_url", parse_optional_url(&form.slides_url));
    let video_url = f.take("video_url", parse_optional_url(&form.video_url));
    f.finish(|| {
        Some(SpeakerInput {
            r#abstract: r#abstract?,
            slides_url: slides_url?,
            video_url: video_url?,
            do_not_record: form.do_not_record.is_some(),
        })
    })
}

/// Saves a confirmed speaker's material on the talk their proposal became (the proposal may be
/// read-only by now; the talk's material stays theirs).
pub fn save_speaker(
    conn: &mut AnyConnection,
    cx: &EventContext,
    talk_id: &str,
    input: &SpeakerInput,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let found = diesel::update(
            talks::table
                .find(talk_id)
                .filter(talks::event_id.eq(&cx.event.id)),
        )
        .set((
            talks::abstract_.eq(&input.r#abstract),
            talks::slides_url.eq(&input.slides_url),
            talks::video_url.eq(&input.video_url),
            talks::do_not_record.eq(input.do_not_record),
            talks::updated_at.eq(cx.now),
        ))
        .execute(conn)?;
        if found == 0 {
            return Err(AppError::NotFound);
        }
        crate::audit::note(
            conn,
            cx,
            "talk.material",
            ("talk", talk_id),
            "the speaker changed their talk's material",
        )?;
        Ok(crate::material::index::published_changed(conn, cx)?)
    })
}

/// The talk a speaker's confirmed proposal became: (talk id, title, its live material).
/// Refused (with the reason) for a proposal that is not confirmed.
pub fn own_talk(
    conn: &mut AnyConnection,
    cx: &EventContext,
    person_id: &str,
    proposal_id: &str,
) -> AppResult<(String, String, Live)> {
    let p = crate::cfp::queries::own_proposal(conn, &cx.event.id, person_id, proposal_id)?;
    let talk_id = match (p.state, p.talk_id) {
        (crate::cfp::ProposalState::Confirmed, Some(t)) => t,
        _ => {
            return Err(AppError::Refused(
                "Slides and video can be added once your talk is confirmed.".into(),
            ))
        }
    };
    let title: String = talks::table
        .find(&talk_id)
        .select(talks::title)
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let live = live(conn, &cx.event.id)?
        .remove(&talk_id)
        .ok_or(AppError::NotFound)?;
    Ok((talk_id, title, live))
}
