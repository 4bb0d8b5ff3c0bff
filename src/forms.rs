//! One way from a form to a command: every form is parsed by a pure function
//! `parse(&Form) -> Result<Input, FieldErrors>` that turns text into typed values once, at the
//! edge, and collects a message per field with [`Fields`]. Domain commands take the typed input;
//! handlers show the form again with the messages when parsing fails.

use std::future::Future;

use crate::error::{AppError, AppResult, FieldErrors};

/// Runs a command with a form's parsed input; a form that did not parse comes back as
/// [`AppError::Invalid`] with its messages, like a command's own refusal of a field would.
pub async fn submit<I, T, Fut>(
    parsed: Result<I, FieldErrors>,
    run: impl FnOnce(I) -> Fut,
) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    match parsed {
        Ok(input) => run(input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    }
}

/// Collects the messages of a form being parsed: the first message per field is kept.
#[derive(Debug, Default)]
pub struct Fields {
    errors: FieldErrors,
}

impl Fields {
    /// Nothing wrong yet.
    pub fn new() -> Fields {
        Fields::default()
    }

    /// The value of a field, or `None` after noting its message.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// Notes a message for `field` (unless it has one already).
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Notes `message` for `field` unless `ok` holds (a rule across fields).
    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.fail(field, message);
        }
    }

    /// Adds the messages of a part of the form parsed elsewhere.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, message) in other {
            self.fail(&field, message);
        }
    }

    /// Whether no message was noted.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The typed input, or the messages. `build` assembles the input from the values taken
    /// (with `?` on each `Option`); it only runs when every field was fine.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, FieldErrors> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        build().ok_or_else(|| {
            // Unreachable: every value was taken without a message.
            FieldErrors::from([("form".to_string(), "Please check the form.".to_string())])
        })
    }

    /// Adds the messages of a parse that failed (a form parsed in parts).
    pub fn merge_result<T>(&mut self, parsed: &Result<T, FieldErrors>) {
        if let Err(errors) = parsed {
            self.merge(errors.clone());
        }
    }

    /// `parsed` when it parsed and nothing else was noted; otherwise every message together.
    pub fn and<T>(mut self, parsed: Result<T, FieldErrors>) -> Result<T, FieldErrors> {
        self.merge_result(&parsed);
        match parsed {
            Ok(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }

    /// The messages noted so far (to report them without an input).
    pub fn into_errors(self) -> FieldErrors {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_per_field_is_kept_and_build_runs_only_when_clean() {
        let mut f = Fields::new();
        let a: Option<i32> = f.take("a", Err("first".into()));
        f.fail("a", "second");
        f.check(false, "b", "b is wrong");
        assert!(a.is_none() && !f.is_clean());
        let errors = f.finish(|| Some(1)).unwrap_err();
        assert_eq!(errors["a"], "first");
        assert_eq!(errors["b"], "b is wrong");

        let mut f = Fields::new();
        let x = f.take("x", Ok::<_, String>(2));
        assert_eq!(f.finish(|| Some(x? * 2)), Ok(4));
    }
}
