//! A registration as typed by an attendee, validated; and the rules of workshop choice.

use chrono::NaiveDateTime;

use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::ids::WorkshopId;
use crate::validation::{EmailAddress, bounded_list, optional_text, required_text};

/// How a registration was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The public form or API: subject to the registration window.
    Online,
    /// Recorded by staff at the door.
    WalkIn,
    /// Demo data: no e-mail.
    Demo,
}

impl Source {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::WalkIn => "walk_in",
            Self::Demo => "demo",
        }
    }
}

/// Most workshops one person may choose: a day holds a handful of sessions, so this only
/// bounds the work a hostile body can ask for.
pub const MAX_WORKSHOP_CHOICES: usize = 32;

/// The company sizes offered on the form (the attendee's own company).
pub const COMPANY_SIZES: &[&str] = &["1-5", "6-20", "21-50", "51-250", "250+"];

/// The largest headcount an API client may send as a company size (ten times the largest
/// employer): above it the number is a typing error.
pub const MAX_HEADCOUNT: i64 = 30_000_000;

/// The band of `COMPANY_SIZES` a number of employees falls in; `None` outside `1..=MAX_HEADCOUNT`.
pub fn company_size_band(headcount: i64) -> Option<&'static str> {
    Some(match headcount {
        1..=5 => "1-5",
        6..=20 => "6-20",
        21..=50 => "21-50",
        51..=250 => "51-250",
        251..=MAX_HEADCOUNT => "250+",
        _ => return None,
    })
}

/// The kinds of partner offered on the form (a dashboard filter).
pub const PARTNER_TYPES: &[&str] = &[
    "reseller",
    "integrator",
    "distributor",
    "consultant",
    "other",
];

/// Where a registration (or one of its workshop enrolments) stands: it holds a seat, waits in
/// line for one, or was given up. Stored as its word; this is the one place the words are
/// mapped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    /// Every status, in the order they are shown.
    pub const ALL: [Self; 3] = [Self::Confirmed, Self::Waitlisted, Self::Cancelled];

    /// The stored and serialised word.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status a stored word names.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Confirmed or waitlisted: not given up.
    pub fn is_live(self) -> bool {
        self != Self::Cancelled
    }
}

impl std::fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Read from the database (`#[diesel(deserialize_as = String)]`): a word that is no status is a
/// corrupt row, reported as a deserialisation error.
impl TryFrom<String> for RegistrationStatus {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| format!("unknown registration status `{raw}`"))
    }
}

impl From<RegistrationStatus> for String {
    fn from(status: RegistrationStatus) -> Self {
        status.as_str().to_owned()
    }
}

/// What an attendee typed.
#[derive(Debug, Clone, Default)]
pub struct RawRegistration {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub job_title: Option<String>,
    pub company_size: Option<String>,
    pub partner_id: Option<String>,
    pub partner_type: Option<String>,
    pub locale: Option<String>,
    pub consent: Option<bool>,
    pub workshops: Vec<String>,
}

/// A validated registration request (workshops checked against the stop separately).
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub first_name: String,
    pub last_name: String,
    pub email: EmailAddress,
    pub company: String,
    pub job_title: String,
    pub company_size: String,
    pub partner_id: String,
    pub partner_type: String,
    /// The language asked for; `None`: the tour's.
    pub locale: Option<Locale>,
    pub workshops: Vec<WorkshopId>,
}

impl NewRegistration {
    /// Checks every field and reports all problems at once, in time linear in the input and
    /// without the database: it runs before any transaction.
    pub fn parse(raw: RawRegistration) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let first_name = required_text(&mut errors, "first_name", &raw.first_name, 100);
        let last_name = required_text(&mut errors, "last_name", &raw.last_name, 100);
        let email = EmailAddress::parse(&raw.email);
        if raw.email.trim().is_empty() {
            errors.add("email", "v.required");
        } else if email.is_none() {
            errors.add("email", "v.email");
        }
        let company = required_text(&mut errors, "company", &raw.company, 200);
        let job_title = optional_text(&mut errors, "job_title", raw.job_title.as_deref(), 200);
        let company_size =
            optional_text(&mut errors, "company_size", raw.company_size.as_deref(), 20);
        if !company_size.is_empty() && !COMPANY_SIZES.contains(&company_size.as_str()) {
            errors.add("company_size", "v.company_size");
        }
        let partner_id = optional_text(&mut errors, "partner_id", raw.partner_id.as_deref(), 50);
        let partner_type =
            optional_text(&mut errors, "partner_type", raw.partner_type.as_deref(), 20);
        if !partner_type.is_empty() && !PARTNER_TYPES.contains(&partner_type.as_str()) {
            errors.add("partner_type", "v.partner_type");
        }
        let locale = match raw.locale.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Locale::parse(code).or_else(|| {
                errors.add("locale", "v.locale");
                None
            }),
        };
        if raw.consent != Some(true) {
            errors.add("consent", "v.consent");
        }
        let workshops = workshop_choice(&mut errors, raw.workshops);
        match email {
            Some(email) if errors.is_empty() => Ok(Self {
                first_name,
                last_name,
                email,
                company,
                job_title,
                company_size,
                partner_id,
                partner_type,
                locale,
                workshops,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// The workshop ids chosen, trimmed, without blanks or repeats, in the order given; bounded
/// and checked in linear time, before any transaction starts.
pub fn workshop_choice(errors: &mut FieldErrors, raw: Vec<String>) -> Vec<WorkshopId> {
    if !bounded_list(errors, "workshops", &raw, MAX_WORKSHOP_CHOICES) {
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    let mut workshops = Vec::new();
    for id in raw {
        let id = id.trim();
        if id.len() > 64 || !crate::validation::is_single_line(id) {
            errors.add("workshops", "v.unknown_workshop");
        } else if !id.is_empty() && seen.insert(id.to_owned()) {
            workshops.push(WorkshopId::from(id));
        }
    }
    workshops
}

/// A workshop's time slot, to check a choice for overlaps.
#[derive(Debug, Clone)]
pub struct Slot {
    pub id: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// Checks that every chosen workshop belongs to the stop and that no two overlap in time.
pub fn check_workshop_choice(chosen: &[WorkshopId], offered: &[Slot]) -> Result<(), AppError> {
    let offered: std::collections::HashMap<&str, &Slot> =
        offered.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut picked: Vec<&Slot> = Vec::new();
    for id in chosen {
        match offered.get(id.as_str()).copied() {
            Some(slot) => picked.push(slot),
            None => return Err(AppError::invalid("workshops", "v.unknown_workshop")),
        }
    }
    // Quadratic in the choices, which `workshop_choice` bounds to a few dozen.
    for (i, a) in picked.iter().enumerate() {
        for b in &picked[i + 1..] {
            if a.starts_at < b.ends_at && b.starts_at < a.ends_at {
                return Err(AppError::invalid("workshops", "v.overlap"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawRegistration {
        RawRegistration {
            first_name: "Claire".into(),
            last_name: "Dupont".into(),
            email: "Claire.Dupont@Alsace-Informatique.fr".into(),
            company: "Alsace Informatique".into(),
            consent: Some(true),
            ..RawRegistration::default()
        }
    }

    #[test]
    fn a_registration_is_normalised() {
        let new = NewRegistration::parse(raw()).expect("valid");
        assert_eq!(new.email.as_ref(), "claire.dupont@alsace-informatique.fr");
        assert_eq!(new.locale, None);
        let english = NewRegistration::parse(RawRegistration {
            locale: Some("en".into()),
            ..raw()
        });
        assert_eq!(english.expect("valid").locale, Some(Locale::En));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(&str, RawRegistration)> = vec![
            (
                "consent",
                RawRegistration {
                    consent: Some(false),
                    ..raw()
                },
            ),
            (
                "consent",
                RawRegistration {
                    consent: None,
                    ..raw()
                },
            ),
            (
                "email",
                RawRegistration {
                    email: "claire@".into(),
                    ..raw()
                },
            ),
            (
                "first_name",
                RawRegistration {
                    first_name: " ".into(),
                    ..raw()
                },
            ),
            (
                "company_size",
                RawRegistration {
                    company_size: Some("huge".into()),
                    ..raw()
                },
            ),
            (
                "locale",
                RawRegistration {
                    locale: Some("de".into()),
                    ..raw()
                },
            ),
        ];
        for (field, input) in cases {
            match NewRegistration::parse(input) {
                Err(AppError::Invalid(errors)) => {
                    assert!(errors.get(field).is_some(), "{field}: {errors:?}")
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn overlapping_or_foreign_workshops_are_refused() {
        let at = |h: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 10, 13)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .expect("time")
        };
        let offered = vec![
            Slot {
                id: "a".into(),
                starts_at: at(11),
                ends_at: at(12),
            },
            Slot {
                id: "b".into(),
                starts_at: at(11),
                ends_at: at(13),
            },
            Slot {
                id: "c".into(),
                starts_at: at(14),
                ends_at: at(15),
            },
        ];
        assert!(check_workshop_choice(&["a".into(), "c".into()], &offered).is_ok());
        assert!(check_workshop_choice(&["a".into(), "b".into()], &offered).is_err());
        assert!(check_workshop_choice(&["z".into()], &offered).is_err());
    }
}
