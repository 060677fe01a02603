//! The verdicts of a scan, and the checks on a scan request.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldErrors};
use crate::ids::CheckpointId;

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
    pub checkpoint_id: CheckpointId,
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
        // Not trimmed: a space is not one of the printable characters an id is made of.
        let scan_id = match self.scan_id {
            // Time-ordered, so that the scans' primary key grows at its end rather than at a
            // random page of the index for every scan.
            None => Some(uuid::Uuid::now_v7().to_string()),
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
            checkpoint_id: checkpoint_id?.into(),
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

/// How long before its stop starts a scan may claim to have been made: crews test scanners and
/// let early helpers in the evening before, never days before.
pub const SCAN_BEFORE_STOP_HOURS: i64 = 12;

/// How long an offline scanner may hold a scan before syncing it: a phone that went dark on the
/// day syncs within a weekend, not weeks later.
pub const SCAN_SYNC_DAYS: i64 = 3;

/// Why a device's claimed scan time was not believed (a closed set, for the metric's label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanTimeRejection {
    /// Earlier than the stop's start minus [`SCAN_BEFORE_STOP_HOURS`].
    BeforeStop,
    /// More than [`SCAN_SYNC_DAYS`] before the scan reached the server.
    TooOld,
}

impl ScanTimeRejection {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BeforeStop => "before_stop",
            Self::TooOld => "too_old",
        }
    }
}

/// When a scan counts as made. A device's clock is trusted only within the stop's day and a
/// short offline window: a claim in the future becomes the arrival time (clocks run ahead), and
/// an implausibly early claim becomes the arrival time too, with the reason, so that one badly
/// set phone can neither move a check-in to another year nor stretch the arrival charts.
pub fn scan_time(
    claimed: Option<NaiveDateTime>,
    stop_starts_at: NaiveDateTime,
    received_at: NaiveDateTime,
) -> (NaiveDateTime, Option<ScanTimeRejection>) {
    let Some(claimed) = claimed else {
        return (received_at, None);
    };
    if claimed >= received_at {
        (received_at, None)
    } else if claimed < stop_starts_at - Duration::hours(SCAN_BEFORE_STOP_HOURS) {
        (received_at, Some(ScanTimeRejection::BeforeStop))
    } else if claimed < received_at - Duration::days(SCAN_SYNC_DAYS) {
        (received_at, Some(ScanTimeRejection::TooOld))
    } else {
        (claimed, None)
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

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 10, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .expect("a valid time")
    }

    #[test]
    fn a_claimed_scan_time_is_believed_only_on_the_stop_s_day_and_shortly_before_arrival() {
        let starts = at(13, 7);
        let cases = [
            // (claimed, received, counted, rejection)
            (None, at(13, 9), at(13, 9), None),
            (Some(at(13, 8)), at(13, 9), at(13, 8), None),
            // The evening before the stop (12 h margin) is still the stop's day.
            (Some(at(12, 19)), at(13, 9), at(12, 19), None),
            // A clock running ahead: the arrival time, not a rejection.
            (Some(at(13, 10)), at(13, 9), at(13, 9), None),
            (
                Some(at(12, 18)),
                at(13, 9),
                at(13, 9),
                Some(ScanTimeRejection::BeforeStop),
            ),
            (
                Some(at(1, 0) - Duration::days(3650)),
                at(13, 9),
                at(13, 9),
                Some(ScanTimeRejection::BeforeStop),
            ),
            // Synced four days after the day: too old to believe.
            (
                Some(at(13, 8)),
                at(17, 9),
                at(17, 9),
                Some(ScanTimeRejection::TooOld),
            ),
            (Some(at(13, 8)), at(16, 7), at(13, 8), None),
        ];
        for (claimed, received, counted, rejection) in cases {
            assert_eq!(
                scan_time(claimed, starts, received),
                (counted, rejection),
                "{claimed:?} received {received}"
            );
        }
    }
}
