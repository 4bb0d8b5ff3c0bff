//! Submission types: what speakers can propose (a 30-minute talk, an ignite, a workshop), each
//! becoming a talk of a kind and length when confirmed.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{SubmissionType, TypeFields};
use super::queries::{type_of, type_use, types_of};
use crate::audit;
use crate::context::EventContext;
use crate::db::schema::submission_types;
use crate::db::{new_id, AnyConnection};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::Fields;
use crate::programme::model::TalkKind;
use crate::values;

/// The submission type form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TypeForm {
    /// Shown to speakers, e.g. "Talk (30 minutes)".
    pub name: String,
    /// Talk kind.
    pub kind: String,
    /// Minutes.
    pub duration_minutes: String,
}

impl TypeForm {
    /// The form filled from a type.
    pub fn from_type(t: &SubmissionType) -> TypeForm {
        TypeForm {
            name: t.name.clone(),
            kind: t.kind.to_string(),
            duration_minutes: t.duration_minutes.to_string(),
        }
    }
}

/// Parses a submission type form.
pub fn parse(form: &TypeForm) -> Result<TypeFields, FieldErrors> {
    let mut f = Fields::new();
    let name = f.take("name", values::parse_line(&form.name, "a name", 80));
    let kind = f.take(
        "kind",
        TalkKind::parse(&form.kind).ok_or_else(|| "Choose a kind.".to_string()),
    );
    let minutes = f.take(
        "duration_minutes",
        values::parse_int(&form.duration_minutes, "the duration", 1, 24 * 60),
    );
    f.finish(|| {
        Some(TypeFields {
            name: name?,
            kind: kind?,
            duration_minutes: minutes?,
        })
    })
}

fn record(
    conn: &mut AnyConnection,
    cx: &EventContext,
    t: &SubmissionType,
    action: &str,
    summary: &str,
) -> QueryResult<()> {
    audit::note(conn, cx, action, ("submission_type", &t.id), summary)
}

/// Adds a submission type.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn add(
    conn: &mut AnyConnection,
    cx: &EventContext,
    input: &TypeFields,
) -> AppResult<SubmissionType> {
    conn.transaction(|conn| {
        let t = SubmissionType {
            id: new_id(),
            event_id: cx.event.id.clone(),
            name: input.name.clone(),
            kind: input.kind,
            duration_minutes: input.duration_minutes,
            position: types_of(conn, &cx.event.id)?.len() as i32,
        };
        diesel::insert_into(submission_types::table)
            .values(&t)
            .execute(conn)?;
        record(
            conn,
            cx,
            &t,
            "cfp.type.add",
            &format!("Added submission type {}", t.name),
        )?;
        Ok(t)
    })
}

/// Changes a submission type. Proposals keep it; talks already confirmed keep the kind and
/// duration they were given.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn update(
    conn: &mut AnyConnection,
    cx: &EventContext,
    id: &str,
    input: &TypeFields,
) -> AppResult<SubmissionType> {
    conn.transaction(|conn| {
        let old = type_of(conn, &cx.event.id, id)?;
        diesel::update(submission_types::table.find(&old.id))
            .set(input)
            .execute(conn)?;
        let t = type_of(conn, &cx.event.id, id)?;
        let summary = format!(
            "Changed submission type {} ({}, {} min) to {} ({}, {} min)",
            old.name, old.kind, old.duration_minutes, t.name, t.kind, t.duration_minutes
        );
        record(conn, cx, &t, "cfp.type.update", &summary)?;
        Ok(t)
    })
}

/// Deletes a submission type no proposal uses; one in use is refused (rename it instead), so
/// no proposal loses its type.
#[tracing::instrument(skip_all, fields(event = %cx.event.slug))]
pub fn delete(conn: &mut AnyConnection, cx: &EventContext, id: &str) -> AppResult<SubmissionType> {
    conn.transaction(|conn| {
        let t = type_of(conn, &cx.event.id, id)?;
        let used = type_use(conn, &cx.event.id)?
            .get(&t.id)
            .copied()
            .unwrap_or(0);
        if used > 0 {
            let plural = if used == 1 { "" } else { "s" };
            return Err(AppError::field(
                "type",
                format!(
                    "{} is the type of {used} proposal{plural}, so it stays; you can rename it.",
                    t.name
                ),
            ));
        }
        diesel::delete(submission_types::table.find(&t.id)).execute(conn)?;
        record(
            conn,
            cx,
            &t,
            "cfp.type.delete",
            &format!("Deleted submission type {}", t.name),
        )?;
        Ok(t)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_needs_a_name_a_known_kind_and_a_sensible_length() {
        let form = TypeForm {
            name: "Lightning talk".into(),
            kind: "ignite".into(),
            duration_minutes: "5".into(),
        };
        assert_eq!(parse(&form).unwrap().kind, TalkKind::Ignite);
        let bad = TypeForm {
            name: String::new(),
            kind: "rant".into(),
            duration_minutes: "0".into(),
        };
        let errors = parse(&bad).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }
}
