//! The use cases of analytics: a stop's and a tour's figures (kept a few seconds in the
//! `AnalyticsCache`), the attendee pages, a picked quote, an outcome recorded, and the rows of
//! the exports. Handlers call these and nothing below them.
//!
//! Every figure is read from the counters the database keeps (`counts`, `store::counters`):
//! one query for all the stops asked for, whatever the number of registrations. The stop
//! detail buckets the counters of UTC quarter hours in the stop's local time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::cache::{self, Snapshots};
use super::counts;
use super::figures::{self, AttendeeFilter, Counts, WorkshopFigures};
use super::report::{
    ArrivalBucket, DayCount, Figures, Quote, StopAnalytics, StopRow, TargetProgress, TourAnalytics,
};
use super::store::{self, ExportedAnswer, ExportedComplaint, ExportedRegistration, Metric};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::registrations::domain::RegistrationStatus;
use crate::state::AppState;
use crate::time::in_zone;
use crate::tours::store::{self as tours, Stop, Tour};

// ---- the figures ----

/// What `compute` makes of `id` seen through `filter`: kept in `snapshots` a few seconds (see
/// `cache`), so that many readers of one dashboard cost one computation.
async fn cached<T: Send + Sync + 'static>(
    pool: &DbPool,
    snapshots: &Snapshots<T>,
    (id, filter): (String, AttendeeFilter),
    compute: fn(&mut DbConnection, &str, &AttendeeFilter) -> Result<T, AppError>,
) -> Result<Arc<T>, AppError> {
    let key = cache::key(&id, &filter);
    if let Some(fresh) = snapshots.fresh(&key) {
        return Ok(fresh);
    }
    let computed = Arc::new(db::run(pool, move |conn| compute(conn, &id, &filter)).await?);
    snapshots.keep(key, Arc::clone(&computed));
    Ok(computed)
}

/// The analytics of a stop, reused for a few seconds.
pub async fn cached_stop(
    state: &AppState,
    stop_id: String,
    filter: AttendeeFilter,
) -> Result<Arc<StopAnalytics>, AppError> {
    let stops = &state.analytics.stops;
    cached(&state.pool, stops, (stop_id, filter), stop_analytics).await
}

/// The analytics of a tour, reused for a few seconds.
pub async fn cached_tour(
    state: &AppState,
    tour_id: String,
    filter: AttendeeFilter,
) -> Result<Arc<TourAnalytics>, AppError> {
    let tours = &state.analytics.tours;
    cached(&state.pool, tours, (tour_id, filter), tour_analytics).await
}

/// The analytics of one stop.
pub fn stop_analytics(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
) -> Result<StopAnalytics, AppError> {
    let stop = tours::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    let tz = stop.timezone.tz();
    let counts = counts_by_stop(conn, std::slice::from_ref(&stop.id), filter)?
        .remove(&stop.id)
        .unwrap_or_default();
    let workshops = workshops_of(conn, &stop.id, filter)?
        .into_iter()
        .map(|w| w.row(counts.checked_in, tz))
        .collect();
    let arrivals = arrivals(conn, &stop, filter)?
        .into_iter()
        .map(|(at, count)| ArrivalBucket { at, count })
        .collect();
    let times = counts::by_quarter_hour(conn, &stop.id, Metric::RegisteredAt, filter)?;
    let registrations_per_day = figures::per_day(&times, tz)
        .into_iter()
        .map(|(date, count)| DayCount { date, count })
        .collect();
    let quotes = crate::feedback::summary::list_quotes(conn, &stop.id)?
        .into_iter()
        .map(|(feedback_id, text)| Quote { feedback_id, text })
        .collect();
    Ok(StopAnalytics {
        stop_id: stop.id.clone(),
        tour_id: stop.tour_id.clone(),
        city: stop.city.clone(),
        venue: stop.venue.clone(),
        timezone: stop.timezone,
        starts_at: in_zone(stop.starts_at, tz),
        ends_at: in_zone(stop.ends_at, tz),
        figures: Figures::from(&counts),
        workshops,
        arrivals,
        registrations_per_day,
        quotes,
    })
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
    let mut counts = counts_by_stop(conn, &ids, filter)?;
    let mut total = Counts::default();
    let rows: Vec<StopRow> = stops
        .iter()
        .map(|stop| {
            let c = counts.remove(&stop.id).unwrap_or_default();
            total.add(&c);
            StopRow::new(stop, &c)
        })
        .collect();
    let targets = store::list_targets(conn, &tour.id)?
        .into_iter()
        .map(|t| TargetProgress::new(t.outcome, t.value, &total))
        .collect();
    Ok(TourAnalytics::new(tour, rows, &total, targets))
}

pub use super::counts::counts_by_stop;

/// The workshops of a stop with their enrolments and attendance, in programme order.
fn workshops_of(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
) -> Result<Vec<WorkshopFigures>, AppError> {
    let list = tours::list_workshops(conn, stop_id)?;
    let enrolled = counts::by_subject(conn, stop_id, Metric::Enrolment, filter)?;
    let checked_in = counts::by_subject(conn, stop_id, Metric::CheckIn, filter)?;
    let rooms = store::list_checkpoint_roles(conn, &[stop_id.to_owned()])?;
    Ok(list
        .into_iter()
        .map(|workshop| {
            let count = |status: RegistrationStatus| {
                let subject = format!("{}/{}", workshop.id, status.as_str());
                enrolled.get(&subject).copied().unwrap_or(0)
            };
            let attended = rooms
                .iter()
                .filter(|r| r.workshop_id.as_deref() == Some(workshop.id.as_str()))
                .filter_map(|r| checked_in.get(&r.id))
                .sum();
            WorkshopFigures {
                confirmed: count(RegistrationStatus::Confirmed),
                waitlisted: count(RegistrationStatus::Waitlisted),
                attended,
                workshop,
            }
        })
        .collect())
}

/// First entrance scans of a stop by quarter hour of its local time (see
/// `figures::arrival_window`: arrivals outside it count in its first or last bucket, so that
/// the total still matches the check-ins).
fn arrivals(
    conn: &mut DbConnection,
    stop: &Stop,
    filter: &AttendeeFilter,
) -> Result<Vec<(chrono::DateTime<chrono::FixedOffset>, i64)>, AppError> {
    let (from, to) = figures::arrival_window(stop.starts_at, stop.ends_at);
    // The counters are by UTC quarter hour: clamping the quarter's start puts it in the same
    // bucket as clamping each scan time would have.
    let times: Vec<(NaiveDateTime, i64)> =
        counts::by_quarter_hour(conn, &stop.id, Metric::Arrival, filter)?
            .into_iter()
            .map(|(at, n)| (at.clamp(from, to), n))
            .collect();
    Ok(figures::quarter_hours(&times, stop.timezone.tz()))
}

// ---- the dashboards ----

/// The tours marketing can look at, `(id, name)`.
pub async fn list_tours(pool: &DbPool) -> Result<Vec<(String, String)>, AppError> {
    db::run(pool, |conn| {
        Ok(crate::tours::service::list_tours(conn)?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect())
    })
    .await
}

/// Everything the stop page shows: the stop, its tour (for the averages) and, when asked, the
/// latest comments to pick quotes from.
pub struct StopDashboard {
    pub stop: Arc<StopAnalytics>,
    pub tour: Arc<TourAnalytics>,
    /// `(feedback id, text, picked)`, newest first.
    pub comments: Vec<(String, String, bool)>,
}

/// How many comments the stop page offers to pick from.
const COMMENTS_SHOWN: i64 = 40;

/// The stop page's data; the comments only `with_comments` (the live part has none).
pub async fn stop_dashboard(
    state: &AppState,
    stop_id: String,
    filter: AttendeeFilter,
    with_comments: bool,
) -> Result<StopDashboard, AppError> {
    let stop = cached_stop(state, stop_id.clone(), filter.clone()).await?;
    let tour = cached_tour(state, stop.tour_id.clone(), filter).await?;
    let comments = if with_comments {
        db::run(&state.pool, move |conn| {
            crate::feedback::summary::recent_comments(conn, &stop_id, COMMENTS_SHOWN)
        })
        .await?
    } else {
        Vec::new()
    };
    Ok(StopDashboard {
        stop,
        tour,
        comments,
    })
}

/// Picks (or drops) a comment as a quote; the cached stops are forgotten, as marketing goes
/// back to the stop's page and expects the quote there.
pub async fn pick_quote(
    state: &AppState,
    feedback_id: String,
    pick: bool,
    actor: crate::audit::Actor,
) -> Result<(), AppError> {
    db::transaction(&state.pool, move |conn| {
        crate::feedback::summary::select_quote(conn, &feedback_id, pick)?;
        let action = if pick {
            "feedback.quote_picked"
        } else {
            "feedback.quote_dropped"
        };
        crate::audit::record(
            conn,
            Some(&actor),
            crate::audit::Change::new(action, "feedback", &feedback_id),
        )
    })
    .await?;
    state.analytics.stops.clear();
    Ok(())
}

// ---- exports ----

/// A file about to be downloaded.
#[derive(Debug, Clone)]
pub struct Export {
    /// `attendees`, `overview`, `feedback`, `complaints`.
    pub file: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    /// `csv` or `xlsx`.
    pub format: String,
    pub filter: AttendeeFilter,
}

/// The use case "download an export": recorded in the audit log (who took which file of whose
/// data) before it is sent, as a file of attendees leaves roadshow's control once downloaded.
pub async fn record_export(
    pool: &DbPool,
    actor: crate::audit::Actor,
    export: Export,
) -> Result<(), AppError> {
    let change =
        crate::audit::Change::new("export.downloaded", export.target_type, export.target_id).with(
            serde_json::json!({
                "file": export.file,
                "format": export.format,
                "partner_type": export.filter.partner_type,
                "company_size": export.filter.company_size,
            }),
        );
    db::transaction(pool, move |conn| {
        crate::audit::record(conn, Some(&actor), change)
    })
    .await
}

// ---- attendees ----

/// A stop's attendees matching a search, with their arrival times.
pub struct AttendeeList {
    pub stop: Stop,
    pub found: Vec<std::sync::Arc<crate::registrations::search::Shown>>,
    /// registration id → first entrance scan.
    pub arrivals: HashMap<String, NaiveDateTime>,
}

/// Up to `limit` attendees of a stop found by `search` (see `registrations::search`); all of
/// them, by name, when it has no words.
pub async fn search_attendees(
    pool: &DbPool,
    index: std::sync::Arc<crate::registrations::search::SearchIndex>,
    stop_id: String,
    search: String,
    limit: i64,
) -> Result<AttendeeList, AppError> {
    db::run(pool, move |conn| {
        let stop = tours::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))?;
        let terms = crate::registrations::search::terms(&search);
        let (found, arrivals) = crate::checkin::search::find_with_entrance_times(
            conn, &index, &stop.id, &terms, limit,
        )?;
        Ok(AttendeeList {
            stop,
            found,
            arrivals,
        })
    })
    .await
}

/// Everything the attendee page shows.
pub struct Attendee {
    pub registration: crate::registrations::store::Registration,
    pub stop: Stop,
    pub scans: Vec<store::ScanLine>,
    pub answer: Option<store::Answer>,
    pub complaints: Vec<store::ComplaintLine>,
    pub outcomes: Vec<crate::outcomes::store::Outcome>,
    /// The outcome kinds the tour aims at.
    pub targets: Vec<String>,
}

/// An attendee and what happened to them.
pub async fn attendee(pool: &DbPool, id: String) -> Result<Attendee, AppError> {
    db::run(pool, move |conn| {
        let registration = crate::registrations::store::find_registration(conn, &id)?
            .ok_or(AppError::NotFound("registration"))?;
        let stop =
            tours::find_stop(conn, &registration.stop_id)?.ok_or(AppError::NotFound("stop"))?;
        Ok(Attendee {
            scans: store::list_scans_of(conn, &id)?,
            answer: store::find_answer(conn, &id)?,
            complaints: store::list_complaints_of(conn, &id)?,
            outcomes: crate::outcomes::store::list_for_registration(conn, &id)?,
            targets: store::list_targets(conn, &stop.tour_id)?
                .into_iter()
                .map(|t| t.outcome)
                .collect(),
            registration,
            stop,
        })
    })
    .await
}

// ---- exports ----

/// A stop, 404 when unknown.
pub async fn find_stop(pool: &DbPool, stop_id: String) -> Result<Stop, AppError> {
    db::run(pool, move |conn| {
        tours::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))
    })
    .await
}

/// A registration with what the attendee export adds to it.
pub struct ExportedAttendee {
    pub registration: ExportedRegistration,
    /// The first entrance scan (UTC).
    pub arrived_at: Option<NaiveDateTime>,
    /// Titles of the workshops enrolled in, then of those attended.
    pub enrolled: Vec<String>,
    pub attended: Vec<String>,
    pub answered: bool,
    /// Kinds of the outcomes recorded.
    pub outcomes: Vec<String>,
}

/// The next page of a stop's attendees after `after` (`(created_at, id)` of the last one sent).
pub fn attendee_page(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<ExportedAttendee>, AppError> {
    let page = store::list_registrations_page(conn, stop_id, filter, after, limit)?;
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = page.iter().map(|r| r.id.clone()).collect();
    let scans = store::list_scans_of_registrations(conn, &ids)?;
    let titles: HashMap<String, String> = store::list_workshop_titles(conn, stop_id)?
        .into_iter()
        .collect();
    let enrolled = store::list_enrolments_of(conn, &ids)?;
    let answered: HashSet<String> = store::list_answered(conn, &ids)?.into_iter().collect();
    let follow_ups = store::list_outcomes_of(conn, &ids)?;
    let title = |w: &String| titles.get(w).cloned();
    Ok(page
        .into_iter()
        .map(|r| {
            let mine = || scans.iter().filter(|s| s.registration_id == r.id);
            ExportedAttendee {
                arrived_at: mine().find(|s| s.kind == "entrance").map(|s| s.scanned_at),
                attended: mine()
                    .filter_map(|s| s.workshop_id.as_ref())
                    .filter_map(title)
                    .collect(),
                enrolled: enrolled
                    .iter()
                    .filter(|(id, _)| *id == r.id)
                    .filter_map(|(_, w)| title(w))
                    .collect(),
                answered: answered.contains(&r.id),
                outcomes: follow_ups
                    .iter()
                    .filter(|(id, _)| *id == r.id)
                    .map(|(_, kind)| kind.clone())
                    .collect(),
                registration: r,
            }
        })
        .collect())
}

/// A tour and the rows `list` reads of it, 404 when the tour is unknown.
async fn tour_with<T: Send + 'static>(
    pool: &DbPool,
    tour_id: String,
    list: fn(&mut DbConnection, &str) -> diesel::QueryResult<Vec<T>>,
) -> Result<(Tour, Vec<T>), AppError> {
    db::run(pool, move |conn| {
        let tour = tours::find_tour(conn, &tour_id)?.ok_or(AppError::NotFound("tour"))?;
        let rows = list(conn, &tour.id)?;
        Ok((tour, rows))
    })
    .await
}

/// A tour and its attendees' answers.
pub async fn tour_answers(
    pool: &DbPool,
    tour_id: String,
) -> Result<(Tour, Vec<ExportedAnswer>), AppError> {
    tour_with(pool, tour_id, store::list_tour_answers).await
}

/// A tour and its complaints.
pub async fn tour_complaints(
    pool: &DbPool,
    tour_id: String,
) -> Result<(Tour, Vec<ExportedComplaint>), AppError> {
    tour_with(pool, tour_id, store::list_tour_complaints).await
}
