//! Property tests of every parser that reads what a client sends: arbitrary strings and numbers
//! give a value or field errors (422), never a panic. No server: these are the domain types.

use chrono::NaiveDate;
use proptest::prelude::*;
use roadshow::badge::BadgeKeys;
use roadshow::checkin::domain::RawScan;
use roadshow::error::{AppError, FieldErrors};
use roadshow::feedback::service::{FeedbackAnswer, RawFeedback};
use roadshow::ids::{RegistrationId, StopId};
use roadshow::outcomes::service::{check_date, check_kind, parse_csv};
use roadshow::registrations::domain::{NewRegistration, RawRegistration};
use roadshow::tours::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, StopWindow, TimeInput,
};
use roadshow::validation::{EmailAddress, multiline_text, optional_text, required_text};

/// Any text, weighted towards what breaks parsers: controls, NUL, separators, accents, huge.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t\r\n\0\u{2028}\u{85}a-zé€-]{0,40}",
        Just(String::new()),
        Just("x".repeat(6000)),
        Just("2026-10-13T09:14:00+02:00".to_owned()),
        Just("Europe/Paris".to_owned()),
    ]
}

fn maybe() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(nasty())
}

/// A parser's failure must be a 422 with field errors, nothing else.
fn field_errors_only<T>(result: Result<T, AppError>) -> Result<(), TestCaseError> {
    match result {
        Ok(_) => Ok(()),
        Err(AppError::Invalid(errors)) => {
            prop_assert!(!errors.is_empty(), "a 422 names at least one field");
            Ok(())
        }
        Err(other) => Err(TestCaseError::fail(format!("not a field error: {other:?}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn registrations_parse_or_name_fields(
        first_name in nasty(), last_name in nasty(), email in nasty(), company in nasty(),
        job_title in maybe(), company_size in maybe(), partner_id in maybe(),
        partner_type in maybe(), locale in maybe(), consent in any::<Option<bool>>(),
        workshops in proptest::collection::vec(nasty(), 0..40),
    ) {
        let parsed = NewRegistration::parse(RawRegistration {
            first_name, last_name, email, company, job_title, company_size, partner_id,
            partner_type, locale, consent, workshops,
        });
        if let Ok(new) = &parsed {
            // What is accepted is fit for an e-mail header and for PostgreSQL.
            for text in [&new.first_name, &new.last_name, &new.company, &new.job_title] {
                prop_assert!(roadshow::validation::is_single_line(text), "{text:?}");
            }
            prop_assert!(new.workshops.len() <= 32);
        }
        field_errors_only(parsed)?;
    }

    #[test]
    fn tours_stops_and_workshops_parse_or_name_fields(
        name in nasty(), slug in maybe(), description in maybe(), default_locale in maybe(),
        outcome in nasty(), value in any::<i64>(), city in nasty(), venue in nasty(),
        address in maybe(), timezone in nasty(), starts_at in nasty(), ends_at in nasty(),
        capacity in any::<Option<i64>>(), closes in maybe(), local in any::<bool>(),
    ) {
        let format = if local { TimeInput::Local } else { TimeInput::Rfc3339 };
        field_errors_only(NewTour::try_from(RawTour {
            published: false,
            name: name.clone(), slug, description, default_locale,
            targets: vec![RawTarget { outcome, value }],
        }))?;
        field_errors_only(NewStop::parse(RawStop {
            city, venue, address, timezone, starts_at: starts_at.clone(),
            ends_at: ends_at.clone(), capacity, registration_closes_at: closes,
        }, format))?;
        let day = NaiveDate::from_ymd_opt(2026, 10, 13).and_then(|d| d.and_hms_opt(7, 0, 0));
        let (Some(start), Some(end)) = (day, day.map(|d| d + chrono::Duration::hours(10))) else {
            return Err(TestCaseError::fail("a fixed day"));
        };
        field_errors_only(NewWorkshop::parse(RawWorkshop {
            title: name, room: None, trainer: None, starts_at, ends_at, capacity,
            specialist_label: false,
        }, StopWindow { timezone: chrono_tz::Europe::Paris, starts_at: start, ends_at: end }, format))?;
    }

    #[test]
    fn scans_parse_or_name_fields(
        token in maybe(), checkpoint_id in maybe(), scan_id in maybe(), device_id in maybe(),
        scanned_at in maybe(),
    ) {
        let raw = RawScan { token, checkpoint_id, scan_id, device_id, scanned_at };
        field_errors_only(raw.parse_one())?;
    }

    #[test]
    fn feedback_parses_or_names_fields(
        overall in any::<Option<i64>>(), trainers in any::<Option<i64>>(),
        content in any::<Option<i64>>(), nps in any::<Option<i64>>(),
        themes in proptest::collection::vec(nasty(), 0..30), comment in maybe(),
    ) {
        field_errors_only(FeedbackAnswer::parse(RawFeedback {
            overall, trainers, content, nps, themes, comment, notify_me: false,
        }))?;
    }

    #[test]
    fn texts_emails_kinds_dates_and_csv_never_panic(raw in nasty(), max in 0usize..300) {
        let mut errors = FieldErrors::new();
        required_text(&mut errors, "a", &raw, max);
        optional_text(&mut errors, "b", Some(&raw), max);
        multiline_text(&mut errors, "c", Some(&raw), max);
        let _ = EmailAddress::parse(&raw);
        let _ = check_kind(&raw);
        let _ = check_date(&raw);
        let _ = roadshow::time::parse_rfc3339(&raw);
        let _ = roadshow::time::parse_timezone(&raw);
        let file = format!("email,stop_id,kind,occurred_on\n{raw}\n{raw}");
        let (lines, report) = parse_csv(&file);
        // At most one verdict per line of the file.
        prop_assert!(lines.len() + report.errors.len() <= file.split(['\n', '\r']).count());
    }

    #[test]
    fn badge_and_link_tokens_are_verified_or_refused(raw in nasty()) {
        let keys = BadgeKeys::from_seed([7; 32]);
        prop_assert!(keys.verify(&raw).is_none(), "only a token we signed verifies");
        prop_assert!(keys.open_link_token("manage", &raw).is_none());
        prop_assert!(keys.open_link_token("feedback", &raw).is_none());
    }

    #[test]
    fn a_signed_badge_survives_and_any_change_is_refused(
        stop in any::<u128>(), registration in any::<u128>(), at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let keys = BadgeKeys::from_seed([7; 32]);
        let stop = StopId::from(uuid::Uuid::from_u128(stop).to_string());
        let registration = RegistrationId::from(uuid::Uuid::from_u128(registration).to_string());
        let token = keys.sign(&stop, &registration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(keys.verify(&token).is_some());
        let mut bytes = token.clone().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(changed) = String::from_utf8(bytes)
            && changed != token
        {
            prop_assert!(keys.verify(&changed).is_none(), "{changed}");
        }
    }
}
