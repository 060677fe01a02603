//! Instants and the stop's wall clock: stored in UTC, typed by people in the stop's local time,
//! shown with the stop's offset.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Every IANA zone name, sorted: what a stop's zone may be.
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

/// Parses an IANA time-zone name (`Europe/Paris`).
pub fn parse_timezone(raw: &str) -> Option<Tz> {
    raw.trim().parse::<Tz>().ok()
}

/// A stop's time zone, parsed once when the row is read (`#[diesel(deserialize_as = String,
/// serialize_as = String)]`) and stored as its IANA name. Validation at write time
/// (`NewStop::parse`) refuses unknown names, so none can exist after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopZone(Tz);

impl StopZone {
    /// The zone.
    pub const fn tz(self) -> Tz {
        self.0
    }

    /// The IANA name, as stored and serialised (`Europe/Paris`).
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl From<Tz> for StopZone {
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

impl std::ops::Deref for StopZone {
    type Target = Tz;

    fn deref(&self) -> &Tz {
        &self.0
    }
}

impl std::fmt::Display for StopZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Read from the database: a name that is no zone is a corrupt row, reported as a
/// deserialisation error.
impl TryFrom<String> for StopZone {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        parse_timezone(&raw)
            .map(Self)
            .ok_or_else(|| format!("unknown time zone `{raw}`"))
    }
}

/// Serialised as its IANA name (`"Europe/Paris"`).
impl serde::Serialize for StopZone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl From<StopZone> for String {
    fn from(zone: StopZone) -> Self {
        zone.name().to_owned()
    }
}

/// Why a typed time could not be used; each is a catalogue key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not a date and time at all.
    Malformed,
    /// A local time skipped by a clock change.
    Gap,
}

impl TimeError {
    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Self::Malformed => "v.datetime",
            Self::Gap => "v.gap",
        }
    }
}

/// An RFC 3339 timestamp with an offset (`2026-10-13T09:00:00+02:00`), as UTC.
pub fn parse_rfc3339(raw: &str) -> Result<NaiveDateTime, TimeError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|dt| dt.naive_utc())
        .map_err(|_| TimeError::Malformed)
}

/// A wall-clock time in `tz` as typed in a form (`2026-10-13T09:00`, seconds optional), as UTC.
/// An ambiguous time (the hour repeated in autumn) takes the first occurrence.
pub fn parse_local(raw: &str, tz: Tz) -> Result<NaiveDateTime, TimeError> {
    let raw = raw.trim();
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| TimeError::Malformed)?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Ok(dt.naive_utc()),
        LocalResult::Ambiguous(first, _) => Ok(first.naive_utc()),
        LocalResult::None => Err(TimeError::Gap),
    }
}

/// A stored UTC instant with the offset of `tz`, for the API.
pub fn in_zone(utc: NaiveDateTime, tz: Tz) -> DateTime<FixedOffset> {
    Utc.from_utc_datetime(&utc)
        .with_timezone(&tz)
        .fixed_offset()
}

/// A stored UTC instant as `tz`'s wall clock, formatted for a `datetime-local` input.
pub fn to_local_input(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%Y-%m-%dT%H:%M").to_string()
}

/// The current instant, as stored.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// A date for people, in the page's language: "mar. 13 oct. 2026" / "Tue 13 Oct 2026".
pub fn display_date(utc: NaiveDateTime, tz: Tz, locale: crate::i18n::Locale) -> String {
    let local = Utc.from_utc_datetime(&utc).with_timezone(&tz);
    match locale {
        crate::i18n::Locale::Fr => local
            .format_localized("%a %-d %b %Y", chrono::Locale::fr_FR)
            .to_string(),
        crate::i18n::Locale::En => local
            .format_localized("%a %-d %b %Y", chrono::Locale::en_GB)
            .to_string(),
    }
}

/// A calendar day for people: "mar. 13 oct. 2026" / "Tue 13 Oct 2026".
pub fn display_day(day: chrono::NaiveDate, locale: crate::i18n::Locale) -> String {
    let chrono_locale = match locale {
        crate::i18n::Locale::Fr => chrono::Locale::fr_FR,
        crate::i18n::Locale::En => chrono::Locale::en_GB,
    };
    day.format_localized("%a %-d %b %Y", chrono_locale)
        .to_string()
}

/// A wall-clock time for people: "09:00".
pub fn display_time(utc: NaiveDateTime, tz: Tz) -> String {
    Utc.from_utc_datetime(&utc)
        .with_timezone(&tz)
        .format("%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_follow_the_stop_zone_and_its_clock_changes() {
        let paris = parse_timezone("Europe/Paris").expect("zone");
        let summer = parse_local("2026-10-13T09:00", paris).expect("valid");
        assert_eq!(summer.to_string(), "2026-10-13 07:00:00");
        assert_eq!(
            in_zone(summer, paris).to_rfc3339(),
            "2026-10-13T09:00:00+02:00"
        );
        let winter = parse_local("2026-11-03T09:00", paris).expect("valid");
        assert_eq!(
            in_zone(winter, paris).to_rfc3339(),
            "2026-11-03T09:00:00+01:00"
        );
        // 2026-03-29 02:30 does not exist in Paris.
        assert_eq!(parse_local("2026-03-29T02:30", paris), Err(TimeError::Gap));
        assert_eq!(
            parse_local("13/10/2026 9h", paris),
            Err(TimeError::Malformed)
        );
        assert!(parse_timezone("Mars/Olympus").is_none());
        assert_eq!(to_local_input(summer, paris), "2026-10-13T09:00");
    }

    #[test]
    fn a_stop_zone_is_read_from_its_name_and_written_back_as_it() {
        let paris = StopZone::try_from("Europe/Paris".to_owned()).expect("known zone");
        assert_eq!(paris.tz(), chrono_tz::Europe::Paris);
        assert_eq!(*paris, chrono_tz::Europe::Paris);
        assert_eq!(paris.name(), "Europe/Paris");
        assert_eq!(paris.to_string(), "Europe/Paris");
        assert_eq!(String::from(paris), "Europe/Paris");
        assert_eq!(
            StopZone::try_from(String::from(paris)).expect("round trip"),
            paris
        );
        assert_eq!(
            StopZone::try_from("Mars/Olympus".to_owned()),
            Err("unknown time zone `Mars/Olympus`".to_owned())
        );
        assert!(StopZone::try_from(String::new()).is_err());
    }
}
