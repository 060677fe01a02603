//! A submitted HTML form kept as typed, with its errors in the visitor's language, so that a
//! form can come back with every value kept and every error beside its field.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::{PageError, redirect_see_other};

use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;

/// Values and errors of one form.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    /// A message about the whole form (a conflict, say).
    pub alert: Option<String>,
    /// A message that is not an error (already registered, e-mail sent again).
    pub notice: Option<String>,
}

impl FormState {
    /// A form filled with `values` and no errors.
    pub fn new(values: BTreeMap<String, String>) -> Self {
        Self {
            values,
            ..Self::default()
        }
    }

    /// A form filled from `(name, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        Self::new(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Sets a value (a field built from several inputs, such as ticked boxes).
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_owned(), value.to_owned());
    }

    /// What was typed, field by field (not the CSRF token nor the button pressed): for a form
    /// that sends the same answers again, such as "send the e-mail again".
    pub fn typed(&self) -> Vec<(&str, &str)> {
        self.values
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "csrf_token" | "action"))
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    /// The value typed for `name`, or empty.
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The value typed for `name`, `None` when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        let v = self.value(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// A whole number typed for `name`: `None` when empty, `Some(0)` (invalid) when not a number.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.optional(name).map(|v| v.parse().unwrap_or(0))
    }

    /// The error of `name`, if any.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Each field in error with its label (when the catalogue has one) and its message, for
    /// the summary at the top of the form, which links to each field.
    pub fn summary(&self, locale: Locale) -> Vec<(String, String)> {
        self.errors
            .iter()
            .map(|(name, message)| {
                let text = match field_label(name, locale) {
                    Some(label) => match locale {
                        Locale::Fr => format!("{label}\u{a0}: {message}"),
                        Locale::En => format!("{label}: {message}"),
                    },
                    None => message.clone(),
                };
                (name.clone(), text)
            })
            .collect()
    }

    /// True when some field has an error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.alert.is_some()
    }

    /// Records the outcome of a failed operation: field errors beside their fields, a conflict
    /// as the form's alert. Other errors are returned for the error page.
    pub fn absorb(&mut self, error: AppError, locale: Locale) -> Result<(), AppError> {
        match error {
            AppError::Invalid(errors) => {
                self.errors = errors.localized(locale);
                Ok(())
            }
            AppError::Conflict(message) => {
                self.alert = Some(message);
                Ok(())
            }
            other => Err(other),
        }
    }

    /// Adds errors directly (tests of the form itself).
    pub fn with_errors(mut self, errors: &FieldErrors, locale: Locale) -> Self {
        self.errors = errors.localized(locale);
        self
    }
}

/// The end of a page form's round trip (post, then redirect): on success a 303 to the address
/// `done` makes of the result; on invalid input or a conflict the same form again with every
/// value and error kept, in the page `again` makes of it (422); anything else, the error page.
pub fn round_trip<T, P: askama::Template>(
    req: &HttpRequest,
    mut form: FormState,
    locale: Locale,
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    again: impl FnOnce(FormState) -> P,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(value) => Ok(redirect_see_other(&done(value))),
        Err(error) => {
            form.absorb(error, locale)
                .map_err(|e| PageError::new(req, e))?;
            super::html(StatusCode::UNPROCESSABLE_ENTITY, &again(form))
                .map_err(|e| PageError::new(req, e))
        }
    }
}

/// A field's label, looked up under the areas whose forms use that name.
fn field_label(name: &str, locale: Locale) -> Option<&'static str> {
    [
        "register",
        "stops",
        "workshops",
        "tours",
        "feedback",
        "complaint",
        "auth",
    ]
    .iter()
    .find_map(|area| locale.find(&format!("{area}.{name}")))
}
