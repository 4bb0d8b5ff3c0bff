//! Talks: what is on the programme (keynotes, ignites, panels with moderators, workshops), with
//! their people, slides and video.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{
    next_number, Level, Talk, TalkFields, TalkKind, TalkPerson, TalkRole, TalkState,
};
use super::queries::{belongs, talk_of, Owned};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::{people, talk_people, talks};
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values;

/// The talk form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TalkForm {
    /// As typed; required.
    pub title: String,
    /// Abstract (Markdown).
    pub r#abstract: String,
    /// Description (Markdown).
    pub description: String,
    /// One of [`super::model::TalkKind`]'s stored names.
    pub kind: String,
    /// Minutes.
    pub duration_minutes: String,
    /// Track id or empty.
    pub track_id: String,
    /// Language code.
    pub language: String,
    /// Empty, or one of [`super::model::Level`]'s stored names.
    pub level: String,
    /// Slides link.
    pub slides_url: String,
    /// Video link.
    pub video_url: String,
    /// confirmed or cancelled.
    pub state: String,
    /// Person ids, one per row (empty rows ignored).
    pub person: Vec<String>,
    /// Role per row.
    pub role: Vec<String>,
    /// Person ids ticked to be taken off the talk.
    pub remove: Vec<String>,
    /// A person to add: the name (or email) of a speaker of this or an earlier event, picked
    /// from the suggestions; a name nobody has adds a new speaker.
    pub add_person: String,
    /// The added person's role.
    pub add_role: String,
}

impl TalkForm {
    /// A blank form.
    pub fn blank() -> TalkForm {
        TalkForm {
            kind: TalkKind::Talk.to_string(),
            duration_minutes: "45".into(),
            language: "en".into(),
            state: TalkState::Confirmed.to_string(),
            ..TalkForm::default()
        }
    }

    /// The form filled from a talk and its people.
    pub fn from_talk(t: &Talk, people: &[TalkPerson]) -> TalkForm {
        TalkForm {
            title: t.title.clone(),
            r#abstract: t.abstract_.clone(),
            description: t.description.clone(),
            kind: t.kind.to_string(),
            duration_minutes: t.duration_minutes.to_string(),
            track_id: t.track_id.clone().unwrap_or_default(),
            language: t.language.clone(),
            level: t.level.to_string(),
            slides_url: t.slides_url.clone(),
            video_url: t.video_url.clone(),
            state: t.state.to_string(),
            person: people.iter().map(|p| p.person_id.clone()).collect(),
            role: people.iter().map(|p| p.role.to_string()).collect(),
            ..TalkForm::default()
        }
    }
}

/// A parsed talk form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkInput {
    /// What is stored on the talk.
    pub fields: TalkFields,
    /// Its people in order: (person id, role).
    pub people: Vec<(String, TalkRole)>,
    /// A new speaker to make (their name) and add last, with their role.
    pub new_person: Option<(String, TalkRole)>,
}

/// The people rows of the form: each person once, with a known role.
fn parse_people(f: &mut Fields, form: &TalkForm) -> Vec<(String, TalkRole)> {
    let mut chosen: Vec<(String, TalkRole)> = Vec::new();
    for (i, person) in form.person.iter().map(|p| p.trim()).enumerate() {
        if person.is_empty() {
            continue;
        }
        let role = form
            .role
            .get(i)
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .unwrap_or(TalkRole::Speaker.as_str());
        let Some(role) = f.take(
            "person",
            TalkRole::parse(role).ok_or_else(|| "Choose speaker or moderator.".to_string()),
        ) else {
            continue;
        };
        f.check(
            !chosen.iter().any(|(p, _)| p == person),
            "person",
            "Each person once, please.",
        );
        chosen.push((person.to_string(), role));
    }
    chosen
}

/// Parses the talk form (whether the track and people exist is checked when it is stored).
pub fn parse(form: &TalkForm) -> Result<TalkInput, FieldErrors> {
    let mut f = Fields::new();
    let title = f.take("title", values::parse_line(&form.title, "a title", 200));
    let abstract_ = f.take(
        "abstract",
        values::parse_text(&form.r#abstract, "the abstract", 5000),
    );
    let description = f.take(
        "description",
        values::parse_text(&form.description, "the description", 20_000),
    );
    let kind = f.take(
        "kind",
        TalkKind::parse(&form.kind).ok_or_else(|| "Choose a kind of talk.".to_string()),
    );
    let duration = f.take(
        "duration_minutes",
        values::parse_int(&form.duration_minutes, "the duration", 1, 24 * 60),
    );
    let language = f.take(
        "language",
        values::parse_optional_line(&form.language, "the language", 10),
    );
    let level = f.take(
        "level",
        Level::parse(form.level.trim()).ok_or_else(|| "Choose a level.".to_string()),
    );
    let slides_url = f.take("slides_url", values::parse_optional_url(&form.slides_url));
    let video_url = f.take("video_url", values::parse_optional_url(&form.video_url));
    let state = match form.state.as_str() {
        "" => Some(TalkState::Confirmed),
        s => f.take(
            "state",
            TalkState::parse(s).ok_or_else(|| "Choose confirmed or cancelled.".to_string()),
        ),
    };
    let people = parse_people(&mut f, form);
    f.finish(|| {
        Some(TalkInput {
            fields: TalkFields {
                title: title?,
                abstract_: abstract_?,
                description: description?,
                kind: kind?,
                duration_minutes: duration?,
                track_id: Some(form.track_id.trim().to_string()).filter(|t| !t.is_empty()),
                language: language?,
                level: level?,
                slides_url: slides_url?,
                video_url: video_url?,
                state: state?,
            },
            people,
            new_person: None,
        })
    })
}

/// Parses the talk form and checks that the track is the event's and the people exist: every
/// message at once, as the form shows them.
pub fn parse_checked(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &TalkForm,
) -> AppResult<TalkInput> {
    let mut f = Fields::new();
    if let Some(t) = Some(form.track_id.trim()).filter(|t| !t.is_empty()) {
        let known = belongs(conn, &cx.event.id, Owned::Track, t)?;
        f.check(known, "track_id", "Choose one of this event's tracks.");
    }
    let (form, new_person) = &resolve_added(conn, cx, form)?;
    for person in form
        .person
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        let known: bool =
            diesel::select(diesel::dsl::exists(people::table.find(person))).get_result(conn)?;
        f.check(
            known,
            "person",
            "Choose people from the list (add new speakers first).",
        );
    }
    let mut input = f.and(parse(form)).map_err(AppError::Invalid)?;
    input.new_person = new_person.clone();
    Ok(input)
}

/// The form with its ticked people taken off and its added person resolved: a speaker of this
/// or an earlier event with that name or email (the most recent first) joins the rows; a name
/// nobody has becomes a new speaker, made when the talk is saved.
fn resolve_added(
    conn: &mut AnyConnection,
    cx: &EventContext,
    form: &TalkForm,
) -> AppResult<(TalkForm, Option<(String, TalkRole)>)> {
    let mut out = form.clone();
    let kept: Vec<(String, String)> = form
        .person
        .iter()
        .enumerate()
        .filter(|(_, p)| !form.remove.contains(p))
        .map(|(i, p)| (p.clone(), form.role.get(i).cloned().unwrap_or_default()))
        .collect();
    (out.person, out.role) = kept.into_iter().unzip();
    let wanted = form.add_person.trim();
    if wanted.is_empty() {
        return Ok((out, None));
    }
    let role = TalkRole::parse(form.add_role.trim()).unwrap_or(TalkRole::Speaker);
    let known = super::queries::speakers_until(conn, &cx.event)?
        .into_iter()
        .find(|p| {
            p.name.trim().eq_ignore_ascii_case(wanted)
                || p.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
        });
    match known {
        Some(p) => {
            out.person.push(p.id);
            out.role.push(role.to_string());
            Ok((out, None))
        }
        None if wanted.chars().count() <= 100 => Ok((out, Some((wanted.to_string(), role)))),
        None => Err(AppError::field(
            "person",
            "A name has at most 100 characters.",
        )),
    }
}

/// Creates (`id` None) or updates a talk with its people.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &TalkInput,
) -> AppResult<Talk> {
    let action = if id.is_some() {
        "talk.update"
    } else {
        "talk.create"
    };
    conn.transaction(|conn| {
        let (talk_id, what) = match id {
            Some(id) => {
                let (before, people) = talk_of(conn, &cx.event.id, id)?;
                diesel::update(talks::table.find(id))
                    .set((&input.fields, talks::updated_at.eq(cx.now)))
                    .execute(conn)?;
                let people: Vec<(String, TalkRole)> =
                    people.into_iter().map(|p| (p.person_id, p.role)).collect();
                (
                    id.to_string(),
                    changed_fields(
                        &before,
                        &input.fields,
                        people != input.people || input.new_person.is_some(),
                    ),
                )
            }
            None => (insert(conn, cx, &input.fields)?, "new".to_string()),
        };
        let mut chosen = input.people.clone();
        if let Some((name, role)) = &input.new_person {
            chosen.push((super::people::create_named(conn, cx.now, name)?, *role));
        }
        set_people(conn, &talk_id, &chosen)?;
        let summary = format!("Saved talk “{}”: {what}", input.fields.title);
        audit::note(conn, cx, action, ("talk", &talk_id), &summary)?;
        Ok(talk_of(conn, &cx.event.id, &talk_id)?.0)
    })
}

/// The audit log's account of an edit: exactly the fields that changed.
fn changed_fields(before: &Talk, f: &TalkFields, people: bool) -> String {
    audit::changes(&[
        ("title", before.title != f.title),
        ("abstract", before.abstract_ != f.abstract_),
        ("description", before.description != f.description),
        ("kind", before.kind != f.kind),
        ("duration", before.duration_minutes != f.duration_minutes),
        ("track", before.track_id != f.track_id),
        ("language", before.language != f.language),
        ("level", before.level != f.level),
        ("slides", before.slides_url != f.slides_url),
        ("video", before.video_url != f.video_url),
        ("state", before.state != f.state),
        ("speakers", people),
    ])
}

fn insert(conn: &mut AnyConnection, cx: &EventContext, f: &TalkFields) -> AppResult<String> {
    let talk = Talk {
        id: new_id(),
        number: next_number(conn)?,
        event_id: cx.event.id.clone(),
        title: f.title.clone(),
        abstract_: f.abstract_.clone(),
        description: f.description.clone(),
        kind: f.kind,
        duration_minutes: f.duration_minutes,
        track_id: f.track_id.clone(),
        language: f.language.clone(),
        level: f.level,
        slides_url: f.slides_url.clone(),
        video_url: f.video_url.clone(),
        state: f.state,
        created_at: cx.now,
        updated_at: cx.now,
    };
    diesel::insert_into(talks::table)
        .values(&talk)
        .execute(conn)?;
    Ok(talk.id)
}

/// Replaces a talk's people (in order).
pub fn set_people(
    conn: &mut AnyConnection,
    talk_id: &str,
    chosen: &[(String, TalkRole)],
) -> QueryResult<()> {
    diesel::delete(talk_people::table.filter(talk_people::talk_id.eq(talk_id))).execute(conn)?;
    for (position, (person, role)) in chosen.iter().enumerate() {
        diesel::insert_into(talk_people::table)
            .values(TalkPerson {
                id: new_id(),
                talk_id: talk_id.to_string(),
                person_id: person.clone(),
                role: *role,
                position: position as i32,
            })
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_talk_form_parses_kinds_levels_states_and_people_once_each() {
        let form = TalkForm {
            title: "Puppet".into(),
            person: vec!["p1".into(), "".into(), "p2".into()],
            role: vec!["speaker".into(), "".into(), "moderator".into()],
            ..TalkForm::blank()
        };
        let input = parse(&form).unwrap();
        assert_eq!(input.fields.kind, TalkKind::Talk);
        assert_eq!(input.fields.level, Level::Unspecified);
        assert_eq!(
            input.people,
            vec![
                ("p1".into(), TalkRole::Speaker),
                ("p2".into(), TalkRole::Moderator)
            ]
        );
        let bad = TalkForm {
            kind: "sermon".into(),
            level: "guru".into(),
            state: "maybe".into(),
            person: vec!["p1".into(), "p1".into()],
            role: vec!["speaker".into(), "speaker".into()],
            ..TalkForm::blank()
        };
        let errors = parse(&bad).unwrap_err();
        for field in ["title", "kind", "level", "state", "person"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}
