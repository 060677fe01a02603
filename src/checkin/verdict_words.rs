//! The words of the scanner: the verdict panel of the page, in the page's language, and the
//! same words handed to `scanner.js`, which decides offline.

use std::collections::BTreeMap;

use super::domain::Verdict;
use super::service::{self, ScanOutcome};
use crate::i18n::Locale;
use crate::time::{display_date, display_time};

/// What the big coloured panel says.
pub struct VerdictView {
    /// `ok`, `warn` or `stop`: the colour.
    pub tone: &'static str,
    pub result: &'static str,
    pub title: String,
    pub detail: String,
}

/// The tone and words of a verdict, in the page's language.
pub fn verdict_view(
    locale: Locale,
    outcome: &ScanOutcome,
    elsewhere: &service::Elsewhere,
    tz: chrono_tz::Tz,
) -> VerdictView {
    let who = outcome.registration.as_ref().map(|r| {
        (
            format!("{} {}", r.first_name, r.last_name),
            r.company.clone(),
        )
    });
    let (name, company) = who.unwrap_or_default();
    let (tone, title, detail) = match outcome.verdict {
        Verdict::Ok => (
            "ok",
            format!("{} {name}", locale.t("scan.welcome")),
            company,
        ),
        Verdict::AlreadyCheckedIn => (
            "warn",
            match outcome.first_scanned_at {
                Some(first) => format!("{} {}", locale.t("scan.already"), display_time(first, tz)),
                None => locale.t("scan.already_in").to_owned(),
            },
            format!("{name} — {company}"),
        ),
        Verdict::Waitlisted => (
            "stop",
            locale.t("scan.waitlisted").to_owned(),
            format!("{name} — {company}"),
        ),
        Verdict::Cancelled => (
            "stop",
            locale.t("scan.cancelled").to_owned(),
            format!("{name} — {company}"),
        ),
        Verdict::NotEnrolled => (
            "stop",
            not_enrolled_title(locale, elsewhere.workshop.as_ref()),
            format!(
                "{name} — {company} · {}",
                enrolled_instead(locale, elsewhere.enrolled_instead.as_ref(), tz)
            ),
        ),
        Verdict::WrongStop => (
            "stop",
            wrong_stop_title(locale, elsewhere.badge_stop.as_ref()),
            name,
        ),
        Verdict::UnknownRegistration => (
            "stop",
            locale.t("scan.unknown_registration").to_owned(),
            String::new(),
        ),
        Verdict::InvalidToken => (
            "stop",
            locale.t("scan.invalid_token").to_owned(),
            String::new(),
        ),
    };
    VerdictView {
        tone,
        result: outcome.verdict.as_str(),
        title,
        detail,
    }
}

/// "Not enrolled in the workshop “Cloud”", naming this room's workshop when known.
fn not_enrolled_title(locale: Locale, workshop: Option<&crate::tours::store::Workshop>) -> String {
    match workshop {
        Some(w) => format!(
            "{} {}",
            locale.t("scan.not_enrolled_in"),
            locale.quote(&w.title)
        ),
        None => locale.t("scan.not_enrolled").to_owned(),
    }
}

/// "Badge for the stop in Lyon (Tue 20 Oct 2026)", when the badge's stop is known.
fn wrong_stop_title(locale: Locale, stop: Option<&crate::tours::store::Stop>) -> String {
    match stop {
        Some(stop) => format!(
            "{} {} ({})",
            locale.t("scan.wrong_stop_of"),
            stop.city,
            display_date(stop.starts_at, stop.timezone.tz(), locale)
        ),
        None => locale.t("scan.wrong_stop").to_owned(),
    }
}

/// "expected at 11:00 “Cloud” (Salle 2)", or that they have no workshop then.
fn enrolled_instead(
    locale: Locale,
    workshop: Option<&crate::tours::store::Workshop>,
    tz: chrono_tz::Tz,
) -> String {
    match workshop {
        Some(w) => format!(
            "{} {} {} ({})",
            locale.t("scan.enrolled_instead"),
            display_time(w.starts_at, tz),
            locale.quote(&w.title),
            w.room
        ),
        None => locale.t("scan.no_workshop_then").to_owned(),
    }
}

/// The verdict words for `scanner.js`, in the page's language (JSON).
pub fn texts_json(locale: Locale) -> String {
    let keys = [
        "scan.welcome",
        "scan.already",
        "scan.waitlisted",
        "scan.cancelled",
        "scan.not_enrolled",
        "scan.wrong_stop",
        "scan.wrong_stop_of",
        "scan.not_enrolled_in",
        "scan.enrolled_instead",
        "scan.no_workshop_then",
        "scan.already_in",
        "scan.unknown_registration",
        "scan.invalid_token",
        "scan.offline",
        "scan.waiting",
        "scan.synced",
        "scan.duplicates",
        "scan.undo",
        "scan.camera_error",
        "scan.nobody",
        "scan.found_offline",
        "status.confirmed",
        "status.waitlisted",
        "status.cancelled",
        "verdict.ok",
        "verdict.already_checked_in",
        "verdict.invalid_token",
        "verdict.unknown_registration",
        "verdict.cancelled",
        "verdict.waitlisted",
        "verdict.wrong_stop",
        "verdict.not_enrolled",
    ];
    let map: BTreeMap<&str, &str> = keys.iter().map(|k| (*k, locale.t(k))).collect();
    // Safe inside <script type="application/json">: no "</" can appear after escaping.
    serde_json::to_string(&map)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace("</", "<\\/")
}
