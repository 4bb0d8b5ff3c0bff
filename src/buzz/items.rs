//! Adding, editing and moderating buzz items; visitors' suggestions. Every change that alters
//! what is published bumps the event's live version (talk pages list linked buzz) and
//! reindexes the library.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{BuzzItem, BuzzKind, BuzzStatus};
use crate::context::EventContext;
use crate::db::schema::{buzz_items, openspace_topics, talks};
use crate::db::{new_id, write_transaction, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{parse_line, parse_optional_line, parse_optional_url, parse_text};

/// The buzz form (organizers' and visitors'), as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BuzzForm {
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Link.
    pub url: String,
    /// `YYYY-MM-DD`.
    pub published_on: String,
    /// A [`BuzzKind`].
    pub kind: String,
    /// Optional quote.
    pub quote: String,
    /// Linked talk or topic: `talk:<id>`, `topic:<id>` or empty (organizers only).
    pub about: String,
    /// Honeypot: people leave it empty.
    pub website: String,
}

impl BuzzForm {
    /// The form filled from an item.
    pub fn of(item: &BuzzItem) -> BuzzForm {
        BuzzForm {
            title: item.title.clone(),
            author: item.author.clone(),
            url: item.url.clone(),
            published_on: item.published_on.date().to_string(),
            kind: item.kind.as_str().into(),
            quote: item.quote.clone(),
            about: match (&item.talk_id, &item.topic_id) {
                (Some(t), _) => format!("talk:{t}"),
                (None, Some(t)) => format!("topic:{t}"),
                _ => String::new(),
            },
            website: String::new(),
        }
    }
}

/// What the linked `about` field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// Nothing.
    Nothing,
    /// A talk.
    Talk(String),
    /// An open-space topic.
    Topic(String),
}

/// A parsed buzz form.
#[derive(Debug, Clone)]
pub struct BuzzInput {
    title: String,
    author: String,
    url: String,
    published_on: NaiveDateTime,
    kind: BuzzKind,
    quote: String,
    about: About,
}

/// Parses the form. A visitor's suggestion must have a link (there is nothing to check
/// otherwise); an organizer may record a mention without one.
pub fn parse(form: &BuzzForm, link_required: bool) -> Result<BuzzInput, FieldErrors> {
    let mut f = Fields::new();
    let title = f.take("title", parse_line(&form.title, "a title", 200));
    let author = f.take(
        "author",
        parse_optional_line(&form.author, "the author", 120),
    );
    let url = f.take("url", parse_optional_url(&form.url));
    if link_required && form.url.trim().is_empty() {
        f.fail("url", "Please enter the link to what you suggest.");
    }
    let date = f.take(
        "published_on",
        NaiveDate::parse_from_str(form.published_on.trim(), "%Y-%m-%d")
            .map_err(|_| "Enter the date it appeared, as YYYY-MM-DD.".to_string()),
    );
    let kind = f.take(
        "kind",
        BuzzKind::parse(&form.kind).ok_or_else(|| "Choose what kind of thing it is.".to_string()),
    );
    let quote = f.take("quote", parse_text(&form.quote, "the quote", 500));
    let about = match form.about.split_once(':') {
        None if form.about.is_empty() => Some(About::Nothing),
        Some(("talk", id)) => Some(About::Talk(id.to_string())),
        Some(("topic", id)) => Some(About::Topic(id.to_string())),
        _ => {
            f.fail("about", "Choose a talk or topic from the list.");
            None
        }
    };
    f.finish(|| {
        Some(BuzzInput {
            title: title?,
            author: author?,
            url: url?,
            published_on: date?.and_hms_opt(0, 0, 0)?,
            kind: kind?,
            quote: quote?,
            about: about?,
        })
    })
}

fn links(
    conn: &mut AnyConnection,
    cx: &EventContext,
    about: &About,
) -> AppResult<(Option<String>, Option<String>)> {
    match about {
        About::Nothing => Ok((None, None)),
        About::Talk(id) => {
            let found: i64 = talks::table
                .filter(talks::id.eq(id))
                .filter(talks::event_id.eq(&cx.event.id))
                .count()
                .get_result(conn)?;
            if found == 0 {
                return Err(AppError::Invalid(FieldErrors::from([(
                    "about".into(),
                    "That talk is not in this event.".into(),
                )])));
            }
            Ok((Some(id.clone()), None))
        }
        About::Topic(id) => {
            let found: i64 = openspace_topics::table
                .filter(openspace_topics::id.eq(id))
                .filter(openspace_topics::event_id.eq(&cx.event.id))
                .count()
                .get_result(conn)?;
            if found == 0 {
                return Err(AppError::Invalid(FieldErrors::from([(
                    "about".into(),
                    "That topic is not in this event.".into(),
                )])));
            }
            Ok((None, Some(id.clone())))
        }
    }
}

fn insert(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &BuzzInput,
    status: BuzzStatus,
) -> AppResult<BuzzItem> {
    let (talk_id, topic_id) = links(conn, cx, &input.about)?;
    let item = BuzzItem {
        id: new_id(),
        event_id: cx.event.id.clone(),
        kind: input.kind,
        title: input.title.clone(),
        author: input.author.clone(),
        url: input.url.clone(),
        published_on: input.published_on,
        quote: input.quote.clone(),
        status,
        talk_id,
        topic_id,
        sample: false,
        created_at: cx.now,
        updated_at: cx.now,
    };
    diesel::insert_into(buzz_items::table)
        .values(&item)
        .execute(conn)?;
    Ok(item)
}

/// An organizer adds a published item.
pub fn add(conn: &mut AnyConnection, cx: &EventContext, input: &BuzzInput) -> AppResult<BuzzItem> {
    write_transaction(conn, |conn| {
        let item = insert(conn, cx, input, BuzzStatus::Published)?;
        crate::audit::note(conn, cx, "buzz.add", ("buzz", &item.id), &item.title)?;
        crate::material::index::published_changed(conn, cx)?;
        Ok(item)
    })
}

/// A visitor suggests an item: it waits for an organizer. A link suggested already (waiting
/// or published) is not added twice.
pub fn suggest(conn: &mut AnyConnection, cx: &EventContext, input: &BuzzInput) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let known: i64 = buzz_items::table
            .filter(buzz_items::event_id.eq(&cx.event.id))
            .filter(buzz_items::url.eq(&input.url))
            .filter(buzz_items::status.ne(BuzzStatus::Rejected))
            .count()
            .get_result(conn)?;
        if known > 0 {
            return Err(AppError::Refused(
                "Thank you: that link is known already.".into(),
            ));
        }
        let plain = BuzzInput {
            about: About::Nothing,
            ..input.clone()
        };
        insert(conn, cx, &plain, BuzzStatus::Suggested)?;
        Ok(())
    })
}

/// An item of the event.
pub fn find(conn: &mut AnyConnection, event_id: &str, id: &str) -> AppResult<BuzzItem> {
    buzz_items::table
        .find(id)
        .filter(buzz_items::event_id.eq(event_id))
        .select(BuzzItem::as_select())
        .first(conn)
        .map_err(AppError::from_lookup)
}

/// An organizer edits an item.
pub fn update(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    input: &BuzzInput,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        find(conn, &cx.event.id, id)?;
        let (talk_id, topic_id) = links(conn, cx, &input.about)?;
        diesel::update(buzz_items::table.find(id))
            .set((
                buzz_items::kind.eq(input.kind),
                buzz_items::title.eq(&input.title),
                buzz_items::author.eq(&input.author),
                buzz_items::url.eq(&input.url),
                buzz_items::published_on.eq(input.published_on),
                buzz_items::quote.eq(&input.quote),
                buzz_items::talk_id.eq(talk_id),
                buzz_items::topic_id.eq(topic_id),
                buzz_items::updated_at.eq(cx.now),
            ))
            .execute(conn)?;
        crate::audit::note(conn, cx, "buzz.update", ("buzz", id), &input.title)?;
        crate::material::index::published_changed(conn, cx)?;
        Ok(())
    })
}

/// What an organizer does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Publish (a suggestion, or again).
    Publish,
    /// Turn down or take off the page.
    Reject,
    /// Delete for good.
    Delete,
}

impl Moderation {
    /// From the button's value.
    pub fn parse(s: &str) -> Option<Moderation> {
        match s {
            "publish" => Some(Moderation::Publish),
            "reject" => Some(Moderation::Reject),
            "delete" => Some(Moderation::Delete),
            _ => None,
        }
    }
}

/// Publishes, rejects or deletes an item; returns the message to show.
pub fn moderate(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    action: Moderation,
) -> AppResult<String> {
    write_transaction(conn, |conn| {
        let item = find(conn, &cx.event.id, id)?;
        let message = match action {
            Moderation::Delete => {
                diesel::delete(buzz_items::table.find(id)).execute(conn)?;
                format!("“{}” deleted.", item.title)
            }
            Moderation::Publish | Moderation::Reject => {
                let status = if action == Moderation::Publish {
                    BuzzStatus::Published
                } else {
                    BuzzStatus::Rejected
                };
                diesel::update(buzz_items::table.find(id))
                    .set((
                        buzz_items::status.eq(status),
                        buzz_items::updated_at.eq(cx.now),
                    ))
                    .execute(conn)?;
                match status {
                    BuzzStatus::Published => format!("“{}” is on the buzz page.", item.title),
                    _ => format!("“{}” is not shown.", item.title),
                }
            }
        };
        crate::audit::note(conn, cx, "buzz.moderate", ("buzz", id), &message)?;
        crate::material::index::published_changed(conn, cx)?;
        Ok(message)
    })
}
