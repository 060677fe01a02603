//! Small validated types and checks shared by every area: parse, don't validate.
//!
//! Errors are catalogue keys (`v.required`…) so that pages show them in the visitor's language
//! and the API in English.

use crate::error::FieldErrors;

/// The one text policy of roadshow. A single-line field (a name, a company, a city, a room…)
/// holds no control character at all: no line feed, carriage return, tab or NUL, no C1
/// control, no Unicode line or paragraph separator. Such characters end up in e-mail headers,
/// CSV cells and PostgreSQL (which refuses NUL), and nobody types them on purpose.
pub fn breaks_a_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A multi-line field (a comment, a description, a resolution) keeps its line feeds; every
/// other control character is refused as in a single-line field.
fn forbidden_in_multiline(c: char) -> bool {
    c != '\n' && breaks_a_line(c)
}

/// True when `raw` may be stored as a single-line field.
pub fn is_single_line(raw: &str) -> bool {
    !raw.chars().any(breaks_a_line)
}

/// A trimmed, non-empty single-line text, or an error recorded for `field`. Lengths count
/// what was sent (at most `max` characters, spaces around included), as the API's document
/// states them (`maxLength`).
pub fn required_text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let value = raw.trim();
    if value.is_empty() {
        errors.add(field, "v.required");
    } else {
        check_text(errors, field, raw, value, max, breaks_a_line);
    }
    value.to_owned()
}

/// A trimmed, possibly empty single-line text of at most `max` characters as sent.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> String {
    let raw = raw.unwrap_or_default();
    let value = raw.trim();
    check_text(errors, field, raw, value, max, breaks_a_line);
    value.to_owned()
}

/// A trimmed, possibly empty text of several lines (line endings made `\n`) of at most `max`
/// characters as sent.
pub fn multiline_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> String {
    let raw = raw.unwrap_or_default();
    if raw.chars().nth(max).is_some() {
        errors.add(field, "v.too_long");
        return String::new();
    }
    let value = raw.trim().replace("\r\n", "\n");
    check_text(errors, field, raw, &value, max, forbidden_in_multiline);
    value
}

/// `raw` (as sent) for the length, `value` (as kept) for the characters.
fn check_text(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    value: &str,
    max: usize,
    forbidden: fn(char) -> bool,
) {
    // Counted without reading past `max + 1`: a 2 MB value costs no more than a short one.
    if raw.chars().nth(max).is_some() {
        errors.add(field, "v.too_long");
    } else if value.chars().any(forbidden) {
        errors.add(field, "v.control_chars");
    }
}

/// At most `max` items: a list in a request body is bounded before anything looks at it.
pub fn bounded_list<T>(errors: &mut FieldErrors, field: &str, items: &[T], max: usize) -> bool {
    if items.len() > max {
        errors.add(field, "v.too_many");
        return false;
    }
    true
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
        // At most 254 characters as sent (the document's `maxLength`), spaces around included.
        if raw.chars().nth(254).is_some() {
            return None;
        }
        let value = raw.trim().to_lowercase();
        // The address goes into a `To` header: the text policy first, whatever the syntax
        // rules of international addresses allow.
        if value.len() > 254 || !is_single_line(&value) {
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
    fn lengths_count_what_was_sent_as_the_document_says() {
        let mut errors = FieldErrors::new();
        assert_eq!(required_text(&mut errors, "city", " Lille", 6), "Lille");
        assert!(errors.is_empty());
        let padded = format!("{}  ", "a".repeat(5));
        required_text(&mut errors, "venue", &padded, 6);
        optional_text(&mut errors, "room", Some(&padded), 6);
        multiline_text(&mut errors, "comment", Some("\r\nabcde"), 6);
        let fields: Vec<String> = errors.iter().map(|(f, _)| f.clone()).collect();
        assert_eq!(fields, ["comment", "room", "venue"]);
    }

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
            ("a\u{85}b@example.fr", false),
            ("a@exa\u{2028}mple.fr", false),
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

    #[test]
    fn single_line_fields_refuse_every_control_character() {
        let cases = [
            ("a\nb", false),
            ("a\rb", false),
            ("a\0b", false),
            ("a\tb", false),
            ("a\u{7f}b", false),
            ("a\u{85}b", false),
            ("a\u{2028}b", false),
            ("a\u{2029}b", false),
            ("Zoé Kléber-Müller", true),
            ("Ünal Öztürk ☕", true),
        ];
        for (raw, ok) in cases {
            let mut errors = FieldErrors::new();
            required_text(&mut errors, "first_name", raw, 100);
            optional_text(&mut errors, "job_title", Some(raw), 100);
            let expected = (!ok).then_some("v.control_chars");
            assert_eq!(errors.get("first_name"), expected, "{raw:?}");
            assert_eq!(errors.get("job_title"), expected, "{raw:?}");
            assert_eq!(is_single_line(raw), ok, "{raw:?}");
        }
    }

    #[test]
    fn multi_line_fields_keep_line_feeds_only() {
        let mut errors = FieldErrors::new();
        let text = multiline_text(&mut errors, "comment", Some(" one\r\ntwo\n "), 100);
        assert_eq!(text, "one\ntwo");
        assert!(errors.is_empty());
        for raw in ["a\0b", "a\u{1b}[31mb", "a\u{2028}b", "a\rb"] {
            let mut errors = FieldErrors::new();
            multiline_text(&mut errors, "comment", Some(raw), 100);
            assert_eq!(errors.get("comment"), Some("v.control_chars"), "{raw:?}");
        }
    }

    #[test]
    fn lists_are_bounded() {
        let mut errors = FieldErrors::new();
        assert!(bounded_list(&mut errors, "workshops", &[1, 2, 3], 3));
        assert!(!bounded_list(&mut errors, "workshops", &[1, 2, 3, 4], 3));
        assert_eq!(errors.get("workshops"), Some("v.too_many"));
    }
}
