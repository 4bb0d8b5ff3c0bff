//! Review: reviewers score proposals in the event's scale and comment. A reviewer sees other
//! reviewers' scores on a proposal only after scoring it; organizers see everything, ranked by
//! mean score. With anonymous review, reviewers do not see speaker names.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Proposal, ProposalState, Review, SubmissionType};
use super::queries::{proposal_of_event, speakers_of, types_of};
use crate::accounts::{Capability, Viewer};
use crate::db::schema::{organizers, people, proposal_speakers, proposals, reviews, tracks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppResult, FieldErrors};
use crate::events::{display, Event};
use crate::forms::Fields;

/// Mean, median and count of scores.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// Mean, one decimal.
    pub mean: String,
    /// Middle score, one decimal (the mean of the two middle ones for an even count).
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

/// A parsed review: a score in the event's scale and a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewInput {
    /// Within the event's scale (`review_score_min..=review_score_max`).
    pub score: i32,
    /// Optional, for the other reviewers.
    pub comment: String,
}

/// Parses the review form against the event's scale.
pub fn parse(event: &Event, score: &str, comment: &str) -> Result<ReviewInput, FieldErrors> {
    let mut f = Fields::new();
    let (lo, hi) = (event.review_score_min, event.review_score_max);
    let score = f.take(
        "score",
        crate::values::parse_int(score, "the score", lo, hi),
    );
    let comment = f.take(
        "comment",
        crate::values::parse_text(comment, "the comment", 5000),
    );
    f.finish(|| {
        Some(ReviewInput {
            score: score?,
            comment: comment?,
        })
    })
}

/// Saves (or replaces) the viewer's review of a proposal.
pub fn save(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    viewer: &Viewer,
    event: &Event,
    proposal_id: &str,
    input: &ReviewInput,
) -> AppResult<()> {
    let p = proposal_of_event(conn, &event.id, proposal_id)?;
    let ReviewInput { score, comment } = input.clone();
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

/// What the review list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this track.
    pub track: Option<String>,
    /// Only this submission type.
    pub kind: Option<String>,
    /// Only this state (withdrawn proposals only show when asked for by name).
    pub state: Option<ProposalState>,
}

/// The proposals of an event that `filter` lets through, oldest first.
fn filtered(
    conn: &mut AnyConnection,
    event: &Event,
    filter: &ListFilter,
) -> QueryResult<Vec<Proposal>> {
    let mut q = proposals::table
        .filter(proposals::event_id.eq(&event.id))
        .select(Proposal::as_select())
        .into_boxed();
    q = match filter.state {
        Some(st) => q.filter(proposals::state.eq(st)),
        None => q.filter(proposals::state.ne(ProposalState::Withdrawn)),
    };
    if let Some(t) = &filter.track {
        q = q.filter(proposals::track_id.eq(t.clone()));
    }
    if let Some(k) = &filter.kind {
        q = q.filter(proposals::submission_type_id.eq(k.clone()));
    }
    q.order(proposals::submitted_at).load(conn)
}

/// (reviewer, score) of every listed proposal, by proposal: one query for the whole list.
fn scores_by_proposal(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, Vec<(String, i32)>>> {
    let mut out: HashMap<String, Vec<(String, i32)>> = HashMap::new();
    for (proposal, reviewer, score) in reviews::table
        .filter(reviews::proposal_id.eq_any(ids))
        .select((reviews::proposal_id, reviews::reviewer_id, reviews::score))
        .load::<(String, String, i32)>(conn)?
    {
        out.entry(proposal).or_default().push((reviewer, score));
    }
    Ok(out)
}

/// Speaker names of every listed proposal, in order, by proposal: one query for the list.
fn names_by_proposal(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> QueryResult<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (proposal, name) in proposal_speakers::table
        .inner_join(people::table)
        .filter(proposal_speakers::proposal_id.eq_any(ids))
        .order((proposal_speakers::proposal_id, proposal_speakers::position))
        .select((proposal_speakers::proposal_id, people::name))
        .load::<(String, String)>(conn)?
    {
        let name = if name.is_empty() {
            "(no name yet)".to_string()
        } else {
            name
        };
        out.entry(proposal).or_default().push(name);
    }
    Ok(out)
}

/// Organizers see the ranking by mean score; reviewers see what they have not scored first.
fn rank(rows: &mut [Row], organizer: bool) {
    if organizer {
        let mean = |r: &Row| r.stats.as_ref().map(|s| s.mean_value).unwrap_or(f64::MIN);
        rows.sort_by(|a, b| {
            mean(b)
                .partial_cmp(&mean(a))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    } else {
        rows.sort_by_key(|r| r.my_score.is_some());
    }
}

/// The proposals to review (all but withdrawn), with what the viewer may see; organizers get
/// them ranked by mean score, reviewers get the ones they have not scored first.
pub fn list(
    conn: &mut AnyConnection,
    viewer: &Viewer,
    event: &Event,
    filter: &ListFilter,
) -> AppResult<Vec<Row>> {
    let organizer = viewer.can(&event.id, Capability::Organize);
    let found = filtered(conn, event, filter)?;
    let types: Vec<SubmissionType> = types_of(conn, &event.id)?;
    let track_names: HashMap<String, String> = tracks::table
        .filter(tracks::event_id.eq(&event.id))
        .select((tracks::id, tracks::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let names = may_see_names(viewer, event);
    let ids: Vec<&str> = found.iter().map(|p| p.id.as_str()).collect();
    let mut scores_of = scores_by_proposal(conn, &ids)?;
    let mut names_of = if names {
        names_by_proposal(conn, &ids)?
    } else {
        HashMap::new()
    };
    let mut rows: Vec<Row> = found
        .into_iter()
        .map(|p| {
            let reviews = scores_of.remove(&p.id).unwrap_or_default();
            let my_score = reviews
                .iter()
                .find(|(r, _)| *r == viewer.organizer.id)
                .map(|(_, s)| *s);
            let scores: Vec<i32> = reviews.iter().map(|(_, s)| *s).collect();
            Row {
                kind: types
                    .iter()
                    .find(|t| t.id == p.submission_type_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                track: p
                    .track_id
                    .as_ref()
                    .and_then(|id| track_names.get(id).cloned()),
                stats: (organizer || my_score.is_some())
                    .then(|| stats(&scores))
                    .flatten(),
                my_score,
                speakers: if names {
                    names_of.remove(&p.id).unwrap_or_default().join(", ")
                } else {
                    "(hidden: anonymous review)".into()
                },
                proposal: p,
            }
        })
        .collect();
    rank(&mut rows, organizer);
    Ok(rows)
}

/// A review shown to the viewer.
#[derive(Debug, Serialize)]
pub struct ShownReview {
    /// Reviewer's name.
    pub reviewer: String,
    /// Within the event's scale.
    pub score: i32,
    /// The reviewer's note, as written.
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
    let p = proposal_of_event(conn, &event.id, id)?;
    let organizer = viewer.can(&event.id, Capability::Organize);
    let reviews = reviews_of(conn, &p.id)?;
    let mine = reviews
        .iter()
        .find(|(r, _)| r.reviewer_id == viewer.organizer.id)
        .map(|(r, _)| (r.score, r.comment.clone()));
    let visible = organizer || mine.is_some();
    let scores: Vec<i32> = reviews.iter().map(|(r, _)| r.score).collect();
    let names = may_see_names(viewer, event);
    let types = types_of(conn, &event.id)?;
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
