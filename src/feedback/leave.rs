//! Leaving feedback. "One per browser" without accounts: the browser carries a random id in a
//! cookie, and the row keeps only an HMAC of that id and the talk under the secret key, so the
//! table cannot tell which feedback on different talks came from the same browser, and a
//! second form from the same browser on the same talk hits a unique constraint.

use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::context::EventContext;
use crate::db::schema::talk_feedback;
use crate::db::{is_unique_violation, new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{parse_int, parse_text};

/// The feedback form, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FeedbackForm {
    /// 1 to 5.
    pub rating: String,
    /// Optional comment.
    pub comment: String,
    /// Honeypot.
    pub website: String,
}

/// A parsed form.
#[derive(Debug, Clone)]
pub struct FeedbackInput {
    rating: i32,
    comment: String,
}

/// Parses the form.
pub fn parse(form: &FeedbackForm) -> Result<FeedbackInput, FieldErrors> {
    let mut f = Fields::new();
    let rating = f.take(
        "rating",
        parse_int(&form.rating, "a rating", 1, 5)
            .map_err(|_| "Choose a rating from 1 to 5.".to_string()),
    );
    let comment = f.take("comment", parse_text(&form.comment, "the comment", 2000));
    f.finish(|| {
        Some(FeedbackInput {
            rating: rating?,
            comment: comment?,
        })
    })
}

/// The stored key of one browser's feedback on one talk.
pub fn browser_key(secret: &[u8], browser_id: &str, talk_id: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(b"ghent-feedback\0");
    mac.update(browser_id.as_bytes());
    mac.update(b"\0");
    mac.update(talk_id.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Whether feedback on a talk that starts at `starts` (its time in the published programme)
/// is open now: `Err(Refused)` says why not.
pub fn open_for(cx: &EventContext, starts: chrono::NaiveDateTime) -> AppResult<()> {
    if !cx.event.feedback_enabled {
        return Err(AppError::Refused(
            "This event does not collect feedback on talks.".into(),
        ));
    }
    if cx.now < starts {
        return Err(AppError::Refused(format!(
            "Feedback opens when the talk starts ({}).",
            crate::events::display::datetime(starts, cx.event.tz())
        )));
    }
    Ok(())
}

/// Leaves feedback from a browser (its key from [`browser_key`]).
pub fn leave(
    conn: &mut AnyConnection,
    cx: &EventContext,
    (talk_id, starts): (&str, chrono::NaiveDateTime),
    browser: &str,
    input: &FeedbackInput,
) -> AppResult<()> {
    open_for(cx, starts)?;
    let row = (
        talk_feedback::id.eq(new_id()),
        talk_feedback::event_id.eq(&cx.event.id),
        talk_feedback::talk_id.eq(talk_id),
        talk_feedback::browser.eq(browser),
        talk_feedback::rating.eq(input.rating),
        talk_feedback::comment.eq(&input.comment),
        talk_feedback::created_at.eq(cx.now),
    );
    match diesel::insert_into(talk_feedback::table)
        .values(row)
        .execute(conn)
    {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::Refused(
            "You have left feedback on this talk already. Thank you!".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
