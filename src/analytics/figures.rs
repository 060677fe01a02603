//! The figures of API.md "Analytics" as values: who is counted, a stop's counts and the rates
//! drawn from them, and the bucketing of arrivals and registrations in a stop's local time.
//! The queries are in `store`, their assembly in `service`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;

use crate::complaints::domain::{ComplaintStatus, ComplaintTheme};
use crate::error::{AppError, FieldErrors};
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES, RegistrationStatus};
use crate::time::in_zone;
use crate::tours::store::Workshop;

/// Who is counted: every attendee, or those of one company size and/or one kind of partner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendeeFilter {
    pub company_size: Option<String>,
    pub partner_type: Option<String>,
}

impl AttendeeFilter {
    pub fn is_everyone(&self) -> bool {
        self.company_size.is_none() && self.partner_type.is_none()
    }

    /// Checks the dashboard filters typed in a query string (empty means "everyone").
    pub fn parse(company_size: Option<&str>, partner_type: Option<&str>) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let pick = |raw: Option<&str>, allowed: &[&str], field: &str, errors: &mut FieldErrors| {
            let value = raw.map(str::trim).filter(|v| !v.is_empty())?;
            if allowed.contains(&value) {
                Some(value.to_owned())
            } else {
                errors.add(field, format!("must be one of {}", allowed.join(", ")));
                None
            }
        };
        let filter = Self {
            company_size: pick(company_size, COMPANY_SIZES, "company_size", &mut errors),
            partner_type: pick(partner_type, PARTNER_TYPES, "partner_type", &mut errors),
        };
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// A ratio, or `None` when its denominator is zero (an empty stop has no rate, not a 0 % one).
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Registrations by status, check-ins, feedback, complaints and outcomes of one stop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub registered: i64,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    pub walk_ins: i64,
    pub checked_in: i64,
    /// Confirmed attendees scanned `ok` at one workshop or more.
    pub attended_workshop: i64,
    /// Confirmed attendees scanned `ok` at a specialist-label workshop.
    pub attended_label: i64,
    pub responses: i64,
    pub ratings_sum: [i64; 3],
    /// How many answers gave each recommendation score 0–10.
    pub nps_scores: [i64; 11],
    /// theme → status → count.
    pub complaints: BTreeMap<String, BTreeMap<String, i64>>,
    /// kind → count.
    pub outcomes: BTreeMap<String, i64>,
}

impl Counts {
    pub fn no_shows(&self) -> i64 {
        (self.confirmed - self.checked_in).max(0)
    }
    pub fn no_show_rate(&self) -> Option<f64> {
        ratio(self.no_shows(), self.confirmed)
    }
    pub fn label_share(&self) -> Option<f64> {
        ratio(self.attended_label, self.checked_in)
    }
    pub fn response_rate(&self) -> Option<f64> {
        ratio(self.responses, self.checked_in)
    }
    /// Average of rating `i` (0 overall, 1 trainers, 2 content), rounded to 0.01.
    pub fn average(&self, i: usize) -> Option<f64> {
        ratio(self.ratings_sum[i], self.responses).map(|a| (a * 100.0).round() / 100.0)
    }
    /// Promoters − detractors, in percent; `None` without answers.
    pub fn nps(&self) -> Option<f64> {
        let scores: Vec<i32> = (0..=10)
            .flat_map(|score| {
                std::iter::repeat_n(
                    score,
                    usize::try_from(self.nps_scores[score as usize]).unwrap_or(0),
                )
            })
            .collect();
        net_promoter(&scores)
    }
    pub fn complaints_with_status(&self, statuses: &[ComplaintStatus]) -> i64 {
        self.complaints
            .values()
            .flat_map(|by_status| by_status.iter())
            .filter(|(status, _)| statuses.iter().any(|s| s.as_str() == status.as_str()))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn complaints_by_theme(&self) -> BTreeMap<String, i64> {
        ComplaintTheme::ALL
            .iter()
            .map(|theme| {
                let n = self
                    .complaints
                    .get(theme.as_str())
                    .map_or(0, |s| s.values().sum());
                (theme.to_string(), n)
            })
            .collect()
    }

    /// Adds `n` registrations of a status (its stored word) made through `source`.
    pub fn add_registrations(&mut self, status: &str, source: &str, n: i64) {
        self.registered += n;
        let status = RegistrationStatus::parse(status);
        match status {
            Some(RegistrationStatus::Confirmed) => self.confirmed += n,
            Some(RegistrationStatus::Waitlisted) => self.waitlisted += n,
            Some(RegistrationStatus::Cancelled) => self.cancelled += n,
            None => {}
        }
        if source == crate::registrations::domain::Source::WalkIn.as_str()
            && status.is_some_and(RegistrationStatus::is_live)
        {
            self.walk_ins += n;
        }
    }

    /// Sets how many answers gave recommendation `score` (scores outside 0–10 are ignored).
    pub fn set_score(&mut self, score: i32, n: i64) {
        if let Ok(i) = usize::try_from(score)
            && i <= 10
        {
            self.nps_scores[i] = n;
        }
    }

    /// Adds another stop's counts (for the tour's totals).
    pub fn add(&mut self, other: &Counts) {
        self.registered += other.registered;
        self.confirmed += other.confirmed;
        self.waitlisted += other.waitlisted;
        self.cancelled += other.cancelled;
        self.walk_ins += other.walk_ins;
        self.checked_in += other.checked_in;
        self.attended_workshop += other.attended_workshop;
        self.attended_label += other.attended_label;
        self.responses += other.responses;
        for i in 0..3 {
            self.ratings_sum[i] += other.ratings_sum[i];
        }
        for i in 0..11 {
            self.nps_scores[i] += other.nps_scores[i];
        }
        for (theme, by_status) in &other.complaints {
            let mine = self.complaints.entry(theme.clone()).or_default();
            for (status, n) in by_status {
                *mine.entry(status.clone()).or_default() += n;
            }
        }
        for (kind, n) in &other.outcomes {
            *self.outcomes.entry(kind.clone()).or_default() += n;
        }
    }
}

/// A workshop's seats and attendance.
#[derive(Debug, Clone)]
pub struct WorkshopFigures {
    pub workshop: Workshop,
    /// Confirmed enrolments of confirmed attendees.
    pub confirmed: i64,
    pub waitlisted: i64,
    /// `ok` scans at the workshop's checkpoint.
    pub attended: i64,
}

impl WorkshopFigures {
    pub fn fill_rate(&self) -> Option<f64> {
        ratio(self.confirmed, i64::from(self.workshop.capacity))
    }
}

/// Hours before a stop starts and after it ends that its arrival chart covers.
const ARRIVALS_MARGIN_HOURS: i64 = 12;

/// The longest span an arrival chart covers (288 quarter hours), however long a stop is.
const ARRIVALS_MAX_DAYS: i64 = 3;

/// The instants an arrival chart of a stop may show: its day with a margin either side, at
/// most `ARRIVALS_MAX_DAYS` long. Check-ins are bounded when scanned, but rows written
/// before that (or by hand) must not turn one chart into hundreds of thousands of buckets.
pub fn arrival_window(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
) -> (NaiveDateTime, NaiveDateTime) {
    let from = starts_at - Duration::hours(ARRIVALS_MARGIN_HOURS);
    let to = (ends_at + Duration::hours(ARRIVALS_MARGIN_HOURS))
        .min(from + Duration::days(ARRIVALS_MAX_DAYS))
        .max(from);
    (from, to)
}

/// Buckets counted instants (`(instant, how many)`) into quarter hours of the local wall clock
/// of `tz`.
pub fn quarter_hours(times: &[(NaiveDateTime, i64)], tz: Tz) -> Vec<(DateTime<FixedOffset>, i64)> {
    let mut buckets: BTreeMap<NaiveDateTime, i64> = BTreeMap::new();
    for (t, n) in times {
        *buckets.entry(floor_quarter(in_zone(*t, tz))).or_default() += n;
    }
    let Some((first, last)) = key_span(&buckets) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = first;
    while at <= last {
        out.push((in_zone(at, tz), buckets.get(&at).copied().unwrap_or(0)));
        at += Duration::minutes(15);
    }
    out
}

/// The first and last keys of a map, `None` when it is empty.
fn key_span<K: Copy + Ord, V>(map: &BTreeMap<K, V>) -> Option<(K, K)> {
    Some((*map.keys().next()?, *map.keys().next_back()?))
}

/// The UTC instant at which the local quarter hour holding `local` began.
fn floor_quarter(local: DateTime<FixedOffset>) -> NaiveDateTime {
    let minute = local.minute() / 15 * 15;
    let floored = local
        .with_minute(minute)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(local);
    floored.naive_utc()
}

/// The most days a registrations chart shows.
const REGISTRATION_DAYS_MAX: i64 = 366;

/// `(local day, instants on that day)` from the first day to the last, gaps included; days
/// more than `REGISTRATION_DAYS_MAX` before the last count in the first day shown.
pub fn per_day(times: &[(NaiveDateTime, i64)], tz: Tz) -> Vec<(NaiveDate, i64)> {
    let mut days: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for (t, n) in times {
        *days.entry(in_zone(*t, tz).date_naive()).or_default() += n;
    }
    let Some((first, last)) = key_span(&days) else {
        return Vec::new();
    };
    // Registration dates are the server's, but the chart stays bounded whatever the rows say:
    // earlier days count in the first day shown.
    let earliest = last - Duration::days(REGISTRATION_DAYS_MAX);
    if first < earliest {
        let folded: i64 = days.range(..earliest).map(|(_, n)| n).sum();
        days.retain(|d, _| *d >= earliest);
        *days.entry(earliest).or_default() += folded;
    }
    let first = first.max(earliest);
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| (d, days.get(&d).copied().unwrap_or(0)))
        .collect()
}

/// Promoters minus detractors, in percent.
pub fn net_promoter(scores: &[i32]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len() as f64;
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    Some(((promoters - detractors) * 100.0 / n * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 10, 13)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("a valid time")
    }

    #[test]
    fn arrivals_are_quarter_hours_of_the_local_clock_with_gaps_filled() {
        let tz: Tz = "Europe/Paris".parse().expect("a zone");
        // Two arrivals in the quarter from 06:45 UTC, 08:45 in Strasbourg; one from 07:30.
        let buckets = quarter_hours(&[(utc(6, 45), 2), (utc(7, 30), 1)], tz);
        let labels: Vec<String> = buckets.iter().map(|(at, _)| at.to_rfc3339()).collect();
        assert_eq!(
            labels,
            [
                "2026-10-13T08:45:00+02:00",
                "2026-10-13T09:00:00+02:00",
                "2026-10-13T09:15:00+02:00",
                "2026-10-13T09:30:00+02:00"
            ]
        );
        let counts: Vec<i64> = buckets.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, [2, 0, 0, 1]);
        assert!(quarter_hours(&[], tz).is_empty());
    }

    #[test]
    fn the_arrival_window_is_the_stop_s_day_with_a_margin_and_never_longer_than_three_days() {
        let (from, to) = arrival_window(utc(7, 0), utc(15, 30));
        assert_eq!(
            (from, to),
            (
                utc(7, 0) - Duration::hours(12),
                utc(15, 30) + Duration::hours(12)
            )
        );
        let (from, to) = arrival_window(utc(7, 0), utc(7, 0) + Duration::days(3650));
        assert_eq!(to - from, Duration::days(3));
        // A check-in ten years early lands in the first bucket instead of 350,000 of them.
        let times: Vec<(NaiveDateTime, i64)> = [utc(7, 0) - Duration::days(3650), utc(7, 5)]
            .into_iter()
            .map(|t| (t.clamp(from, to), 1))
            .collect();
        let buckets = quarter_hours(&times, Tz::UTC);
        assert_eq!(buckets.len(), 49);
        assert_eq!(buckets.iter().map(|(_, n)| n).sum::<i64>(), 2);
    }

    #[test]
    fn an_empty_stop_has_no_rates_rather_than_zero_ones() {
        let empty = Counts::default();
        assert_eq!(empty.no_show_rate(), None);
        assert_eq!(empty.label_share(), None);
        assert_eq!(empty.nps(), None);
        assert_eq!(empty.average(0), None);
        let mut some = Counts {
            confirmed: 4,
            checked_in: 3,
            responses: 2,
            ratings_sum: [7, 5, 8],
            ..Counts::default()
        };
        some.nps_scores[10] = 1;
        some.nps_scores[3] = 1;
        assert_eq!(some.no_show_rate(), Some(0.25));
        assert_eq!(some.average(0), Some(3.5));
        assert_eq!(some.nps(), Some(0.0));
    }
}
