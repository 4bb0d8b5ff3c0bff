//! The organizers' questions on the registration form, and answers checked against them.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Question, QuestionFields, QuestionKind};
use crate::audit::{self, Change};
use crate::context::EventContext;
use crate::db::schema::questions;
use crate::db::{new_id, of_event, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values;

of_event! {
    /// The questions of an event, in order.
    pub fn of_event(event) -> Vec<Question> from questions order (questions::position, questions::label)
}

/// The question form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    /// The question.
    pub label: String,
    /// Help.
    pub help_text: String,
    /// One of [`super::model::QuestionKind`]'s stored names.
    pub kind: String,
    /// "on" when required.
    pub required: Option<String>,
    /// Choices, one per line.
    pub options: String,
}

/// Parses the question form.
pub fn parse(form: &QuestionForm) -> Result<QuestionFields, FieldErrors> {
    let mut f = Fields::new();
    let label = f.take(
        "label",
        values::parse_line(&form.label, "the question", 300),
    );
    let help_text = f.take(
        "help_text",
        values::parse_optional_line(&form.help_text, "the help text", 300),
    );
    let kind = f.take(
        "kind",
        QuestionKind::parse(&form.kind).ok_or_else(|| "Choose a kind of question.".to_string()),
    );
    let options = f.take(
        "options",
        values::parse_text(&form.options, "the choices", 4000),
    );
    let needs_choices = matches!(kind, Some(QuestionKind::Single | QuestionKind::Multiple));
    let choices = options
        .as_deref()
        .map_or(0, |o| o.lines().filter(|l| !l.trim().is_empty()).count());
    f.check(
        !needs_choices || options.is_none() || choices >= 2,
        "options",
        "Give at least two choices, one per line.",
    );
    f.finish(|| {
        Some(QuestionFields {
            label: label?,
            help_text: help_text?,
            kind: kind?,
            required: form.required.as_deref().is_some_and(|v| !v.is_empty()),
            options: options?,
        })
    })
}

/// Creates (`id` of `None`) or updates a question.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &QuestionFields,
) -> AppResult<Question> {
    let event_id = cx.event.id.as_str();
    conn.transaction(|conn| {
        let id = match id {
            Some(id) => {
                let n = diesel::update(
                    questions::table
                        .find(id)
                        .filter(questions::event_id.eq(event_id)),
                )
                .set((input, questions::updated_at.eq(cx.now)))
                .execute(conn)?;
                if n == 0 {
                    return Err(AppError::NotFound);
                }
                id.to_string()
            }
            None => {
                let id = new_id();
                diesel::insert_into(questions::table)
                    .values(Question {
                        id: id.clone(),
                        event_id: event_id.to_string(),
                        label: input.label.clone(),
                        help_text: input.help_text.clone(),
                        kind: input.kind,
                        required: input.required,
                        options: input.options.clone(),
                        position: of_event(conn, event_id)?.len() as i32,
                        updated_at: cx.now,
                    })
                    .execute(conn)?;
                id
            }
        };
        audit::record(
            conn,
            cx.now,
            &cx.actor,
            Change::on(event_id, "question.save", ("question", &id)),
            &format!("Saved the question “{}”", input.label),
        )?;
        Ok(questions::table
            .find(&id)
            .select(Question::as_select())
            .first(conn)?)
    })
}

/// Deletes a question (and its answers).
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<()> {
    conn.transaction(|conn| {
        let n = diesel::delete(
            questions::table
                .find(id)
                .filter(questions::event_id.eq(&cx.event.id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(AppError::NotFound);
        }
        audit::note(
            conn,
            cx,
            "question.delete",
            ("question", id),
            "Deleted a question and its answers",
        )?;
        Ok(())
    })
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
        let value = match q.kind {
            QuestionKind::Text => match given.first() {
                Some(v) => match values::parse_text(v, "the answer", 2000) {
                    Ok(v) => v,
                    Err(m) => {
                        errors.insert(key, m);
                        continue;
                    }
                },
                None => String::new(),
            },
            QuestionKind::Single => match given.first() {
                Some(v) if choices.contains(v) => v.clone(),
                Some(_) => {
                    errors.insert(key, "Choose one of the options.".into());
                    continue;
                }
                None => String::new(),
            },
            QuestionKind::Multiple => {
                if given.iter().any(|v| !choices.contains(v)) {
                    errors.insert(key, "Choose among the options.".into());
                    continue;
                }
                given.join("\n")
            }
            QuestionKind::Checkbox => {
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
                if q.kind == QuestionKind::Checkbox {
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
            kind: QuestionKind::parse(kind).unwrap(),
            required,
            options: options.into(),
            position: 0,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn the_question_form_needs_a_label_a_kind_and_two_choices_for_a_choice() {
        let form = QuestionForm {
            label: "T-shirt size".into(),
            kind: "single".into(),
            options: "S\nM".into(),
            required: Some("on".into()),
            ..QuestionForm::default()
        };
        let q = parse(&form).unwrap();
        assert_eq!(q.kind, QuestionKind::Single);
        assert!(q.required);
        let one = QuestionForm {
            options: "S".into(),
            ..form.clone()
        };
        assert!(parse(&one).unwrap_err().contains_key("options"));
        let unknown = QuestionForm {
            kind: "essay".into(),
            label: String::new(),
            ..form
        };
        let errors = parse(&unknown).unwrap_err();
        assert!(errors.contains_key("kind") && errors.contains_key("label"));
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
