//! The analytics of a stop and of a tour as the API serves them and the dashboards show them.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::cache;
use super::figures::{self, AttendeeFilter, Counts, WorkshopFigures, ratio, zone_of};
use crate::db::DbConnection;
use crate::error::{AppError, FieldErrors};
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES};
use crate::time::in_zone;
use crate::tours::store::{self as tours, Stop};

/// Checks the dashboard filters typed in a query string (empty means "everyone").
pub fn parse_filter(
    company_size: Option<&str>,
    partner_type: Option<&str>,
) -> Result<AttendeeFilter, AppError> {
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
    let filter = AttendeeFilter {
        company_size: pick(company_size, COMPANY_SIZES, "company_size", &mut errors),
        partner_type: pick(partner_type, PARTNER_TYPES, "partner_type", &mut errors),
    };
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(AppError::Invalid(errors))
    }
}

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

impl From<&Counts> for Figures {
    fn from(c: &Counts) -> Self {
        let complaints_by_status = crate::complaints::service::STATUSES
            .iter()
            .map(|s| ((*s).to_owned(), c.complaints_with_status(&[s])))
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
    pub timezone: String,
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

/// The analytics of a stop, reused for a few seconds (see `cache`).
pub async fn cached_stop(
    state: &crate::state::AppState,
    stop_id: String,
    filter: AttendeeFilter,
) -> Result<Arc<StopAnalytics>, AppError> {
    let key = cache::key(&stop_id, &filter);
    if let Some(fresh) = state.analytics.stops.fresh(&key) {
        return Ok(fresh);
    }
    let computed = Arc::new(
        crate::db::run(&state.pool, move |conn| {
            stop_analytics(conn, &stop_id, &filter)
        })
        .await?,
    );
    state.analytics.stops.keep(key, Arc::clone(&computed));
    Ok(computed)
}

/// The analytics of a tour, reused for a few seconds (see `cache`).
pub async fn cached_tour(
    state: &crate::state::AppState,
    tour_id: String,
    filter: AttendeeFilter,
) -> Result<Arc<TourAnalytics>, AppError> {
    let key = cache::key(&tour_id, &filter);
    if let Some(fresh) = state.analytics.tours.fresh(&key) {
        return Ok(fresh);
    }
    let computed = Arc::new(
        crate::db::run(&state.pool, move |conn| {
            tour_analytics(conn, &tour_id, &filter)
        })
        .await?,
    );
    state.analytics.tours.keep(key, Arc::clone(&computed));
    Ok(computed)
}

/// The analytics of one stop.
pub fn stop_analytics(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
) -> Result<StopAnalytics, AppError> {
    let stop = tours::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let tz = zone_of(&stop);
    let counts = figures::counts_by_stop(conn, std::slice::from_ref(&stop.id), filter)?
        .remove(&stop.id)
        .unwrap_or_default();
    let workshops = figures::workshops_of(conn, &stop.id, filter)?
        .into_iter()
        .map(|w| workshop_row(w, counts.checked_in, tz))
        .collect();
    let window = figures::arrival_window(stop.starts_at, stop.ends_at);
    let arrivals = figures::arrivals(conn, &stop.id, tz, window, filter)?
        .into_iter()
        .map(|(at, count)| ArrivalBucket { at, count })
        .collect();
    let registrations_per_day = figures::registrations_per_day(conn, &stop.id, tz, filter)?
        .into_iter()
        .map(|(date, count)| DayCount { date, count })
        .collect();
    let quotes = crate::feedback::summary::for_stop(conn, &stop.id)?
        .quotes
        .into_iter()
        .map(|(feedback_id, text)| Quote { feedback_id, text })
        .collect();
    Ok(StopAnalytics {
        stop_id: stop.id.clone(),
        tour_id: stop.tour_id.clone(),
        city: stop.city.clone(),
        venue: stop.venue.clone(),
        timezone: stop.timezone.clone(),
        starts_at: in_zone(stop.starts_at, tz),
        ends_at: in_zone(stop.ends_at, tz),
        figures: Figures::from(&counts),
        workshops,
        arrivals,
        registrations_per_day,
        quotes,
    })
}

fn workshop_row(w: WorkshopFigures, checked_in: i64, tz: chrono_tz::Tz) -> WorkshopRow {
    WorkshopRow {
        fill_rate: w.fill_rate(),
        share_of_attendees: ratio(w.attended, checked_in),
        workshop_id: w.workshop.id,
        title: w.workshop.title,
        room: w.workshop.room,
        trainer: w.workshop.trainer,
        starts_at: in_zone(w.workshop.starts_at, tz),
        capacity: w.workshop.capacity,
        specialist_label: w.workshop.specialist_label,
        confirmed: w.confirmed,
        waitlisted: w.waitlisted,
        attended: w.attended,
    }
}

/// The analytics of a tour: a row per stop, totals, the funnel and the targets.
pub fn tour_analytics(
    conn: &mut DbConnection,
    tour_id: &str,
    filter: &AttendeeFilter,
) -> Result<TourAnalytics, AppError> {
    let tour = tours::find_tour(conn, tour_id)?.ok_or(AppError::NotFound("tour"))?;
    let stops: Vec<Stop> = tours::list_stops(conn, &tour.id)?;
    let ids: Vec<String> = stops.iter().map(|s| s.id.clone()).collect();
    let mut counts = figures::counts_by_stop(conn, &ids, filter)?;
    let mut total = Counts::default();
    let rows: Vec<StopRow> = stops
        .iter()
        .map(|stop| {
            let c = counts.remove(&stop.id).unwrap_or_default();
            total.add(&c);
            let tz = zone_of(stop);
            let starts_at = in_zone(stop.starts_at, tz);
            StopRow {
                stop_id: stop.id.clone(),
                city: stop.city.clone(),
                date: starts_at.date_naive(),
                starts_at,
                figures: Figures::from(&c),
            }
        })
        .collect();
    let targets = figures::targets(conn, &tour.id)?
        .into_iter()
        .map(|(outcome, value)| {
            let reached = total.outcomes.get(&outcome).copied().unwrap_or(0);
            TargetProgress {
                progress: ratio(reached, i64::from(value)).unwrap_or(0.0),
                outcome,
                value,
                reached,
            }
        })
        .collect();
    Ok(TourAnalytics {
        tour_id: tour.id,
        name: tour.name,
        average_per_stop: average_per_stop(&total, rows.len()),
        funnel: Funnel {
            registered: total.registered,
            checked_in: total.checked_in,
            attended_workshop: total.attended_workshop,
            outcomes: total.outcomes.clone(),
        },
        totals: Figures::from(&total),
        stops: rows,
        targets,
    })
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
