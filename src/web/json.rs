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
                return Err(AppError::BadRequest(
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
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
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
                    return AppError::BadRequest(format!(
                        "the body must be a JSON object: {message}"
                    ));
                } else {
                    errors.add(path, message.to_owned());
                }
                AppError::Invalid(errors)
            }
            _ => AppError::BadRequest(format!("malformed JSON: {inner}")),
        }
    })?;
    // Trailing garbage after the JSON value is malformed input too.
    de.end()
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
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
}
