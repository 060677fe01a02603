//! The analytics of a stop and of a tour as the API serves them and the dashboards show them.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::figures::{Counts, WorkshopFigures, ratio};
use crate::complaints::domain::ComplaintStatus;
use crate::time::{StopZone, in_zone};
use crate::tours::store::{Stop, Tour};

/// Feedback figures. Averages and the score are null without answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackFigures {
    pub responses: i64,
    /// responses ÷ checked in; null when nobody was checked in.
    pub response_rate: Option<f64>,
    /// Average overall rating (1–5).
    pub avg_overall: Option<f64>,
    pub avg_trainers: Option<f64>,
    pub avg_content: Option<f64>,
    /// Recommendation score: % promoters (9–10) − % detractors (0–6), from −100 to 100.
    pub nps: Option<f64>,
}

/// The figures shared by a stop, a row of the tour overview and the tour's totals.
///
/// Rates are **null** (not 0) when their denominator is zero: a stop nobody is confirmed for has
/// no no-show rate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    /// Every registration made, cancelled ones included.
    pub registered: i64,
    /// Registrations confirmed now (walk-ins included).
    pub confirmed: i64,
    pub waitlisted: i64,
    pub cancelled: i64,
    /// Confirmed registrations made at the door.
    pub walk_ins: i64,
    /// Confirmed registrations scanned `ok` at the entrance.
    pub checked_in: i64,
    /// confirmed − checked_in.
    pub no_shows: i64,
    /// no_shows ÷ confirmed; null when nobody is confirmed.
    pub no_show_rate: Option<f64>,
    /// Confirmed attendees scanned `ok` at one workshop or more.
    pub attended_workshop: i64,
    /// Attendees of a specialist-label workshop ÷ checked_in; null when nobody came.
    pub specialist_label_share: Option<f64>,
    pub feedback: FeedbackFigures,
    /// theme → complaints (every theme listed, zeros included).
    pub complaints: BTreeMap<String, i64>,
    /// status → complaints.
    pub complaints_by_status: BTreeMap<String, i64>,
    /// outcome kind → attendees with that outcome.
    pub outcomes: BTreeMap<String, i64>,
}

impl Figures {
    /// Complaints still to be dealt with (open or acknowledged).
    pub fn open_complaints(&self) -> i64 {
        ComplaintStatus::PENDING
            .iter()
            .map(|s| {
                self.complaints_by_status
                    .get(s.as_str())
                    .copied()
                    .unwrap_or(0)
            })
            .sum()
    }

    pub fn resolved_complaints(&self) -> i64 {
        self.complaints_by_status
            .get(ComplaintStatus::Resolved.as_str())
            .copied()
            .unwrap_or(0)
    }

    /// Outcomes of every kind.
    pub fn outcomes_total(&self) -> i64 {
        self.outcomes.values().sum()
    }
}

impl From<&Counts> for Figures {
    fn from(c: &Counts) -> Self {
        let complaints_by_status = ComplaintStatus::ALL
            .iter()
            .map(|s| (s.to_string(), c.complaints_with_status(&[*s])))
            .collect();
        Self {
            registered: c.registered,
            confirmed: c.confirmed,
            waitlisted: c.waitlisted,
            cancelled: c.cancelled,
            walk_ins: c.walk_ins,
            checked_in: c.checked_in,
            no_shows: c.no_shows(),
            no_show_rate: c.no_show_rate(),
            attended_workshop: c.attended_workshop,
            specialist_label_share: c.label_share(),
            feedback: FeedbackFigures {
                responses: c.responses,
                response_rate: c.response_rate(),
                avg_overall: c.average(0),
                avg_trainers: c.average(1),
                avg_content: c.average(2),
                nps: c.nps(),
            },
            complaints: c.complaints_by_theme(),
            complaints_by_status,
            outcomes: c.outcomes.clone(),
        }
    }
}

/// A workshop's seats and attendance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkshopRow {
    pub workshop_id: String,
    pub title: String,
    pub room: String,
    pub trainer: String,
    pub starts_at: DateTime<FixedOffset>,
    pub capacity: i32,
    pub specialist_label: bool,
    /// Confirmed enrolments of attendees not cancelled.
    pub confirmed: i64,
    pub waitlisted: i64,
    /// `ok` scans at the workshop's checkpoint.
    pub attended: i64,
    /// attended ÷ the stop's checked_in; null when nobody was checked in.
    pub share_of_attendees: Option<f64>,
    /// confirmed ÷ capacity.
    pub fill_rate: Option<f64>,
}

/// First entrance scans in a quarter hour starting `at` (the stop's local time).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArrivalBucket {
    pub at: DateTime<FixedOffset>,
    pub count: i64,
}

/// Registrations made on a day (the stop's local date).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: i64,
}

/// A comment marketing picked as representative.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    pub feedback_id: String,
    pub text: String,
}

/// The analytics of one stop (`GET /api/v1/analytics/stops/{stop_id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StopAnalytics {
    pub stop_id: String,
    pub tour_id: String,
    pub city: String,
    pub venue: String,
    /// The IANA name (`Europe/Paris`).
    #[schema(value_type = String, example = "Europe/Paris")]
    pub timezone: StopZone,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    #[serde(flatten)]
    pub figures: Figures,
    pub workshops: Vec<WorkshopRow>,
    /// Quarter hours from the first arrival to the last, empty ones included.
    pub arrivals: Vec<ArrivalBucket>,
    /// Days from the first registration to the last, empty ones included.
    pub registrations_per_day: Vec<DayCount>,
    pub quotes: Vec<Quote>,
}

/// A stop as a row of the tour overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StopRow {
    pub stop_id: String,
    pub city: String,
    /// The stop's local date.
    pub date: NaiveDate,
    pub starts_at: DateTime<FixedOffset>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// registered → checked in → attended a workshop → outcomes, over the whole tour.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Funnel {
    pub registered: i64,
    pub checked_in: i64,
    pub attended_workshop: i64,
    /// outcome kind → count.
    pub outcomes: BTreeMap<String, i64>,
}

/// A tour target and how far the tour got.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetProgress {
    pub outcome: String,
    pub value: i32,
    /// Outcomes of that kind recorded for the tour's attendees.
    pub reached: i64,
    /// reached ÷ value.
    pub progress: f64,
}

/// The analytics of a tour (`GET /api/v1/analytics/tours/{tour_id}`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TourAnalytics {
    pub tour_id: String,
    pub name: String,
    /// One row per stop, in date order.
    pub stops: Vec<StopRow>,
    /// Sums over the stops; rates recomputed from the sums.
    pub totals: Figures,
    /// The stops' averages per stop (for "this stop vs the tour"); rates are the totals'.
    pub average_per_stop: Figures,
    pub funnel: Funnel,
    pub targets: Vec<TargetProgress>,
}

impl WorkshopFigures {
    /// The workshop as a row of its stop's figures, `checked_in` being the stop's.
    pub fn row(self, checked_in: i64, tz: Tz) -> WorkshopRow {
        WorkshopRow {
            fill_rate: self.fill_rate(),
            share_of_attendees: ratio(self.attended, checked_in),
            workshop_id: self.workshop.id,
            title: self.workshop.title,
            room: self.workshop.room,
            trainer: self.workshop.trainer,
            starts_at: in_zone(self.workshop.starts_at, tz),
            capacity: self.workshop.capacity,
            specialist_label: self.workshop.specialist_label,
            confirmed: self.confirmed,
            waitlisted: self.waitlisted,
            attended: self.attended,
        }
    }
}

impl StopRow {
    /// A stop's row of the tour overview.
    pub fn new(stop: &Stop, counts: &Counts) -> Self {
        let starts_at = in_zone(stop.starts_at, stop.timezone.tz());
        Self {
            stop_id: stop.id.clone(),
            city: stop.city.clone(),
            date: starts_at.date_naive(),
            starts_at,
            figures: Figures::from(counts),
        }
    }
}

impl TargetProgress {
    /// How far the tour's `total` got towards `value` outcomes of a kind.
    pub fn new(outcome: String, value: i32, total: &Counts) -> Self {
        let reached = total.outcomes.get(&outcome).copied().unwrap_or(0);
        Self {
            progress: ratio(reached, i64::from(value)).unwrap_or(0.0),
            outcome,
            value,
            reached,
        }
    }
}

impl TourAnalytics {
    /// The overview of `tour` from its stops' rows and their `total`.
    pub fn new(
        tour: Tour,
        stops: Vec<StopRow>,
        total: &Counts,
        targets: Vec<TargetProgress>,
    ) -> Self {
        Self {
            tour_id: tour.id,
            name: tour.name,
            average_per_stop: average_per_stop(total, stops.len()),
            funnel: Funnel {
                registered: total.registered,
                checked_in: total.checked_in,
                attended_workshop: total.attended_workshop,
                outcomes: total.outcomes.clone(),
            },
            totals: Figures::from(total),
            stops,
            targets,
        }
    }
}
/// Counts divided by the number of stops (rounded to units), rates left as the totals' rates.
fn average_per_stop(total: &Counts, stops: usize) -> Figures {
    let mut figures = Figures::from(total);
    let Ok(n) = i64::try_from(stops) else {
        return figures;
    };
    if n == 0 {
        return figures;
    }
    let per_stop = |v: i64| (v + n / 2) / n;
    figures.registered = per_stop(total.registered);
    figures.confirmed = per_stop(total.confirmed);
    figures.waitlisted = per_stop(total.waitlisted);
    figures.cancelled = per_stop(total.cancelled);
    figures.walk_ins = per_stop(total.walk_ins);
    figures.checked_in = per_stop(total.checked_in);
    figures.no_shows = per_stop(total.no_shows());
    figures.attended_workshop = per_stop(total.attended_workshop);
    figures.feedback.responses = per_stop(total.responses);
    for map in [
        &mut figures.complaints,
        &mut figures.complaints_by_status,
        &mut figures.outcomes,
    ] {
        for value in map.values_mut() {
            *value = per_stop(*value);
        }
    }
    figures
}
