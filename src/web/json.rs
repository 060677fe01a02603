//! `ApiJson<T>`: a JSON body whose problems are told precisely — malformed JSON is a 400,
//! a missing or wrongly typed field a 422 naming the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldErrors};

/// The largest JSON body accepted (1 MB strings must get field errors, not a dropped connection).
pub const JSON_LIMIT: usize = 2 * 1024 * 1024;

/// A deserialised JSON body.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType(
                    "expected a JSON body (Content-Type: application/json)".into(),
                ));
            }
            let bytes = body.await.map_err(payload_error)?;
            parse(&bytes).map(ApiJson)
        })
    }
}

/// A raw body (a CSV file, say) whose read errors are problem+json like every API error.
#[derive(Debug)]
pub struct ApiBytes(pub web::Bytes);

impl FromRequest for ApiBytes {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move { body.await.map(ApiBytes).map_err(payload_error) })
    }
}

fn payload_error(err: actix_web::Error) -> AppError {
    if err.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("could not read the body: {err}"))
    }
}

/// Parses a body, turning serde's message into a 400 (syntax) or a field error (data).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // Every body of this API is an object; an array would otherwise fill a struct by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    // PostgreSQL cannot store NUL and nothing here needs it: any string holding one is refused
    // by name, whatever field it is in (an id, a token, a search). JSON can only carry it as
    // an escape, so the common case costs one scan of the bytes.
    if contains_nul_escape(bytes)
        && let Ok(whole) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some(field) = field_with_nul(&whole, "")
    {
        return Err(AppError::invalid(&field, "v.control_chars"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize(&mut de) {
        // JSON has one number type: `4.0` is the integer 4 to JSON Schema and to many clients'
        // encoders. Read again, with whole floats made integers, only when one was refused.
        Err(err)
            if err
                .inner()
                .to_string()
                .starts_with("invalid type: floating point") =>
        {
            let mut whole = serde_json::from_slice::<serde_json::Value>(bytes)
                .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
            integral_floats_as_integers(&mut whole);
            return serde_path_to_error::deserialize(whole).map_err(|err| {
                let path = err.path().to_string();
                data_error(path, err.into_inner().to_string())
            });
        }
        other => other,
    };
    let value = value.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => data_error(path, inner.to_string()),
            _ => AppError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    // Trailing garbage after the JSON value is malformed input too.
    de.end()
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// A data error (a missing field, a wrong type) as a 422 naming the field.
fn data_error(path: String, message: String) -> AppError {
    let message = message.split(" at line ").next().unwrap_or_default();
    let mut errors = FieldErrors::new();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        let field = if path == "." {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        errors.add(field, "v.required");
    } else if path == "." {
        return AppError::BadRequest(format!("the body must be a JSON object: {message}"));
    } else {
        errors.add(path, message.to_owned());
    }
    AppError::Invalid(errors)
}

/// A JSON number as a whole number: `12` and `12.0` alike (JSON Schema's `integer`), `None`
/// for a fraction or beyond `i64`.
pub fn whole_number(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        // Exact: below 2^53 every whole f64 is an integer i64 holds.
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// Makes every float without a fractional part that fits an `i64` an integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(whole) = whole_number(n) {
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

fn contains_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == b"\\u0000")
}

/// Fields that take any string by contract and never reach the database: a scanned badge
/// `token` (API.md: "any string … gets this decision, not a 4xx").
const ANY_TEXT_FIELDS: &[&str] = &["token"];

/// The path (`scans[3].checkpoint_id`) of the first string, or key, holding a NUL.
fn field_with_nul(value: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let field = path.rsplit(['.', ']']).next().unwrap_or(path);
            (s.contains('\0') && !ANY_TEXT_FIELDS.contains(&field)).then(|| path.to_owned())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| field_with_nul(item, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                return Some(here);
            }
            field_with_nul(item, &here)
        }),
        _ => None,
    }
}

/// Turns actix's own JSON extractor errors into problem+json (for any `web::Json` left).
pub fn json_config_error(
    err: actix_web::error::JsonPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    match err {
        actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
        | actix_web::error::JsonPayloadError::Overflow { .. } => AppError::PayloadTooLarge.into(),
        other => AppError::BadRequest(other.to_string()).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        city: String,
        capacity: i64,
    }

    #[test]
    fn a_whole_float_is_an_integer_and_a_fraction_is_a_field_error() {
        let body: Body = parse(br#"{"city": "Lyon", "capacity": 120.0}"#).expect("120.0 is 120");
        assert_eq!(body.capacity, 120);
        let body: Body = parse(br#"{"city": "Lyon", "capacity": 1.2e2}"#).expect("1.2e2 is 120");
        assert_eq!(body.capacity, 120);
        for fraction in [
            &br#"{"city": "Lyon", "capacity": 120.5}"#[..],
            br#"{"city": "Lyon", "capacity": 1e300}"#,
        ] {
            match parse::<Body>(fraction) {
                Err(AppError::Invalid(errors)) => {
                    assert!(
                        errors
                            .localized(crate::i18n::Locale::En)
                            .contains_key("capacity")
                    )
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn syntax_is_400_and_data_is_422_by_field() {
        let cases: [(&str, Option<(&str, &str)>); 5] = [
            (r#"{"city": "Lyon", "capacity": "#, None),
            (r#"[1, 2]"#, None),
            (r#"{"city": "Lyon"}"#, Some(("capacity", "v.required"))),
            (
                r#"{"city": "Lyon", "capacity": "many"}"#,
                Some(("capacity", "invalid type")),
            ),
            (
                r#"{"city": 3, "capacity": 1}"#,
                Some(("city", "invalid type")),
            ),
        ];
        for (body, expected) in cases {
            let result = parse::<Body>(body.as_bytes());
            check(body, result, expected);
        }
    }

    #[test]
    fn a_nul_anywhere_is_refused_by_its_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Scans {
            scans: Vec<serde_json::Value>,
        }
        let body = r#"{"scans": [{"checkpoint_id": "A"}, {"checkpoint_id": "B\u0000C"}]}"#;
        check(
            body,
            parse::<Scans>(body.as_bytes()).map(|_| ()),
            Some(("scans[1].checkpoint_id", "v.control_chars")),
        );
        // A badge token is decided upon whatever it holds (`invalid_token`), never refused.
        let body = r#"{"scans": [{"token": "\u0000"}]}"#;
        assert!(parse::<Scans>(body.as_bytes()).is_ok());
        let body = r#"{"city": "Lyon\u0000", "capacity": 1}"#;
        check(
            body,
            parse::<Body>(body.as_bytes()).map(|_| ()),
            Some(("city", "v.control_chars")),
        );
    }

    fn check<T: std::fmt::Debug>(
        body: &str,
        result: Result<T, AppError>,
        expected: Option<(&str, &str)>,
    ) {
        match (result, expected) {
            (Err(AppError::BadRequest(_)), None) => {}
            (Err(AppError::Invalid(errors)), Some((field, start))) => {
                let message = errors.get(field).unwrap_or_default();
                assert!(message.starts_with(start), "{body}: {field} -> {message}");
            }
            (other, _) => panic!("{body}: unexpected {other:?}"),
        }
    }
}
