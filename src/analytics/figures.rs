//! The figures of API.md "Analytics", computed with grouped queries over a tour's stops.
//!
//! Every count is one `GROUP BY stop_id` query over all the stops asked for (a tour's twenty
//! stops cost the same number of queries as one), answered from the indexes of the
//! `2026-11-26-000008_analytics` migration. Only the stop detail loads rows (arrival times and
//! registration dates of one stop) to bucket them in the stop's local time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Timelike};
use chrono_tz::Tz;
use diesel::IntoSql;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::DbConnection;
use crate::db::schema::{
    check_ins, checkpoints, complaints, enrolments, feedback, outcomes, registrations,
    tour_targets, workshops,
};
use crate::error::AppError;
use crate::feedback::summary::net_promoter;
use crate::time::in_zone;
use crate::tours::store::{Stop, Workshop};

/// The complaint themes, in the order the pages show them.
pub const THEMES: &[&str] = crate::complaints::service::THEMES;

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
}

/// Narrows a query that joins `registrations` to the filter's attendees. The condition is
/// always there (`company_size = ? OR <no filter>`), so that one query shape serves every filter.
macro_rules! for_attendees {
    ($query:expr, $filter:expr) => {{
        let filter: &AttendeeFilter = $filter;
        $query
            .filter(
                registrations::company_size
                    .eq(filter.company_size.clone().unwrap_or_default())
                    .or(filter.company_size.is_none().into_sql::<Bool>()),
            )
            .filter(
                registrations::partner_type
                    .eq(filter.partner_type.clone().unwrap_or_default())
                    .or(filter.partner_type.is_none().into_sql::<Bool>()),
            )
    }};
}

/// Runs a query over `$table` as it is when everyone is counted — the shape the indexes of the
/// analytics migration answer without reading a table row — or joined with `registrations` and
/// narrowed to the filter's attendees. `$where` are the `.filter(…)` calls, `$rest` the group
/// by, select and load shared by both.
macro_rules! counted {
    ($filter:expr, $table:expr, [$($where:tt)*], $($rest:tt)*) => {{
        let filter: &AttendeeFilter = $filter;
        if filter.is_everyone() {
            $table $($where)* $($rest)*
        } else {
            for_attendees!($table.inner_join(registrations::table) $($where)*, filter) $($rest)*
        }
    }};
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
    pub fn complaints_with_status(&self, statuses: &[&str]) -> i64 {
        self.complaints
            .values()
            .flat_map(|by_status| by_status.iter())
            .filter(|(status, _)| statuses.contains(&status.as_str()))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn complaints_by_theme(&self) -> BTreeMap<String, i64> {
        THEMES
            .iter()
            .map(|theme| {
                let n = self.complaints.get(*theme).map_or(0, |s| s.values().sum());
                ((*theme).to_owned(), n)
            })
            .collect()
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

/// The counts of each of `stops`, keyed by stop id (stops without any row get zeros).
pub fn counts_by_stop(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> Result<HashMap<String, Counts>, AppError> {
    let mut out: HashMap<String, Counts> = stop_ids
        .iter()
        .map(|id| (id.clone(), Counts::default()))
        .collect();

    let by_status: Vec<(String, String, String, i64)> = for_attendees!(
        registrations::table.filter(registrations::stop_id.eq_any(stop_ids)),
        &filter
    )
    .group_by((
        registrations::stop_id,
        registrations::status,
        registrations::source,
    ))
    .select((
        registrations::stop_id,
        registrations::status,
        registrations::source,
        count_star(),
    ))
    .load(conn)?;
    for (stop_id, status, source, n) in by_status {
        if let Some(c) = out.get_mut(&stop_id) {
            c.registered += n;
            match status.as_str() {
                "confirmed" => c.confirmed += n,
                "waitlisted" => c.waitlisted += n,
                "cancelled" => c.cancelled += n,
                _ => {}
            }
            if source == "walk_in" && status != "cancelled" {
                c.walk_ins += n;
            }
        }
    }

    // The stops' checkpoints by role, so that check-ins are counted from their own index.
    // (Check-ins are those of confirmed registrations: a cancellation removes its check-ins.)
    let roles: Vec<(String, String, Option<bool>)> = checkpoints::table
        .left_join(workshops::table)
        .filter(checkpoints::stop_id.eq_any(stop_ids))
        .select((
            checkpoints::id,
            checkpoints::kind,
            workshops::specialist_label.nullable(),
        ))
        .load(conn)?;
    let ids_where = |wanted: &dyn Fn(&str, Option<bool>) -> bool| -> Vec<String> {
        roles
            .iter()
            .filter(|(_, kind, label)| wanted(kind, *label))
            .map(|(id, _, _)| id.clone())
            .collect()
    };
    let entrances = ids_where(&|kind, _| kind == "entrance");
    let rooms = ids_where(&|kind, _| kind == "workshop");
    let label_rooms = ids_where(&|_, label| label == Some(true));

    let entrance: Vec<(String, i64)> = counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq_any(stop_ids)).filter(check_ins::checkpoint_id.eq_any(&entrances))],
        .group_by(check_ins::stop_id)
        .select((check_ins::stop_id, count_star()))
        .load(conn)?
    );
    for (stop_id, n) in entrance {
        if let Some(c) = out.get_mut(&stop_id) {
            c.checked_in = n;
        }
    }
    // Someone at two workshops (or at both sessions of the label one) is one workshop-goer.
    for (rooms, attended_label) in [(&rooms, false), (&label_rooms, true)] {
        let goers: Vec<(String, i64)> = counted!(
            filter,
            check_ins::table,
            [.filter(check_ins::stop_id.eq_any(stop_ids)).filter(check_ins::checkpoint_id.eq_any(rooms))],
            .group_by(check_ins::stop_id)
            .select((
                check_ins::stop_id,
                diesel::dsl::count(check_ins::registration_id).aggregate_distinct(),
            ))
            .load(conn)?
        );
        for (stop_id, n) in goers {
            if let Some(c) = out.get_mut(&stop_id) {
                if attended_label {
                    c.attended_label = n;
                } else {
                    c.attended_workshop = n;
                }
            }
        }
    }

    // (stop, answers, sums of overall, trainers and content ratings)
    type RatingSums = (String, i64, Option<i64>, Option<i64>, Option<i64>);
    let ratings: Vec<RatingSums> = counted!(
        filter,
        feedback::table,
        [.filter(feedback::stop_id.eq_any(stop_ids))],
        .group_by(feedback::stop_id)
        .select((
            feedback::stop_id,
            count_star(),
            sum(feedback::overall),
            sum(feedback::trainers),
            sum(feedback::content),
        ))
        .load(conn)?
    );
    for (stop_id, n, overall, trainers, content) in ratings {
        if let Some(c) = out.get_mut(&stop_id) {
            c.responses = n;
            c.ratings_sum = [
                overall.unwrap_or(0),
                trainers.unwrap_or(0),
                content.unwrap_or(0),
            ];
        }
    }
    let scores: Vec<(String, i32, i64)> = counted!(
        filter,
        feedback::table,
        [.filter(feedback::stop_id.eq_any(stop_ids))],
        .group_by((feedback::stop_id, feedback::nps))
        .select((feedback::stop_id, feedback::nps, count_star()))
        .load(conn)?
    );
    for (stop_id, score, n) in scores {
        if let (Some(c), Ok(i)) = (out.get_mut(&stop_id), usize::try_from(score))
            && i <= 10
        {
            c.nps_scores[i] = n;
        }
    }

    // Complaints recorded without an attendee (a phone call about a company) only count when
    // everyone is counted: they have no company size or kind of partner to filter on.
    let complaint_counts: Vec<(String, String, String, i64)> = if filter.is_everyone() {
        complaints::table
            .filter(complaints::stop_id.eq_any(stop_ids))
            .group_by((complaints::stop_id, complaints::theme, complaints::status))
            .select((
                complaints::stop_id,
                complaints::theme,
                complaints::status,
                count_star(),
            ))
            .load(conn)?
    } else {
        for_attendees!(
            complaints::table
                .inner_join(registrations::table)
                .filter(complaints::stop_id.eq_any(stop_ids)),
            &filter
        )
        .group_by((complaints::stop_id, complaints::theme, complaints::status))
        .select((
            complaints::stop_id,
            complaints::theme,
            complaints::status,
            count_star(),
        ))
        .load(conn)?
    };
    for (stop_id, theme, status, n) in complaint_counts {
        if let Some(c) = out.get_mut(&stop_id) {
            c.complaints.entry(theme).or_default().insert(status, n);
        }
    }

    let outcome_counts: Vec<(String, String, i64)> = counted!(
        filter,
        outcomes::table,
        [.filter(outcomes::stop_id.eq_any(stop_ids))],
        .group_by((outcomes::stop_id, outcomes::kind))
        .select((outcomes::stop_id, outcomes::kind, count_star()))
        .load(conn)?
    );
    for (stop_id, kind, n) in outcome_counts {
        if let Some(c) = out.get_mut(&stop_id) {
            c.outcomes.insert(kind, n);
        }
    }
    Ok(out)
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

/// The workshops of a stop with their enrolments and attendance, in programme order.
pub fn workshops_of(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
) -> Result<Vec<WorkshopFigures>, AppError> {
    let list = crate::tours::store::list_workshops(conn, stop_id)?;
    let ids: Vec<String> = list.iter().map(|w| w.id.clone()).collect();
    // A cancellation cancels its enrolments, so the status alone tells who holds a seat.
    let enrolled: Vec<(String, String, i64)> = counted!(
        filter,
        enrolments::table,
        [.filter(enrolments::workshop_id.eq_any(&ids)).filter(enrolments::status.ne("cancelled"))],
        .group_by((enrolments::workshop_id, enrolments::status))
        .select((enrolments::workshop_id, enrolments::status, count_star()))
        .load(conn)?
    );
    let rooms: Vec<(String, Option<String>)> = checkpoints::table
        .filter(checkpoints::workshop_id.eq_any(&ids))
        .select((checkpoints::id, checkpoints::workshop_id))
        .load(conn)?;
    let room_ids: Vec<String> = rooms.iter().map(|r| r.0.clone()).collect();
    let per_room: Vec<(String, i64)> = counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq(stop_id)).filter(check_ins::checkpoint_id.eq_any(&room_ids))],
        .group_by(check_ins::checkpoint_id)
        .select((check_ins::checkpoint_id, count_star()))
        .load(conn)?
    );
    let attended: Vec<(Option<String>, i64)> = per_room
        .into_iter()
        .map(|(room, n)| {
            let workshop = rooms.iter().find(|r| r.0 == room).and_then(|r| r.1.clone());
            (workshop, n)
        })
        .collect();
    Ok(list
        .into_iter()
        .map(|workshop| {
            let count = |status: &str| {
                enrolled
                    .iter()
                    .find(|(w, s, _)| *w == workshop.id && s == status)
                    .map_or(0, |r| r.2)
            };
            WorkshopFigures {
                confirmed: count("confirmed"),
                waitlisted: count("waitlisted"),
                attended: attended
                    .iter()
                    .find(|(w, _)| w.as_deref() == Some(workshop.id.as_str()))
                    .map_or(0, |r| r.1),
                workshop,
            }
        })
        .collect())
}

/// Hours before a stop starts and after it ends that its arrival chart covers.
const ARRIVALS_MARGIN_HOURS: i64 = 12;

/// The longest span an arrival chart covers (288 quarter hours), however long a stop is.
const ARRIVALS_MAX_DAYS: i64 = 3;

/// The instants an arrival chart of a stop may show: its day with a margin either side, at
/// most [`ARRIVALS_MAX_DAYS`] long. Check-ins are bounded when scanned, but rows written
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

/// `(start of the 15-minute bucket in the stop's local time, first entrance scans in it)`,
/// from the first bucket with an arrival to the last, empty buckets included. Arrivals outside
/// `window` (see [`arrival_window`]) count in its first or last bucket, so that the total
/// still matches the check-ins.
pub fn arrivals(
    conn: &mut DbConnection,
    stop_id: &str,
    tz: Tz,
    window: (NaiveDateTime, NaiveDateTime),
    filter: &AttendeeFilter,
) -> Result<Vec<(DateTime<FixedOffset>, i64)>, AppError> {
    let entrance: Vec<String> = checkpoints::table
        .filter(checkpoints::stop_id.eq(stop_id))
        .filter(checkpoints::kind.eq("entrance"))
        .select(checkpoints::id)
        .load(conn)?;
    let times: Vec<NaiveDateTime> = counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq(stop_id)).filter(check_ins::checkpoint_id.eq_any(&entrance))],
        .select(check_ins::scanned_at)
        .load(conn)?
    );
    let (from, to) = window;
    let times: Vec<NaiveDateTime> = times.into_iter().map(|t| t.clamp(from, to)).collect();
    Ok(quarter_hours(&times, tz))
}

/// Buckets instants into quarter hours of the local wall clock of `tz`.
pub fn quarter_hours(times: &[NaiveDateTime], tz: Tz) -> Vec<(DateTime<FixedOffset>, i64)> {
    let mut buckets: BTreeMap<NaiveDateTime, i64> = BTreeMap::new();
    for t in times {
        *buckets.entry(floor_quarter(in_zone(*t, tz))).or_default() += 1;
    }
    let (Some(first), Some(last)) = (
        buckets.keys().next().copied(),
        buckets.keys().next_back().copied(),
    ) else {
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

/// `(local day, registrations made that day)` from the first day to the last, gaps included.
pub fn registrations_per_day(
    conn: &mut DbConnection,
    stop_id: &str,
    tz: Tz,
    filter: &AttendeeFilter,
) -> Result<Vec<(NaiveDate, i64)>, AppError> {
    let times: Vec<NaiveDateTime> = for_attendees!(
        registrations::table.filter(registrations::stop_id.eq(stop_id)),
        filter
    )
    .select(registrations::created_at)
    .load(conn)?;
    let mut days: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for t in &times {
        *days.entry(in_zone(*t, tz).date_naive()).or_default() += 1;
    }
    let (Some(first), Some(last)) = (
        days.keys().next().copied(),
        days.keys().next_back().copied(),
    ) else {
        return Ok(Vec::new());
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
    Ok(first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| (d, days.get(&d).copied().unwrap_or(0)))
        .collect())
}

/// The tour's targets: `(outcome kind, value)`.
pub fn targets(conn: &mut DbConnection, tour_id: &str) -> Result<Vec<(String, i32)>, AppError> {
    Ok(tour_targets::table
        .filter(tour_targets::tour_id.eq(tour_id))
        .order(tour_targets::outcome.asc())
        .select((tour_targets::outcome, tour_targets::value))
        .load(conn)?)
}

/// The stop's time zone (UTC when the stored name is unknown, which validation prevents).
pub fn zone_of(stop: &Stop) -> Tz {
    crate::time::parse_timezone(&stop.timezone).unwrap_or(Tz::UTC)
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
        // 06:50 and 06:59 UTC are 08:50 and 08:59 in Strasbourg; 07:31 is 09:31.
        let buckets = quarter_hours(&[utc(6, 50), utc(6, 59), utc(7, 31)], tz);
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
        let times: Vec<NaiveDateTime> = [utc(7, 0) - Duration::days(3650), utc(7, 5)]
            .into_iter()
            .map(|t| t.clamp(from, to))
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
