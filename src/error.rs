//! One error taxonomy for the whole service, shown as problem+json (RFC 9457) under `/api`
//! and as an HTML page elsewhere (see `web::PageError`).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Per-field messages for invalid input, keyed by the field's name in the request.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message for `field`; the first message for a field wins.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// The message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when there are no errors, `Err(AppError::Invalid)` otherwise.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(AppError::Invalid(self))
        }
    }

    /// The messages in `locale` (catalogue keys are translated, other text is kept).
    pub fn localized(&self, locale: crate::i18n::Locale) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(field, message)| (field.clone(), locale.t(message).to_owned()))
            .collect()
    }

    /// Iterates over `(field, message)`.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }
}

/// Every way a request can fail, each with its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read at all (malformed JSON, a query that does not parse).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credentials, or credentials that are wrong or expired.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// 404: the named thing does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405: the path exists, not with this method; `Allow` lists the methods it has.
    #[error("this path answers only {}", .0.join(", "))]
    MethodNotAllowed(Vec<&'static str>),
    /// 409: the request conflicts with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than we accept.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 415: the body is not of the media type the operation reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: field values that do not pass validation.
    #[error("some fields are invalid")]
    Invalid(FieldErrors),
    /// 429: too many requests from this client.
    #[error("too many requests, try again in a minute")]
    TooManyRequests,
    /// 503: the database is out of reach.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// 500: a bug or an outage; details go to the log only.
    #[error("unexpected error")]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// An `Invalid` error with a single field message.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::Invalid(errors)
    }

    /// The problem `type` slug (also used to pick the page's message).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad-request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Invalid(_) => "invalid-fields",
            Self::TooManyRequests => "rate-limited",
            Self::Unavailable(_) => "unavailable",
            Self::Unexpected(_) => "internal",
        }
    }

    /// A short title per kind, as RFC 9457 suggests.
    pub fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "Malformed request",
            Self::Unauthorized(_) => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::NotFound(_) => "Not found",
            Self::MethodNotAllowed(_) => "Method not allowed",
            Self::Conflict(_) => "Conflict",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType(_) => "Unsupported media type",
            Self::Invalid(_) => "Invalid fields",
            Self::TooManyRequests => "Too many requests",
            Self::Unavailable(_) => "Service unavailable",
            Self::Unexpected(_) => "Internal error",
        }
    }

    /// Logs server-side failures once, with their cause chain, where the response is built.
    pub(crate) fn log(&self) {
        match self {
            Self::Unexpected(e) => tracing::error!(error = ?e, "request failed"),
            Self::Unavailable(e) => tracing::warn!(error = %e, "database unavailable"),
            _ => {}
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => Self::NotFound("record"),
            // PostgreSQL refuses NUL in text. Requests are checked for it before (paths,
            // queries, JSON, fields); this is the net under those checks, so that a value that
            // slipped through is the client's 400, not a 500.
            diesel::result::Error::DatabaseError(_, ref info)
                if info.message().contains("invalid byte sequence") =>
            {
                Self::BadRequest("text may not contain NUL characters".into())
            }
            // The server went away (a restart): the pool drops the connection (`db::liveness`)
            // and the client may try again.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ClosedConnection
                | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                ref info,
            ) => Self::Unavailable(format!("database connection lost: {}", info.message())),
            other => Self::Unexpected(anyhow::Error::new(other).context("database query")),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For invalid input: each bad field and its message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, String>>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let status = self.status_code();
        let problem = Problem {
            kind: format!("https://roadshow.example/problems/{}", self.kind()),
            title: self.title().to_owned(),
            status: status.as_u16(),
            // A 500 never shows its cause; it is in the log.
            detail: self.to_string(),
            errors: match self {
                // The API speaks English; pages translate the same keys themselves.
                Self::Invalid(errors) => Some(errors.localized(crate::i18n::Locale::En)),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if matches!(self, Self::Unauthorized(_)) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let Self::MethodNotAllowed(methods) = self {
            response.insert_header(("Allow", methods.join(", ")));
        }
        if matches!(self, Self::TooManyRequests) {
            response.insert_header(("Retry-After", "60"));
        }
        response.json(problem)
    }
}
