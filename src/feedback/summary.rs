//! What feedback shows: per talk (count, average, the comments, newest first), for the
//! organizers' summary and for a speaker's own talks.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::talk_feedback;
use crate::db::AnyConnection;

/// One comment.
#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    /// 1 to 5.
    pub rating: i32,
    /// The text (may be empty).
    pub comment: String,
}

/// The feedback on one talk.
#[derive(Debug, Clone, Serialize, Default)]
pub struct TalkFeedback {
    /// How many.
    pub count: usize,
    /// Average rating, one decimal ("4.3").
    pub average: String,
    /// Count per rating 1..=5.
    pub histogram: [usize; 5],
    /// Newest first.
    pub comments: Vec<Comment>,
}

/// Feedback per talk of an event (only talks that have some).
pub fn per_talk(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<HashMap<String, TalkFeedback>> {
    let rows: Vec<(String, i32, String)> = talk_feedback::table
        .filter(talk_feedback::event_id.eq(event_id))
        .order(talk_feedback::created_at.desc())
        .select((
            talk_feedback::talk_id,
            talk_feedback::rating,
            talk_feedback::comment,
        ))
        .load(conn)?;
    let mut out: HashMap<String, TalkFeedback> = HashMap::new();
    let mut sums: HashMap<String, i64> = HashMap::new();
    for (talk, rating, comment) in rows {
        let f = out.entry(talk.clone()).or_default();
        f.count += 1;
        if (1..=5).contains(&rating) {
            f.histogram[(rating - 1) as usize] += 1;
        }
        *sums.entry(talk).or_default() += rating as i64;
        if !comment.is_empty() {
            f.comments.push(Comment { rating, comment });
        }
    }
    for (talk, f) in out.iter_mut() {
        let sum = sums.get(talk).copied().unwrap_or(0);
        f.average = format!("{:.1}", sum as f64 / f.count.max(1) as f64);
    }
    Ok(out)
}

/// One talk of the organizers' summary.
#[derive(Debug, Clone, Serialize)]
pub struct TalkSummary {
    /// The talk's id.
    pub id: String,
    /// The talk's title.
    pub title: String,
    /// Its feedback.
    pub feedback: TalkFeedback,
}

/// The organizers' summary: the talks that have feedback, in programme order, and how many
/// ratings the event has in all.
pub fn of_event(
    conn: &mut AnyConnection,
    event_id: &str,
) -> QueryResult<(Vec<TalkSummary>, usize)> {
    let mut per = per_talk(conn, event_id)?;
    let total = per.values().map(|f| f.count).sum();
    let talks = crate::programme::queries::talks_of(conn, event_id)?;
    let rows = talks
        .into_iter()
        .filter_map(|t| {
            per.remove(&t.id).map(|feedback| TalkSummary {
                id: t.id,
                title: t.title,
                feedback,
            })
        })
        .collect();
    Ok((rows, total))
}
