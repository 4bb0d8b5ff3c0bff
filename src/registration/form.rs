//! The registration form, parsed once into a typed input: name, address, company, the
//! organizers' questions, the code of conduct, and a honeypot for bots.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::Question;
use super::questions::{check_answers, RawAnswers};
use crate::error::FieldErrors;
use crate::forms::Fields;
use crate::values::{self, EmailAddress};

/// The form as sent: every field, with repeated keys for multiple choice.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegistrationForm {
    /// As typed.
    pub name: String,
    /// As typed; parsed into an [`EmailAddress`].
    pub email: String,
    /// As typed; optional.
    pub company: String,
    /// Terms accepted ("on").
    pub accept: String,
    /// Honeypot: people leave it empty.
    pub website: String,
    /// Question id → values.
    pub answers: RawAnswers,
}

impl RegistrationForm {
    /// Builds the form from URL-encoded pairs (`q_<id>` fields are answers).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> RegistrationForm {
        let mut f = RegistrationForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "email" => f.email = v,
                "company" => f.company = v,
                "accept" => f.accept = v,
                "website" => f.website = v,
                _ => {
                    if let Some(id) = k.strip_prefix("q_") {
                        f.answers.entry(id.to_string()).or_default().push(v);
                    }
                }
            }
        }
        f
    }

    /// True when the honeypot field was filled: a bot.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

/// A parsed registration form.
#[derive(Debug, Clone)]
pub struct RegistrationInput {
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// Lower-cased; the registration's identity within the event.
    pub email: EmailAddress,
    /// Trimmed; may be empty.
    pub company: String,
    /// Question id → value.
    pub answers: BTreeMap<String, String>,
}

/// The attendee's own changes on their private page: name, company, answers.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// Trimmed; may be empty.
    pub company: String,
    /// Question id → value.
    pub answers: BTreeMap<String, String>,
}

/// Parses the registration form against the event's questions.
pub fn parse(
    form: &RegistrationForm,
    questions: &[Question],
) -> Result<RegistrationInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "your name", 120));
    let email = f.take("email", EmailAddress::parse(&form.email));
    let company = f.take(
        "company",
        values::parse_optional_line(&form.company, "the company", 120),
    );
    f.check(
        !form.accept.trim().is_empty(),
        "accept",
        "Please accept the code of conduct and the privacy note.",
    );
    let answers = check_answers(questions, &form.answers)
        .map_err(|e| f.merge(e))
        .ok();
    f.finish(|| {
        Some(RegistrationInput {
            name: name?,
            email: email?,
            company: company?,
            answers: answers?,
        })
    })
}

/// Parses the private page's form (the same fields, no address, no terms).
pub fn parse_profile(
    form: &RegistrationForm,
    questions: &[Question],
) -> Result<ProfileInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "your name", 120));
    let company = f.take(
        "company",
        values::parse_optional_line(&form.company, "the company", 120),
    );
    let answers = check_answers(questions, &form.answers)
        .map_err(|e| f.merge(e))
        .ok();
    f.finish(|| {
        Some(ProfileInput {
            name: name?,
            company: company?,
            answers: answers?,
        })
    })
}

/// An attendee an organizer adds by hand, parsed.
#[derive(Debug, Clone)]
pub struct AttendeeInput {
    /// Trimmed, 1 to 120 characters.
    pub name: String,
    /// Lower-cased.
    pub email: EmailAddress,
    /// Trimmed; may be empty.
    pub company: String,
}

/// Parses the organizers' add-by-hand form.
pub fn parse_attendee(
    name: &str,
    email: &str,
    company: &str,
) -> Result<AttendeeInput, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(name, "a name", 120));
    let email = f.take("email", EmailAddress::parse(email));
    let company = f.take(
        "company",
        values::parse_optional_line(company, "the company", 120),
    );
    f.finish(|| {
        Some(AttendeeInput {
            name: name?,
            email: email?,
            company: company?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::model::QuestionKind;

    fn question(kind: QuestionKind, required: bool) -> Question {
        Question {
            id: "q1".into(),
            event_id: "e".into(),
            label: "Diet".into(),
            help_text: String::new(),
            kind,
            required,
            options: "Vegetarian\nVegan".into(),
            position: 0,
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn the_form_collects_repeated_answers_and_spots_bots() {
        let f = RegistrationForm::from_pairs(vec![
            ("name".into(), "A".into()),
            ("q_1".into(), "ops".into()),
            ("q_1".into(), "dev".into()),
            ("website".into(), "http://spam".into()),
        ]);
        assert_eq!(f.answers["1"], vec!["ops", "dev"]);
        assert!(f.is_bot());
    }

    #[test]
    fn a_valid_form_becomes_typed_input_and_every_mistake_has_its_message() {
        let qs = [question(QuestionKind::Single, true)];
        let form = RegistrationForm::from_pairs(vec![
            ("name".into(), " Gene Kim ".into()),
            ("email".into(), "Gene@Example.org".into()),
            ("accept".into(), "on".into()),
            ("q_q1".into(), "Vegan".into()),
        ]);
        let input = parse(&form, &qs).unwrap();
        assert_eq!(input.name, "Gene Kim");
        assert_eq!(input.email.as_str(), "gene@example.org");
        assert_eq!(input.answers["q1"], "Vegan");

        let bad = RegistrationForm::from_pairs(vec![("q_q1".into(), "Paleo".into())]);
        let errors = parse(&bad, &qs).unwrap_err();
        for field in ["name", "email", "accept", "q_q1"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn the_organizers_form_needs_a_name_and_an_address() {
        assert!(parse_attendee("John", "john@example.org", "").is_ok());
        let errors = parse_attendee("", "nope", "").unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("email"));
    }
}
