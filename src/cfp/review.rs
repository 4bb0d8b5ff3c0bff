//! Review: reviewers score proposals in the event's scale and comment. A reviewer sees other
//! reviewers' scores on a proposal only after scoring it; organizers see everything, ranked by
//! mean score. With anonymous review, reviewers do not see speaker names.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Proposal, Review, SubmissionType};
use super::service::{self, speakers_of};
use crate::accounts::{Capability, Viewer};
use crate::db::schema::{organizers, people, proposal_speakers, proposals, reviews, tracks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult};
use crate::events::{display, Event};

/// Mean, median and count of scores.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// Mean, one decimal.
    pub mean: String,
    /// Median.
    pub median: String,
    /// Number of reviews.
    pub count: usize,
    /// Mean as a number (for sorting).
    #[serde(skip)]
    pub mean_value: f64,
}

/// Statistics of a set of scores (`None` when there are none).
pub fn stats(scores: &[i32]) -> Option<Stats> {
    if scores.is_empty() {
        return None;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_unstable();
    let mean = sorted.iter().map(|s| f64::from(*s)).sum::<f64>() / sorted.len() as f64;
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (f64::from(sorted[mid - 1]) + f64::from(sorted[mid])) / 2.0
    } else {
        f64::from(sorted[mid])
    };
    Some(Stats {
        mean: format!("{mean:.1}"),
        median: format!("{median:.1}"),
        count: sorted.len(),
        mean_value: mean,
    })
}

fn reviews_of(conn: &mut AnyConnection, proposal_id: &str) -> QueryResult<Vec<(Review, String)>> {
    reviews::table
        .inner_join(organizers::table)
        .filter(reviews::proposal_id.eq(proposal_id))
        .order(reviews::created_at)
        .select((Review::as_select(), organizers::name))
        .load(conn)
}

/// Saves (or replaces) the viewer's review of a proposal.
pub fn save(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    viewer: &Viewer,
    event: &Event,
    proposal_id: &str,
    score: &str,
    comment: &str,
) -> AppResult<()> {
    let p: Proposal = proposals::table
        .find(proposal_id)
        .filter(proposals::event_id.eq(&event.id))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let score = crate::values::parse_int(
        score,
        "the score",
        event.review_score_min,
        event.review_score_max,
    )
    .map_err(|m| AppError::field("score", m))?;
    let comment = crate::values::parse_text(comment, "the comment", 5000)
        .map_err(|m| AppError::field("comment", m))?;
    conn.transaction(|conn| {
        diesel::delete(
            reviews::table
                .filter(reviews::proposal_id.eq(&p.id))
                .filter(reviews::reviewer_id.eq(&viewer.organizer.id)),
        )
        .execute(conn)?;
        diesel::insert_into(reviews::table)
            .values(Review {
                id: new_id(),
                proposal_id: p.id.clone(),
                reviewer_id: viewer.organizer.id.clone(),
                score,
                comment,
                created_at: now,
                updated_at: now,
            })
            .execute(conn)?;
        Ok(())
    })
}

/// A proposal in the review list.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The proposal.
    pub proposal: Proposal,
    /// Speaker names, or a note when hidden.
    pub speakers: String,
    /// Submission type name.
    pub kind: String,
    /// Track name.
    pub track: Option<String>,
    /// The viewer's score.
    pub my_score: Option<i32>,
    /// Statistics, when the viewer may see them.
    pub stats: Option<Stats>,
}

fn may_see_names(viewer: &Viewer, event: &Event) -> bool {
    !event.anonymous_review || viewer.can(&event.id, Capability::Organize)
}

/// The proposals to review (all but withdrawn), with what the viewer may see; organizers get
/// them ranked by mean score, reviewers get the ones they have not scored first.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    event: &Event,
    track: Option<&str>,
    kind: Option<&str>,
    state: Option<&str>,
) -> AppResult<Vec<Row>> {
    let organizer = viewer.can(&event.id, Capability::Organize);
    let mut q = proposals::table
        .filter(proposals::event_id.eq(&event.id))
        .select(Proposal::as_select())
        .into_boxed();
    // Withdrawn proposals only when asked for by name.
    q = match state {
        Some(st) => q.filter(proposals::state.eq(st.to_string())),
        None => q.filter(proposals::state.ne("withdrawn")),
    };
    if let Some(t) = track {
        q = q.filter(proposals::track_id.eq(t.to_string()));
    }
    if let Some(k) = kind {
        q = q.filter(proposals::submission_type_id.eq(k.to_string()));
    }
    let found: Vec<Proposal> = q.order(proposals::submitted_at).load(conn)?;
    let types: Vec<SubmissionType> = service::types_of(conn, &event.id)?;
    let track_names: Vec<(String, String)> = tracks::table
        .filter(tracks::event_id.eq(&event.id))
        .select((tracks::id, tracks::name))
        .load(conn)?;
    let names = may_see_names(viewer, event);
    // Scores and speakers of every listed proposal in two queries, not two per proposal.
    let ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
    let mut scores_of: HashMap<String, Vec<(String, i32)>> = HashMap::new();
    for (proposal, reviewer, score) in reviews::table
        .filter(reviews::proposal_id.eq_any(&ids))
        .select((reviews::proposal_id, reviews::reviewer_id, reviews::score))
        .load::<(String, String, i32)>(conn)?
    {
        scores_of
            .entry(proposal)
            .or_default()
            .push((reviewer, score));
    }
    let mut names_of: HashMap<String, Vec<String>> = HashMap::new();
    if names {
        for (proposal, name) in proposal_speakers::table
            .inner_join(people::table)
            .filter(proposal_speakers::proposal_id.eq_any(&ids))
            .order((proposal_speakers::proposal_id, proposal_speakers::position))
            .select((proposal_speakers::proposal_id, people::name))
            .load::<(String, String)>(conn)?
        {
            let name = if name.is_empty() {
                "(no name yet)".to_string()
            } else {
                name
            };
            names_of.entry(proposal).or_default().push(name);
        }
    }
    let mut rows = Vec::with_capacity(found.len());
    for p in found {
        let reviews = scores_of.remove(&p.id).unwrap_or_default();
        let my_score = reviews
            .iter()
            .find(|(reviewer, _)| *reviewer == viewer.organizer.id)
            .map(|(_, score)| *score);
        let scores: Vec<i32> = reviews.iter().map(|(_, score)| *score).collect();
        let speakers = if names {
            names_of.remove(&p.id).unwrap_or_default().join(", ")
        } else {
            "(hidden: anonymous review)".into()
        };
        rows.push(Row {
            kind: types
                .iter()
                .find(|t| t.id == p.submission_type_id)
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            track: p.track_id.as_ref().and_then(|id| {
                track_names
                    .iter()
                    .find(|(tid, _)| tid == id)
                    .map(|(_, n)| n.clone())
            }),
            stats: if organizer || my_score.is_some() {
                stats(&scores)
            } else {
                None
            },
            my_score,
            speakers,
            proposal: p,
        });
    }
    if organizer {
        rows.sort_by(|a, b| {
            let (x, y) = (
                a.stats.as_ref().map(|s| s.mean_value).unwrap_or(f64::MIN),
                b.stats.as_ref().map(|s| s.mean_value).unwrap_or(f64::MIN),
            );
            y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal)
        });
    } else {
        rows.sort_by_key(|r| r.my_score.is_some());
    }
    Ok(rows)
}

/// A review shown to the viewer.
#[derive(Debug, Serialize)]
pub struct ShownReview {
    /// Reviewer's name.
    pub reviewer: String,
    /// Score.
    pub score: i32,
    /// Comment.
    pub comment: String,
}

/// One proposal for review.
#[derive(Debug, Serialize)]
pub struct Detail {
    /// The proposal.
    pub proposal: Proposal,
    /// Speakers (names and bios), unless hidden.
    pub speakers: Vec<(String, String)>,
    /// Names hidden.
    pub anonymous: bool,
    /// Type name.
    pub kind: String,
    /// The viewer's review.
    pub mine: Option<(i32, String)>,
    /// Other reviews (empty until the viewer has scored, for reviewers).
    pub others: Vec<ShownReview>,
    /// Others' reviews are hidden until the viewer scores.
    pub others_hidden: bool,
    /// Statistics, when visible.
    pub stats: Option<Stats>,
    /// Scores offered.
    pub scale: Vec<i32>,
    /// Submitted (event time).
    pub submitted: String,
}

/// A proposal with what the viewer may see of its reviews.
pub fn detail(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    event: &Event,
    id: &str,
) -> AppResult<Detail> {
    let p: Proposal = proposals::table
        .find(id)
        .filter(proposals::event_id.eq(&event.id))
        .select(Proposal::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)?;
    let organizer = viewer.can(&event.id, Capability::Organize);
    let reviews = reviews_of(conn, &p.id)?;
    let mine = reviews
        .iter()
        .find(|(r, _)| r.reviewer_id == viewer.organizer.id)
        .map(|(r, _)| (r.score, r.comment.clone()));
    let visible = organizer || mine.is_some();
    let scores: Vec<i32> = reviews.iter().map(|(r, _)| r.score).collect();
    let names = may_see_names(viewer, event);
    let types = service::types_of(conn, &event.id)?;
    Ok(Detail {
        speakers: if names {
            speakers_of(conn, &p.id)?
                .into_iter()
                .map(|s| (s.name, s.bio))
                .collect()
        } else {
            Vec::new()
        },
        anonymous: !names,
        kind: types
            .iter()
            .find(|t| t.id == p.submission_type_id)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        others: if visible {
            reviews
                .iter()
                .filter(|(r, _)| r.reviewer_id != viewer.organizer.id)
                .map(|(r, n)| ShownReview {
                    reviewer: n.clone(),
                    score: r.score,
                    comment: r.comment.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        others_hidden: !visible,
        stats: if visible { stats(&scores) } else { None },
        scale: (event.review_score_min..=event.review_score_max).collect(),
        submitted: display::datetime(p.submitted_at, event.tz()),
        mine,
        proposal: p,
    })
}

#[cfg(test)]
mod tests {
    use super::stats;

    #[test]
    fn mean_median_and_count() {
        assert_eq!(stats(&[]), None);
        let s = stats(&[4, 1, 5]).unwrap();
        assert_eq!(
            (s.mean.as_str(), s.median.as_str(), s.count),
            ("3.3", "4.0", 3)
        );
        let s = stats(&[2, 4, 5, 1]).unwrap();
        assert_eq!((s.mean.as_str(), s.median.as_str()), ("3.0", "3.0"));
    }
}
