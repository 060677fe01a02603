//! Validated set-up input: tours with targets, stops, workshops. No HTTP, no SQL.

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::time::{self, TimeError};
use crate::validation::{
    bounded_list, multiline_text, optional_text, positive_count, required_text,
};

/// Largest capacity accepted for a stop or a workshop.
pub const MAX_CAPACITY: i64 = 100_000;

/// Most targets a tour may have (each is checked against the others).
pub const MAX_TARGETS: usize = 20;

/// A tour target as typed: `{"outcome": "certification_started", "value": 550}`.
#[derive(Debug, Clone)]
pub struct RawTarget {
    pub outcome: String,
    pub value: i64,
}

/// A tour as typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawTour {
    pub name: String,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub default_locale: Option<String>,
    pub targets: Vec<RawTarget>,
    /// Public once saved (else a draft).
    pub published: bool,
}

/// A validated tour.
#[derive(Debug, Clone)]
pub struct NewTour {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub default_locale: Locale,
    pub targets: Vec<(String, i32)>,
    pub published: bool,
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

impl TryFrom<RawTour> for NewTour {
    type Error = AppError;

    fn try_from(raw: RawTour) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let name = required_text(&mut errors, "name", &raw.name, 200);
        let slug = match raw.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                if !is_slug(s) {
                    errors.add("slug", "v.slug");
                }
                s.to_owned()
            }
            None => {
                let mut made = slug::slugify(&name);
                made.truncate(80);
                made.trim_end_matches('-').to_owned()
            }
        };
        let description =
            multiline_text(&mut errors, "description", raw.description.as_deref(), 5000);
        let default_locale = match raw.default_locale.as_deref().map(str::trim) {
            None | Some("") => Locale::Fr,
            Some("fr") => Locale::Fr,
            Some("en") => Locale::En,
            Some(_) => {
                errors.add("default_locale", "v.locale");
                Locale::Fr
            }
        };
        let mut targets: Vec<(String, i32)> = Vec::new();
        let targets_in_bounds = bounded_list(&mut errors, "targets", &raw.targets, MAX_TARGETS);
        for (i, target) in raw.targets.iter().enumerate().filter(|_| targets_in_bounds) {
            let outcome = target.outcome.trim();
            if !is_slug(&outcome.replace('_', "-")) {
                errors.add(
                    format!("targets[{i}].outcome"),
                    "must be a word such as certification_started",
                );
            } else if targets.iter().any(|(o, _)| o == outcome) {
                errors.add(format!("targets[{i}].outcome"), "is listed twice");
            }
            let value = positive_count(
                &mut errors,
                &format!("targets[{i}].value"),
                target.value,
                1_000_000,
            );
            targets.push((outcome.to_owned(), value));
        }
        errors.into_result(|| Self {
            name,
            slug,
            description,
            default_locale,
            targets,
            published: raw.published,
        })
    }
}

/// How the times of a form are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeInput {
    /// RFC 3339 with an offset (the API).
    Rfc3339,
    /// The stop's wall clock, `YYYY-MM-DDTHH:MM` (the pages' `datetime-local`).
    Local,
}

fn parse_time(
    errors: &mut FieldErrors,
    field: &str,
    raw: &str,
    tz: Option<Tz>,
    format: TimeInput,
) -> Option<NaiveDateTime> {
    if raw.trim().is_empty() {
        errors.add(field, "v.required");
        return None;
    }
    let parsed = match format {
        TimeInput::Rfc3339 => time::parse_rfc3339(raw),
        // Without a valid zone the local time cannot be placed; the zone's own error says why.
        TimeInput::Local => match tz {
            Some(tz) => time::parse_local(raw, tz),
            None => return None,
        },
    };
    match parsed {
        Ok(t) => Some(t),
        Err(e @ (TimeError::Malformed | TimeError::Gap)) => {
            errors.add(field, e.key());
            None
        }
    }
}

/// A stop as typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawStop {
    pub city: String,
    pub venue: String,
    pub address: Option<String>,
    pub timezone: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: Option<i64>,
    pub registration_closes_at: Option<String>,
}

/// A validated stop.
#[derive(Debug, Clone)]
pub struct NewStop {
    pub city: String,
    pub venue: String,
    pub address: String,
    pub timezone: Tz,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    pub registration_closes_at: Option<NaiveDateTime>,
}

impl NewStop {
    /// Validates every field and reports all problems at once.
    pub fn parse(raw: RawStop, format: TimeInput) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let city = required_text(&mut errors, "city", &raw.city, 120);
        let venue = required_text(&mut errors, "venue", &raw.venue, 200);
        let address = optional_text(&mut errors, "address", raw.address.as_deref(), 500);
        let timezone = time::parse_timezone(&raw.timezone);
        if raw.timezone.trim().is_empty() {
            errors.add("timezone", "v.required");
        } else if timezone.is_none() {
            errors.add("timezone", "v.timezone");
        }
        let starts_at = parse_time(&mut errors, "starts_at", &raw.starts_at, timezone, format);
        let ends_at = parse_time(&mut errors, "ends_at", &raw.ends_at, timezone, format);
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            errors.add("ends_at", "v.after_start");
        }
        let capacity = match raw.capacity {
            Some(c) => positive_count(&mut errors, "capacity", c, MAX_CAPACITY),
            None => {
                errors.add("capacity", "v.required");
                0
            }
        };
        let registration_closes_at = match raw.registration_closes_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(value) => parse_time(
                &mut errors,
                "registration_closes_at",
                value,
                timezone,
                format,
            ),
        };
        if let (Some(closes), Some(e)) = (registration_closes_at, ends_at)
            && closes > e
        {
            errors.add("registration_closes_at", "v.before_end");
        }
        match (timezone, starts_at, ends_at) {
            (Some(timezone), Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok(Self {
                city,
                venue,
                address,
                timezone,
                starts_at,
                ends_at,
                capacity,
                registration_closes_at,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// A workshop as typed, before validation.
#[derive(Debug, Clone, Default)]
pub struct RawWorkshop {
    pub title: String,
    pub room: Option<String>,
    pub trainer: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: Option<i64>,
    pub specialist_label: bool,
}

/// A validated workshop, within its stop's day.
#[derive(Debug, Clone)]
pub struct NewWorkshop {
    pub title: String,
    pub room: String,
    pub trainer: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: i32,
    /// Part of the specialist-label track.
    pub specialist_label: bool,
}

/// What a workshop must fit in.
#[derive(Debug, Clone, Copy)]
pub struct StopWindow {
    pub timezone: Tz,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl NewWorkshop {
    /// Validates every field against the stop it belongs to.
    pub fn parse(raw: RawWorkshop, stop: StopWindow, format: TimeInput) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let title = required_text(&mut errors, "title", &raw.title, 200);
        let room = optional_text(&mut errors, "room", raw.room.as_deref(), 120);
        let trainer = optional_text(&mut errors, "trainer", raw.trainer.as_deref(), 200);
        let tz = Some(stop.timezone);
        let starts_at = parse_time(&mut errors, "starts_at", &raw.starts_at, tz, format);
        let ends_at = parse_time(&mut errors, "ends_at", &raw.ends_at, tz, format);
        if let Some(s) = starts_at
            && (s < stop.starts_at || s >= stop.ends_at)
        {
            errors.add("starts_at", "v.within_stop");
        }
        if let Some(e) = ends_at
            && e > stop.ends_at
        {
            errors.add("ends_at", "v.within_stop");
        }
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e <= s
        {
            errors.add("ends_at", "v.after_start");
        }
        let capacity = match raw.capacity {
            Some(c) => positive_count(&mut errors, "capacity", c, MAX_CAPACITY),
            None => {
                errors.add("capacity", "v.required");
                0
            }
        };
        match (starts_at, ends_at) {
            (Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok(Self {
                title,
                room,
                trainer,
                starts_at,
                ends_at,
                capacity,
                specialist_label: raw.specialist_label,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// How long before its start a workshop counts as the one "now" in its room: people queue at
/// the door a little before it begins.
const ABOUT_TO_START: chrono::Duration = chrono::Duration::minutes(15);

/// Whether `at` falls in the time a workshop's room is its own: from 15 minutes before it
/// starts until it ends. The scanner list marks it "now"; a scan at that room is for it.
pub fn holds_room(starts_at: NaiveDateTime, ends_at: NaiveDateTime, at: NaiveDateTime) -> bool {
    starts_at - ABOUT_TO_START <= at && at < ends_at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(overrides: impl FnOnce(&mut RawStop)) -> Result<NewStop, AppError> {
        let mut raw = RawStop {
            city: "Strasbourg".into(),
            venue: "Palais de la Musique et des Congrès".into(),
            address: None,
            timezone: "Europe/Paris".into(),
            starts_at: "2026-10-13T09:00:00+02:00".into(),
            ends_at: "2026-10-13T17:30:00+02:00".into(),
            capacity: Some(400),
            registration_closes_at: None,
        };
        overrides(&mut raw);
        NewStop::parse(raw, TimeInput::Rfc3339)
    }

    fn field_error(result: Result<NewStop, AppError>, field: &str) -> String {
        match result {
            Err(AppError::Invalid(errors)) => errors.get(field).unwrap_or("(none)").to_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_valid_stop_parses() {
        let stop = stop(|_| {}).expect("valid");
        assert_eq!(stop.starts_at.to_string(), "2026-10-13 07:00:00");
        assert_eq!(stop.capacity, 400);
    }

    #[test]
    fn invalid_stops_name_the_field() {
        type Change = Box<dyn FnOnce(&mut RawStop)>;
        let cases: Vec<(&str, Change, &str)> = vec![
            (
                "capacity",
                Box::new(|r| r.capacity = Some(-5)),
                "v.positive",
            ),
            ("capacity", Box::new(|r| r.capacity = Some(0)), "v.positive"),
            ("capacity", Box::new(|r| r.capacity = None), "v.required"),
            (
                "timezone",
                Box::new(|r| r.timezone = "Europe/Atlantis".into()),
                "v.timezone",
            ),
            (
                "ends_at",
                Box::new(|r| r.ends_at = "2026-10-13T08:00:00+02:00".into()),
                "v.after_start",
            ),
            ("city", Box::new(|r| r.city = "  ".into()), "v.required"),
            (
                "city",
                Box::new(|r| r.city = "x".repeat(1_000_000)),
                "v.too_long",
            ),
            (
                "starts_at",
                Box::new(|r| r.starts_at = "tomorrow".into()),
                "v.datetime",
            ),
            (
                "registration_closes_at",
                Box::new(|r| r.registration_closes_at = Some("2026-10-14T00:00:00+02:00".into())),
                "v.before_end",
            ),
        ];
        for (field, change, expected) in cases {
            assert_eq!(field_error(stop(change), field), expected, "{field}");
        }
    }

    #[test]
    fn tour_slugs_are_made_from_names_with_accents() {
        let tour = NewTour::try_from(RawTour {
            name: "Rencontres Partenaires 360° 2026".into(),
            ..RawTour::default()
        })
        .expect("valid");
        assert_eq!(tour.slug, "rencontres-partenaires-360deg-2026");
        let bad = NewTour::try_from(RawTour {
            name: "x".into(),
            slug: Some("Not A Slug".into()),
            targets: vec![RawTarget {
                outcome: "certification_started".into(),
                value: 0,
            }],
            ..RawTour::default()
        });
        match bad {
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.get("slug"), Some("v.slug"));
                assert_eq!(e.get("targets[0].value"), Some("v.positive"));
            }
            other => panic!("{other:?}"),
        }
    }
}
