//! The verdicts of a scan, and the checks on a scan request.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldErrors};

/// What the door decides about a badge. A decision is always a 200; only malformed requests
/// and authentication get 4xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    AlreadyCheckedIn,
    InvalidToken,
    UnknownRegistration,
    Cancelled,
    Waitlisted,
    WrongStop,
    NotEnrolled,
}

impl Verdict {
    /// The stored and serialised word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::AlreadyCheckedIn => "already_checked_in",
            Self::InvalidToken => "invalid_token",
            Self::UnknownRegistration => "unknown_registration",
            Self::Cancelled => "cancelled",
            Self::Waitlisted => "waitlisted",
            Self::WrongStop => "wrong_stop",
            Self::NotEnrolled => "not_enrolled",
        }
    }

    /// Parses a stored word.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Ok,
            Self::AlreadyCheckedIn,
            Self::InvalidToken,
            Self::UnknownRegistration,
            Self::Cancelled,
            Self::Waitlisted,
            Self::WrongStop,
            Self::NotEnrolled,
        ]
        .into_iter()
        .find(|v| v.as_str() == raw)
    }
}

/// A validated scan request.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// Whatever the QR code held: any string is decided upon, never refused.
    pub token: String,
    pub checkpoint_id: String,
    pub scan_id: String,
    /// False when the server made the scan id up: no earlier scan can have it.
    pub scan_id_from_client: bool,
    pub device_id: Option<String>,
    /// When the device saw the badge (UTC); `None` = now.
    pub scanned_at: Option<NaiveDateTime>,
}

/// The raw fields of a scan, as sent.
#[derive(Debug, Clone, Default)]
pub struct RawScan {
    pub token: Option<String>,
    pub checkpoint_id: Option<String>,
    pub scan_id: Option<String>,
    pub device_id: Option<String>,
    pub scanned_at: Option<String>,
}

impl RawScan {
    /// Checks the fields, recording errors under `prefix` (`scans[3].` in a batch).
    pub fn parse(self, prefix: &str, errors: &mut FieldErrors) -> Option<ScanRequest> {
        let token = self.token;
        if token.is_none() {
            errors.add(format!("{prefix}token"), "v.required");
        }
        let checkpoint_id = self
            .checkpoint_id
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if checkpoint_id.is_none() {
            errors.add(format!("{prefix}checkpoint_id"), "v.required");
        }
        let scan_id_from_client = self.scan_id.is_some();
        let scan_id = match self.scan_id.map(|s| s.trim().to_owned()) {
            None => Some(uuid::Uuid::new_v4().to_string()),
            Some(s)
                if !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Some(s)
            }
            Some(_) => {
                errors.add(
                    format!("{prefix}scan_id"),
                    "must be 1 to 64 printable characters",
                );
                None
            }
        };
        let scanned_at = match self
            .scanned_at
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => match crate::time::parse_rfc3339(raw) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.add(format!("{prefix}scanned_at"), e.key());
                    None
                }
            },
        };
        let device_id = self.device_id.map(|d| d.chars().take(64).collect());
        Some(ScanRequest {
            token: token?,
            checkpoint_id: checkpoint_id?,
            scan_id: scan_id?,
            scan_id_from_client,
            device_id,
            scanned_at,
        })
    }

    /// A single scan, all or nothing.
    pub fn parse_one(self) -> Result<ScanRequest, AppError> {
        let mut errors = FieldErrors::new();
        let parsed = self.parse("", &mut errors);
        match parsed {
            Some(scan) if errors.is_empty() => Ok(scan),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_words_round_trip() {
        for word in [
            "ok",
            "already_checked_in",
            "invalid_token",
            "unknown_registration",
            "cancelled",
            "waitlisted",
            "wrong_stop",
            "not_enrolled",
        ] {
            assert_eq!(Verdict::parse(word).map(Verdict::as_str), Some(word));
        }
    }

    #[test]
    fn a_scan_needs_a_token_field_and_a_checkpoint_but_any_token_text() {
        let ok = RawScan {
            token: Some(String::new()),
            checkpoint_id: Some("c".into()),
            ..RawScan::default()
        }
        .parse_one();
        assert!(ok.is_ok(), "an empty token is a decision, not an error");
        let missing = RawScan::default().parse_one();
        match missing {
            Err(AppError::Invalid(e)) => {
                assert!(e.get("token").is_some() && e.get("checkpoint_id").is_some());
            }
            other => panic!("{other:?}"),
        }
        let bad_time = RawScan {
            token: Some("x".into()),
            checkpoint_id: Some("c".into()),
            scanned_at: Some("yesterday".into()),
            ..RawScan::default()
        }
        .parse_one();
        assert!(bad_time.is_err());
    }
}
