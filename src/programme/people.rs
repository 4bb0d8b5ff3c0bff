//! People: speakers' and moderators' profiles, global so they carry over from one event to the
//! next; their addresses stay private.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Person, PersonFields};
use super::queries::person;
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::people;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::values::{self, EmailAddress};

/// The speaker form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    /// As typed; required.
    pub name: String,
    /// Private email (optional).
    pub email: String,
    /// Markdown bio.
    pub bio: String,
    /// Optional; must be an `https://` URL.
    pub photo_url: String,
    /// Web site.
    pub website_url: String,
    /// Other links, one per line.
    pub social: String,
}

impl PersonForm {
    /// The form filled from a person.
    pub fn from_person(p: &Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            email: p.email.clone().unwrap_or_default(),
            bio: p.bio.clone(),
            photo_url: p.photo_url.clone(),
            website_url: p.website_url.clone(),
            social: p.social.clone(),
        }
    }
}

/// Parses the speaker form.
pub fn parse(form: &PersonForm) -> Result<PersonFields, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 120));
    let email = if form.email.trim().is_empty() {
        Some(None)
    } else {
        f.take(
            "email",
            EmailAddress::parse(&form.email).map(|a| Some(a.into_inner())),
        )
    };
    let bio = f.take("bio", values::parse_text(&form.bio, "the bio", 5000));
    let photo_url = f.take("photo_url", values::parse_optional_url(&form.photo_url));
    let website_url = f.take("website_url", values::parse_optional_url(&form.website_url));
    let social = f.take(
        "social",
        values::parse_text(&form.social, "the links", 1000),
    );
    f.finish(|| {
        Some(PersonFields {
            name: name?,
            email: email?,
            bio: bio?,
            photo_url: photo_url?,
            website_url: website_url?,
            social: social?,
        })
    })
}

/// Creates or updates a person. A new person with an email that already has a profile is not
/// duplicated: the existing profile is returned, since people carry over between events.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn save(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: Option<&str>,
    input: &PersonFields,
) -> AppResult<Person> {
    let taken = AppError::taken("email", "Another speaker profile has this email.");
    conn.transaction(|conn| {
        let id = match id {
            Some(id) => {
                let n = diesel::update(people::table.find(id))
                    .set((input, people::updated_at.eq(cx.now)))
                    .execute(conn)
                    .map_err(taken)?;
                if n == 0 {
                    return Err(AppError::NotFound);
                }
                id.to_string()
            }
            None => {
                if let Some(addr) = &input.email {
                    let existing = people::table
                        .filter(people::email.eq(addr))
                        .select(Person::as_select())
                        .first(conn)
                        .optional()?;
                    if let Some(existing) = existing {
                        return Ok(existing);
                    }
                }
                let p = Person {
                    id: new_id(),
                    name: input.name.clone(),
                    email: input.email.clone(),
                    bio: input.bio.clone(),
                    photo_url: input.photo_url.clone(),
                    website_url: input.website_url.clone(),
                    social: input.social.clone(),
                    created_at: cx.now,
                    updated_at: cx.now,
                };
                diesel::insert_into(people::table)
                    .values(&p)
                    .execute(conn)
                    .map_err(taken)?;
                p.id
            }
        };
        let p = person(conn, &id)?;
        audit::note(
            conn,
            cx,
            "speaker.save",
            ("person", &id),
            &format!("Saved speaker {}", p.name),
        )?;
        Ok(p)
    })
}

/// A new speaker with just a name (added from the talk form; the rest of the profile is
/// filled in later, by the organizers or the speaker). Returns the id.
pub fn create_named(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    name: &str,
) -> AppResult<String> {
    let p = Person::bare(name, None, now);
    diesel::insert_into(people::table)
        .values(&p)
        .execute(conn)?;
    Ok(p.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_needs_a_name_and_only_real_addresses_and_web_links() {
        let form = PersonForm {
            name: "Patrick Debois".into(),
            website_url: "https://jedi.be".into(),
            ..PersonForm::default()
        };
        assert_eq!(parse(&form).unwrap().email, None);
        let bad = PersonForm {
            email: "patrick".into(),
            photo_url: "javascript:alert(1)".into(),
            ..PersonForm::default()
        };
        let errors = parse(&bad).unwrap_err();
        for field in ["name", "email", "photo_url"] {
            assert!(errors.contains_key(field), "{field}");
        }
    }
}
