//! The organizers' questions on the registration form, and answers checked against them.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::Question;
use crate::accounts::Actor;
use crate::audit::{self, Change};
use crate::db::schema::questions;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::events::Event;
use crate::values;

/// Kinds of question.
pub const KINDS: &[&str] = &["text", "single", "multiple", "checkbox"];

/// The questions of an event, in order.
pub fn of_event(conn: &mut AnyConnection, event_id: &str) -> QueryResult<Vec<Question>> {
    questions::table
        .filter(questions::event_id.eq(event_id))
        .order((questions::position, questions::label))
        .select(Question::as_select())
        .load(conn)
}

/// The question form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    /// The question.
    pub label: String,
    /// Help.
    pub help_text: String,
    /// Kind.
    pub kind: String,
    /// "on" when required.
    pub required: Option<String>,
    /// Choices, one per line.
    pub options: String,
}

/// Creates or updates a question.
pub fn save(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: Option<&str>,
    form: &QuestionForm,
) -> AppResult<Question> {
    let mut e = FieldErrors::new();
    let label = values::parse_line(&form.label, "the question", 300)
        .map_err(|m| e.insert("label".into(), m))
        .ok();
    let help = values::parse_optional_line(&form.help_text, "the help text", 300)
        .map_err(|m| e.insert("help_text".into(), m))
        .ok();
    if !KINDS.contains(&form.kind.as_str()) {
        e.insert("kind".into(), "Choose a kind of question.".into());
    }
    let options = values::parse_text(&form.options, "the choices", 4000)
        .map_err(|m| e.insert("options".into(), m))
        .ok();
    if (form.kind == "single" || form.kind == "multiple")
        && options
            .as_deref()
            .is_some_and(|o| o.lines().filter(|l| !l.trim().is_empty()).count() < 2)
    {
        e.insert(
            "options".into(),
            "Give at least two choices, one per line.".into(),
        );
    }
    let (Some(label), Some(help_text), Some(options), true) = (label, help, options, e.is_empty())
    else {
        return Err(AppError::Invalid(e));
    };
    let q = Question {
        id: id.map(str::to_string).unwrap_or_else(new_id),
        event_id: event.id.clone(),
        label,
        help_text,
        kind: form.kind.clone(),
        required: form.required.as_deref().is_some_and(|v| !v.is_empty()),
        options,
        position: of_event(conn, &event.id)?.len() as i32,
    };
    let n = match id {
        Some(id) => diesel::update(
            questions::table
                .find(id)
                .filter(questions::event_id.eq(&event.id)),
        )
        .set((
            questions::label.eq(&q.label),
            questions::help_text.eq(&q.help_text),
            questions::kind.eq(&q.kind),
            questions::required.eq(q.required),
            questions::options.eq(&q.options),
        ))
        .execute(conn)?,
        None => diesel::insert_into(questions::table)
            .values(&q)
            .execute(conn)?,
    };
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        now,
        actor,
        Change {
            event_id: Some(&event.id),
            action: "question.save",
            entity_type: "question",
            entity_id: Some(&q.id),
        },
        &format!("Saved the question “{}”", q.label),
    )?;
    Ok(q)
}

/// Deletes a question (and its answers).
pub fn delete(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    actor: &Actor,
    event: &Event,
    id: &str,
) -> AppResult<()> {
    let n = diesel::delete(
        questions::table
            .find(id)
            .filter(questions::event_id.eq(&event.id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        now,
        actor,
        Change {
            event_id: Some(&event.id),
            action: "question.delete",
            entity_type: "question",
            entity_id: Some(id),
        },
        "Deleted a question and its answers",
    )?;
    Ok(())
}

/// Raw answers from a form: question id → values (several for multiple choice).
pub type RawAnswers = BTreeMap<String, Vec<String>>;

/// Checks raw answers against the questions; returns question id → stored value, or errors
/// keyed `q_<question id>`.
pub fn check_answers(
    questions: &[Question],
    raw: &RawAnswers,
) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut out = BTreeMap::new();
    let mut errors = FieldErrors::new();
    for q in questions {
        let key = format!("q_{}", q.id);
        let given: Vec<String> = raw
            .get(&q.id)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let choices = q.choices();
        let value = match q.kind.as_str() {
            "text" => match given.first() {
                Some(v) => match values::parse_text(v, "the answer", 2000) {
                    Ok(v) => v,
                    Err(m) => {
                        errors.insert(key, m);
                        continue;
                    }
                },
                None => String::new(),
            },
            "single" => match given.first() {
                Some(v) if choices.contains(v) => v.clone(),
                Some(_) => {
                    errors.insert(key, "Choose one of the options.".into());
                    continue;
                }
                None => String::new(),
            },
            "multiple" => {
                if given.iter().any(|v| !choices.contains(v)) {
                    errors.insert(key, "Choose among the options.".into());
                    continue;
                }
                given.join("\n")
            }
            _ => {
                if given.is_empty() {
                    String::new()
                } else {
                    "yes".to_string()
                }
            }
        };
        if q.required && value.is_empty() {
            errors.insert(
                key,
                if q.kind == "checkbox" {
                    "Please tick this box.".into()
                } else {
                    "Please answer this question.".into()
                },
            );
            continue;
        }
        out.insert(q.id.clone(), value);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, kind: &str, required: bool, options: &str) -> Question {
        Question {
            id: id.into(),
            event_id: "e".into(),
            label: id.into(),
            help_text: String::new(),
            kind: kind.into(),
            required,
            options: options.into(),
            position: 0,
        }
    }

    #[test]
    fn answers_are_checked_against_their_questions() {
        let qs = vec![
            q("size", "single", true, "S\nM\nL"),
            q("diet", "text", false, ""),
            q("topics", "multiple", false, "ops\ndev\nculture"),
            q("photo", "checkbox", true, ""),
        ];
        let mut raw = RawAnswers::new();
        raw.insert("size".into(), vec!["M".into()]);
        raw.insert("topics".into(), vec!["ops".into(), "culture".into()]);
        raw.insert("photo".into(), vec!["on".into()]);
        let ok = check_answers(&qs, &raw).unwrap();
        assert_eq!(ok["size"], "M");
        assert_eq!(ok["topics"], "ops\nculture");
        assert_eq!(ok["photo"], "yes");
        assert_eq!(ok["diet"], "");

        let mut bad = RawAnswers::new();
        bad.insert("size".into(), vec!["XXL".into()]);
        bad.insert("topics".into(), vec!["ops".into(), "<script>".into()]);
        let errors = check_answers(&qs, &bad).unwrap_err();
        assert!(
            errors.contains_key("q_size")
                && errors.contains_key("q_topics")
                && errors.contains_key("q_photo")
        );
    }
}
