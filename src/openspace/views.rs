//! What the open-space pages show: the marketplace, the live board, the admin board, the
//! notes pages and the page on how open space works.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::model::{Access, NoteSubject, Participant, Topic, TopicState};
use super::participants::{self, may_take_part};
use super::{board, market, notes, settings};
use crate::context::EventContext;
use crate::db::AnyConnection;
use crate::error::AppResult;
use crate::events::display;
use crate::markdown::to_safe_html;
use crate::values::to_local_input;

/// The default text of the "how open space works" page.
pub const ABOUT_DEFAULT: &str = "In the afternoons the programme is made by everyone here. \
At the **marketplace** anyone may propose a topic: a question, a problem, something to show. \
Say it in a sentence, put it on the board, and put your dots on the topics you want to join.\n\n\
## The four principles\n\n\
1. **Whoever comes are the right people.** Three people who care make a better session than thirty who do not.\n\
2. **Whatever happens is the only thing that could have.** Let go of what you planned; work with what comes.\n\
3. **Whenever it starts is the right time.** Energy, not the clock, starts a session.\n\
4. **When it is over, it is over.** Finish early, or carry on elsewhere.\n\n\
## The law of two feet\n\n\
If you are neither learning nor contributing where you are, use your two feet: go to another session. \
Nobody is offended; bumblebees carry ideas between sessions and butterflies start new ones in the hallway.\n\n\
## Notes\n\n\
Every topic has a notes page. The convener, or anyone, writes down what was said, so that those who were \
elsewhere can read it afterwards.";

/// The participant of this request, if their cookie named one of the event's participants.
pub fn participant(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
) -> QueryResult<Option<Participant>> {
    match id {
        Some(id) => participants::find(conn, &cx.event.id, id),
        None => Ok(None),
    }
}

fn topic_json(t: &Topic, votes: i64, mine: bool, slug: &str) -> Value {
    json!({
        "id": t.id, "title": t.title, "description": t.description, "convener": t.convener_name,
        "votes": votes, "mine": mine, "sample": t.sample, "placed": t.slot_id.is_some(),
        "url": crate::urls::topic(slug, &t.id),
    })
}

/// The marketplace page.
pub fn market_page(
    conn: &mut AnyConnection,
    cx: &EventContext,
    participant_id: Option<&str>,
) -> AppResult<Value> {
    let s = settings::current(conn, cx)?;
    let p = participant(conn, cx, participant_id)?;
    let votes = market::counts(conn, &cx.event.id)?;
    let mine = match &p {
        Some(p) => market::voted_by(conn, &p.id)?,
        None => Vec::new(),
    };
    let mut topics = board::shown_topics(conn, &cx.event.id)?;
    topics.sort_by_key(|t| std::cmp::Reverse(votes.get(&t.id).copied().unwrap_or(0)));
    let tz = cx.event.tz();
    let open = s.market_open(cx.now);
    let joined = p.as_ref().filter(|p| may_take_part(s.access, p));
    Ok(json!({
        "open": open,
        "registered_only": s.access == Access::Registered,
        "opens": s.opens_at.map(|t| display::datetime(t, tz)),
        "closes": s.closes_at.map(|t| display::datetime(t, tz)),
        "dots": s.dots,
        "participant": joined.map(|p| json!({ "name": p.name, "dots_left": (s.dots - p.dots_used).max(0), "dots_used": p.dots_used })),
        "topics": topics.iter().map(|t| topic_json(t, votes.get(&t.id).copied().unwrap_or(0), mine.contains(&t.id), &cx.event.slug)).collect::<Vec<_>>(),
    }))
}

/// Votes per listed topic, for the marketplace's live counts.
pub fn counts(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<Value> {
    let votes = market::counts(conn, &cx.event.id)?;
    let topics = board::shown_topics(conn, &cx.event.id)?;
    Ok(json!(topics
        .iter()
        .map(|t| (t.id.clone(), votes.get(&t.id).copied().unwrap_or(0)))
        .collect::<std::collections::BTreeMap<_, _>>()))
}

/// The live board (public), with the marketplace code for the kiosk while it is open.
pub fn board_page(conn: &mut AnyConnection, cx: &EventContext, kiosk: bool) -> AppResult<Value> {
    let s = settings::current(conn, cx)?;
    let b = board::build(conn, cx, false)?;
    let current: Vec<_> = b
        .times
        .iter()
        .filter(|t| t.current || t.next)
        .cloned()
        .collect();
    let open = s.market_open(cx.now);
    Ok(json!({
        "board": b,
        "kiosk": kiosk,
        "now_next": current,
        "code": (kiosk && open && s.access == Access::Code).then_some(s.code),
        "open": open,
        "join_url": crate::urls::absolute(&cx.mailer.base_url, &crate::urls::openspace(&cx.event.slug)),
    }))
}

/// The ETag of the live board: the board's version and which slot is current (the kiosk's "now
/// and next" moves with the clock even when nothing is placed).
pub fn board_etag(conn: &mut AnyConnection, cx: &EventContext, kiosk: bool) -> AppResult<String> {
    let version = settings::board_version(conn, &cx.event.id)?;
    let open = settings::current(conn, cx)?.market_open(cx.now);
    let minute = cx.now.and_utc().timestamp() / 60;
    Ok(format!(
        "\"b{version}-{}-{}{}\"",
        if kiosk { minute } else { 0 },
        u8::from(open),
        if kiosk { "k" } else { "" }
    ))
}

/// The admin board: settings, the board with the draft, every topic with its state and votes.
pub fn admin_page(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<Value> {
    let s = settings::current(conn, cx)?;
    let b = board::build(conn, cx, true)?;
    let votes = market::counts(conn, &cx.event.id)?;
    let topics = board::all_topics(conn, &cx.event.id)?;
    let (browsers, registered) = participants::counts(conn, &cx.event.id)?;
    let free: Vec<Value> = b
        .times
        .iter()
        .flat_map(|t| t.cells.iter().map(move |c| (t, c)))
        .filter(|(_, c)| c.slot_id.is_some() && !c.closed)
        .map(|(t, c)| json!({ "id": c.slot_id, "label": format!("{} {} · {}", t.date, t.label, c.room), "taken": c.topic.is_some() }))
        .collect();
    let listed: Vec<Value> = topics
        .iter()
        .filter(|t| t.state == TopicState::Shown)
        .map(|t| json!({ "id": t.id, "title": t.title }))
        .collect();
    let has_draft = topics.iter().any(|t| t.draft_slot_id.is_some());
    let tz = cx.event.tz();
    Ok(json!({
        "settings": settings::SettingsForm::of(&s, &cx.event),
        "code": s.code,
        "open": s.market_open(cx.now),
        "market": s.market,
        "board": b,
        "slots": free,
        "listed": listed,
        "has_draft": has_draft,
        "participants": { "browsers": browsers, "registered": registered },
        "topics": topics.iter().map(|t| {
            let mut v = topic_json(t, votes.get(&t.id).copied().unwrap_or(0), false, &cx.event.slug);
            v["state"] = json!(t.state);
            v["shown"] = json!(t.state == TopicState::Shown);
            v["hidden"] = json!(t.state == TopicState::Hidden);
            v["proposed"] = json!(display::datetime(t.created_at, tz));
            v
        }).collect::<Vec<_>>(),
        "now_input": to_local_input(cx.now, tz),
    }))
}

/// The page on how open space works.
pub fn about_page(conn: &mut AnyConnection, cx: &EventContext) -> AppResult<Value> {
    let s = settings::current(conn, cx)?;
    let text = if s.about.trim().is_empty() {
        ABOUT_DEFAULT
    } else {
        s.about.as_str()
    };
    Ok(json!({ "about_html": to_safe_html(text), "dots": s.dots }))
}

/// A notes page: the latest text, the history, and whether this visitor may edit.
pub fn notes_page(
    conn: &mut AnyConnection,
    cx: &EventContext,
    kind: NoteSubject,
    id: &str,
    participant_id: Option<&str>,
) -> AppResult<Value> {
    let subject = notes::subject(conn, cx, kind, id)?;
    let s = settings::current(conn, cx)?;
    let p = participant(conn, cx, participant_id)?;
    let revisions = notes::history(conn, kind, &subject.id)?;
    let tz = cx.event.tz();
    let until = notes::editable_until(cx, s.notes_days);
    let latest = revisions.first();
    let merged_into = match kind {
        NoteSubject::Topic => board::topic_of(conn, &cx.event.id, &subject.id)?.merged_into,
        NoteSubject::Talk => None,
    };
    // Related material of a topic: what the organizers linked to it, then the other topics
    // of the open space (its "track").
    let linked = crate::material::related::linked_buzz(conn, &cx.event.id)?
        .remove(&subject.id)
        .unwrap_or_default();
    let others: Vec<Value> = match kind {
        NoteSubject::Topic => board::shown_topics(conn, &cx.event.id)?
            .into_iter()
            .filter(|t| t.id != subject.id && t.slot_id.is_some())
            .take(6)
            .map(|t| json!({ "title": t.title, "url": crate::urls::topic(&cx.event.slug, &t.id) }))
            .collect(),
        NoteSubject::Talk => Vec::new(),
    };
    Ok(json!({
        "subject": subject,
        "is_topic": kind == NoteSubject::Topic,
        "url": match kind {
            NoteSubject::Topic => crate::urls::topic(&cx.event.slug, &subject.id),
            NoteSubject::Talk => crate::urls::talk_notes(&cx.event.slug, &subject.id),
        },
        "merged_into": merged_into.map(|m| crate::urls::topic(&cx.event.slug, &m)),
        "html": latest.map(|r| to_safe_html(&r.body)),
        "body": latest.map(|r| r.body.clone()).unwrap_or_default(),
        "revision": latest.map_or(0, |r| r.revision),
        "history": revisions.iter().map(|r| json!({ "revision": r.revision, "editor": if r.editor_name.is_empty() { "(name removed)" } else { r.editor_name.as_str() }, "when": display::datetime(r.created_at, tz) })).collect::<Vec<_>>(),
        "editable": cx.now <= until,
        "until": display::datetime(until, tz),
        "participant": p.filter(|p| may_take_part(s.access, p)).map(|p| json!({ "name": p.name })),
        "registered_only": s.access == Access::Registered,
        "linked": linked,
        "others": others,
    }))
}
