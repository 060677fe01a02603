//! Small validated types and checks shared by every area: parse, don't validate.
//!
//! Errors are catalogue keys (`v.required`…) so that pages show them in the visitor's language
//! and the API in English.

use crate::error::FieldErrors;

/// A trimmed, non-empty text of at most `max` characters, or an error recorded for `field`.
pub fn required_text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, "v.required");
    } else if value.chars().count() > max {
        errors.add(field, "v.too_long");
    }
    value.to_owned()
}

/// A trimmed, possibly empty text of at most `max` characters.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> String {
    let value = raw.unwrap_or_default().trim();
    if value.chars().count() > max {
        errors.add(field, "v.too_long");
    }
    value.to_owned()
}

/// A whole number in `1..=max`.
pub fn positive_count(errors: &mut FieldErrors, field: &str, raw: i64, max: i64) -> i32 {
    if raw < 1 || raw > max {
        errors.add(field, "v.positive");
        return 1;
    }
    i32::try_from(raw).unwrap_or(1)
}

/// An e-mail address, lower-cased, that a mail server can deliver to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address: RFC 5322 syntax, a domain with a dot, at most 254 characters.
    pub fn parse(raw: &str) -> Option<Self> {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 {
            return None;
        }
        let parsed = email_address::EmailAddress::parse_with_options(
            &value,
            email_address::Options::default().without_display_text(),
        )
        .ok()?;
        if !parsed.domain().contains('.') || parsed.domain().starts_with('[') {
            return None;
        }
        Some(Self(value))
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        let cases = [
            ("claire.dupont@alsace-informatique.fr", true),
            ("  Claire@Example.FR ", true),
            ("no-at-sign", false),
            ("a@localhost", false),
            ("", false),
            ("Claire <claire@example.fr>", false),
            ("a@b.c@d.e", false),
        ];
        for (raw, ok) in cases {
            assert_eq!(EmailAddress::parse(raw).is_some(), ok, "{raw:?}");
        }
        assert_eq!(
            EmailAddress::parse(" Claire@Example.FR").map(|e| e.to_string()),
            Some("claire@example.fr".to_owned())
        );
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let mut errors = FieldErrors::new();
        assert_eq!(required_text(&mut errors, "city", "  Lyon ", 10), "Lyon");
        assert!(errors.is_empty());
        required_text(&mut errors, "venue", "   ", 10);
        required_text(&mut errors, "address", &"x".repeat(11), 10);
        assert_eq!(errors.get("venue"), Some("v.required"));
        assert_eq!(errors.get("address"), Some("v.too_long"));
    }
}
