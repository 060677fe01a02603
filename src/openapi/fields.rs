//! The schemas of request fields, written once from the rules that check them
//! (`validation.rs`), so that the document says what the server accepts: the text policy as a
//! pattern, lengths as `maxLength`, counts as integer bounds. Request structs name them with
//! `#[schema(schema_with = …)]`; schemathesis in CI sends what these allow and expects it taken.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat};
use utoipa::openapi::{KnownFormat, RefOr, Type};

/// Characters no text field holds (`validation::breaks_a_line`): C0 and C1 controls, U+2028,
/// U+2029.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F\u2028\u2029";

/// A single line: no control character at all.
fn single_line_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// A single line with at least one character that is not a space (fields are trimmed, and a
/// blank required field is refused).
fn not_blank_pattern() -> String {
    format!(r"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$")
}

/// Several lines: line feeds (alone or after a carriage return) and no other control.
fn multiline_pattern() -> String {
    format!(r"^(?:[^{CONTROL}]|\r?\n)*$")
}

fn string(nullable: bool) -> ObjectBuilder {
    if nullable {
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
    } else {
        ObjectBuilder::new().schema_type(Type::String)
    }
}

fn done(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

/// A required single-line text: not blank, at most `MAX` characters.
pub fn name<const MAX: usize>() -> RefOr<Schema> {
    done(
        string(false)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(not_blank_pattern())),
    )
}

/// A single-line text that, when given, is not blank (`null` keeps the stored value).
pub fn new_name<const MAX: usize>() -> RefOr<Schema> {
    done(
        string(true)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(not_blank_pattern())),
    )
}

/// An optional single-line text, empty allowed.
pub fn line<const MAX: usize>() -> RefOr<Schema> {
    done(
        string(true)
            .max_length(Some(MAX))
            .pattern(Some(single_line_pattern())),
    )
}

/// A filter or a search: one line of any length (what matches nothing finds nothing).
pub fn filter() -> RefOr<Schema> {
    done(string(true).pattern(Some(single_line_pattern())))
}

/// An optional text of several lines, empty allowed.
pub fn lines<const MAX: usize>() -> RefOr<Schema> {
    done(
        string(true)
            .max_length(Some(MAX))
            .pattern(Some(multiline_pattern())),
    )
}

/// An id the client got from this API: opaque, one line, not blank, at most 64 characters.
/// An id naming no row is a 422 on that field (in a body) or a 404 (in a path).
pub fn id() -> RefOr<Schema> {
    done(
        string(false)
            .min_length(Some(1))
            .max_length(Some(64))
            .pattern(Some(not_blank_pattern()))
            .examples([serde_json::json!("0b8f8c9e-3f41-4c57-9a8e-6c1f0f1d2a10")]),
    )
}

/// An optional id (`null` or absent: none).
pub fn optional_id() -> RefOr<Schema> {
    done(
        string(true)
            .max_length(Some(64))
            .pattern(Some(single_line_pattern())),
    )
}

/// A list of ids, each as [`id`], at most `MAX`.
pub fn ids<const MAX: usize>() -> RefOr<Schema> {
    RefOr::T(Schema::Array(
        ArrayBuilder::new().items(id()).max_items(Some(MAX)).build(),
    ))
}

/// An e-mail address a mail server can deliver to (checked by the `email_address` crate, with
/// a dot in the domain).
pub fn email() -> RefOr<Schema> {
    done(
        string(false)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .min_length(Some(3))
            .max_length(Some(254))
            .examples([serde_json::json!("claire.martin@example.fr")]),
    )
}

/// An RFC 3339 date and time with its offset.
pub fn date_time() -> RefOr<Schema> {
    done(
        string(false)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .examples([serde_json::json!("2026-10-13T09:00:00+02:00")]),
    )
}

/// An RFC 3339 date and time, or `null` to keep the stored one.
pub fn new_date_time() -> RefOr<Schema> {
    done(string(true).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
}

/// An optional RFC 3339 date and time: empty and `null` mean none.
pub fn optional_date_time() -> RefOr<Schema> {
    formatted_or_empty(KnownFormat::DateTime)
}

/// An optional date, `YYYY-MM-DD`: empty clears it, `null` keeps it.
pub fn optional_date() -> RefOr<Schema> {
    formatted_or_empty(KnownFormat::Date)
}

/// A string of `format`, or the empty string, or `null`.
fn formatted_or_empty(format: KnownFormat) -> RefOr<Schema> {
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(string(false).format(Some(SchemaFormat::KnownFormat(format))))
            .item(
                string(true)
                    .enum_values(Some([serde_json::Value::from(""), serde_json::Value::Null])),
            )
            .build(),
    ))
}

/// A moment to read from: an RFC 3339 date and time, a date (from its midnight UTC), or empty
/// for no bound.
pub fn since() -> RefOr<Schema> {
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(string(false).format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
            .item(string(false).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
            .item(string(false).enum_values(Some([serde_json::Value::from("")])))
            .build(),
    ))
}

/// An audit action (`tour.updated`) or its prefix (`tour.`): lower-case words and dots.
pub fn audit_action() -> RefOr<Schema> {
    done(
        string(false)
            .max_length(Some(64))
            .pattern(Some("^[a-z_.]*$")),
    )
}

/// A date, `YYYY-MM-DD`.
pub fn date() -> RefOr<Schema> {
    done(
        string(false)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .examples([serde_json::json!("2026-10-20")]),
    )
}

/// A whole number from 1 to `MAX` (capacities, targets).
pub fn count<const MAX: i64>() -> RefOr<Schema> {
    done(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(MAX)),
    )
}

/// An optional whole number from 1 to `MAX`.
pub fn optional_count<const MAX: i64>() -> RefOr<Schema> {
    done(
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::Integer,
                Type::Null,
            ]))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(MAX)),
    )
}

/// An optional score from `MIN` to `MAX` (a rating, a recommendation).
pub fn score<const MIN: i64, const MAX: i64>() -> RefOr<Schema> {
    done(
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::Integer,
                Type::Null,
            ]))
            .minimum(Some(MIN))
            .maximum(Some(MAX)),
    )
}

/// An optional word from a fixed list; empty or `null` means none.
pub fn optional_word(words: &[&str]) -> RefOr<Schema> {
    let mut all = vec![serde_json::Value::from(""), serde_json::Value::Null];
    all.extend(words.iter().map(|w| serde_json::Value::from(*w)));
    done(string(true).enum_values(Some(all)))
}

/// The attendee's company size: the number of employees (banded by the server) or a band.
pub fn company_size() -> RefOr<Schema> {
    let bands = crate::registrations::domain::COMPANY_SIZES;
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(crate::registrations::domain::MAX_HEADCOUNT))
                    .description(Some("the number of employees")),
            )
            .item(optional_word(bands))
            .description(Some(
                "The attendee's company: its number of employees, which the server bands \
                 (12 is stored as 6-20), or a band. Empty or null: not given.",
            ))
            .examples([serde_json::json!(12)])
            .build(),
    ))
}

/// A company size band, or none.
pub fn company_size_band() -> RefOr<Schema> {
    optional_word(crate::registrations::domain::COMPANY_SIZES)
}

/// The attendee's kind of partner, or none.
pub fn partner_type() -> RefOr<Schema> {
    optional_word(crate::registrations::domain::PARTNER_TYPES)
}

/// A language: `fr` or `en`, optionally with a region (`fr-FR`); empty or `null`: the tour's.
pub fn locale() -> RefOr<Schema> {
    done(
        string(true)
            .pattern(Some(r"^$|^([Ff][Rr]|[Ee][Nn])([-_][A-Za-z0-9]{1,8})*$"))
            .description(Some(
                "fr or en, optionally with a region (fr-FR); empty or null: the tour's language.",
            )),
    )
}

/// Consent to the use of one's data: only `true` is accepted.
pub fn consent() -> RefOr<Schema> {
    done(
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .description(Some(
                "Must be true: the attendee agrees to the use of their data for this event.",
            ))
            .enum_values(Some([true])),
    )
}

/// A tour's address word: lower-case letters, digits and inner `-`, at most 80 characters;
/// empty or `null`: made from the name.
pub fn slug() -> RefOr<Schema> {
    done(
        string(true)
            .max_length(Some(80))
            .pattern(Some("^$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"))
            .examples([serde_json::json!("rencontres-360-2026")]),
    )
}

/// The kind of an outcome (`certification_started`): lower-case letters, digits, `_` and `-`
/// inside, at most 80 characters.
pub fn outcome_kind() -> RefOr<Schema> {
    done(
        string(false)
            .max_length(Some(80))
            .pattern(Some("^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$"))
            .examples([serde_json::json!("certification_started")]),
    )
}

/// A tour's language, `fr` or `en`; empty or `null`: `fr`.
pub fn tour_locale() -> RefOr<Schema> {
    optional_word(&["fr", "en"])
}

fn timezone_names() -> Vec<serde_json::Value> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| serde_json::Value::from(tz.name()))
        .collect()
}

/// An IANA time zone name (`Europe/Paris`).
pub fn timezone() -> RefOr<Schema> {
    done(
        string(false)
            .enum_values(Some(timezone_names()))
            .examples([serde_json::json!("Europe/Paris")]),
    )
}

/// An IANA time zone name, or `null` to keep the stored one.
pub fn optional_timezone() -> RefOr<Schema> {
    let mut names = timezone_names();
    names.push(serde_json::Value::Null);
    done(string(true).enum_values(Some(names)))
}

/// Any text but NUL, which nothing stores (accounts' e-mail and password at log-in).
pub fn any_text() -> RefOr<Schema> {
    done(string(false).pattern(Some(r"^[^\x00]*$")))
}

/// A badge's text as scanned: any string gets a decision, NUL included.
pub fn badge_text() -> RefOr<Schema> {
    done(string(false).description(Some(
        "The QR code's text, whatever it is: any string gets a decision.",
    )))
}

/// A device's id for one scan: 1 to 64 printable ASCII characters; absent, the server makes one.
pub fn scan_id() -> RefOr<Schema> {
    done(
        string(false)
            .pattern(Some("^[\\x21-\\x7E]{1,64}$"))
            .description(Some(
                "The device's id for this scan; sending it again returns the same answer. \
                 Absent: the server makes one.",
            ))
            .examples([serde_json::json!("door-1-000042")]),
    )
}

/// The kind of a recorded outcome: a lower-case letter, then lower-case letters, digits and
/// `_`, at most 60 characters.
pub fn recorded_outcome_kind() -> RefOr<Schema> {
    done(
        string(false)
            .pattern(Some("^[a-z][a-z0-9_]{0,59}$"))
            .examples([serde_json::json!("certification_started")]),
    )
}

/// A CSV file: UTF-8 text (a byte-order mark is skipped) whose first line is `header`,
/// separated by `,` or by `;`.
pub fn text_starting_with(header: &[&str]) -> RefOr<Schema> {
    let (commas, semicolons) = (header.join(","), header.join(";"));
    done(string(false).pattern(Some(format!("^\\uFEFF?({commas}|{semicolons})(\\r?\\n|$)"))))
}

/// A webhook's target: an `http` or `https` URL.
pub fn webhook_url() -> RefOr<Schema> {
    done(
        string(false)
            .format(Some(SchemaFormat::Custom("uri".into())))
            .max_length(Some(crate::webhooks::target::MAX_URL))
            .pattern(Some("^https?://[^\\s/?#@]+([/?#][^\\s]*)?$"))
            .examples([serde_json::json!("https://crm.example.com/hooks/roadshow")]),
    )
}

/// A webhook secret: `whsec_` and the base64 of a key of 24 to 68 bytes; empty or `null`: one
/// is made.
pub fn webhook_secret() -> RefOr<Schema> {
    done(string(true).pattern(Some(
        "^$|^whsec_([A-Za-z0-9+/]{4}){8,22}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    )))
}
