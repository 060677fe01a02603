//! A large generated tour for the analytics benchmark (`roadshow bench-data`, `bench/analytics.sh`).
//!
//! Rows go straight into the tables in multi-row inserts: going through the services would take
//! hours for 200,000 registrations and would queue their e-mails. What the services keep
//! consistent is kept here too: seat counters match the confirmed registrations and enrolments,
//! every check-in points at its `ok` scan, only attendees who came are asked for feedback,
//! complaints come from feedback answers, outcomes from attendees. The same sizes always give the
//! same rows (seeded generator, no clock).

mod attendees;
mod feedback;
mod rows;
mod tour;
mod units;

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::sample_data::dice::Dice;

/// How big a tour to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargeTour {
    pub stops: u32,
    pub registrations: u64,
    /// Entrance and workshop scans together; each one is a check-in.
    pub scans: u64,
    /// Feedback answers.
    pub feedback: u64,
}

impl LargeTour {
    /// The size the analytics benchmark is specified on.
    pub const DEFAULT: Self = Self {
        stops: 20,
        registrations: 200_000,
        scans: 150_000,
        feedback: 30_000,
    };

    /// `factor` times the rows. The number of stops stays, so that every stop grows too and the
    /// stop detail is measured at the larger size as well.
    pub fn scaled(self, factor: u64) -> Self {
        Self {
            stops: self.stops,
            registrations: self.registrations.saturating_mul(factor),
            scans: self.scans.saturating_mul(factor),
            feedback: self.feedback.saturating_mul(factor),
        }
    }
}

impl Default for LargeTour {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What was written, and how long it took.
#[derive(Debug, Default)]
pub struct Summary {
    pub tour_id: String,
    /// The stop with the most registrations: the one whose detail page is the slowest.
    pub busiest_stop_id: String,
    pub busiest_stop_city: String,
    pub busiest_stop_registrations: u64,
    pub stops: u64,
    pub workshops: u64,
    pub registrations: u64,
    pub confirmed: u64,
    pub enrolments: u64,
    pub entrance_scans: u64,
    pub workshop_scans: u64,
    pub feedback_requests: u64,
    pub feedback: u64,
    pub complaints: u64,
    pub outcomes: u64,
    /// Writing the rows.
    pub rows_took: Duration,
    /// What the database does afterwards (statistics, WAL checkpoint).
    pub maintenance_took: Duration,
}

/// The tour's slug.
pub const LARGE_TOUR_SLUG: &str = "bench-large-tour";

/// Rows per INSERT statement. The widest row (registrations) has 17 columns: 17,000 bound
/// parameters, under SQLite's 32,766 and PostgreSQL's 65,535.
pub(super) const ROWS_PER_INSERT: usize = 1000;
/// Attendees generated, then written, at a time: memory stays flat at ten times the size.
pub(super) const ATTENDEES_PER_BATCH: u64 = 2000;

/// 90 % confirmed, 5 % waitlisted, 5 % cancelled.
pub(super) const CONFIRMED_PERCENT: u64 = 90;
pub(super) const WAITLISTED_PERCENT: u64 = 5;
/// The share of confirmed attendees who come, when the scans asked for allow it.
const ENTRANCE_SHARE: f64 = 0.75;
/// Chance of enrolling in each workshop: the label one, one of the two afternoon ones, licensing.
pub(super) const LABEL_PERCENT: u64 = 44;
pub(super) const AFTERNOON_PERCENT: u64 = 80;
pub(super) const LICENSING_PERCENT: u64 = 30;
const ENROLMENTS_PER_ATTENDEE: f64 =
    (LABEL_PERCENT + AFTERNOON_PERCENT + LICENSING_PERCENT) as f64 / 100.0;

/// Loads the large tour into a database without tours (refused otherwise, like the demo, so
/// that generated data never mixes with real data). Migrations must have run.
///
/// The tour and its stops are written in one transaction, then each stop's attendees in
/// transactions of [`ATTENDEES_PER_BATCH`] attendees, so that SQLite's WAL stays small at ten
/// times the size and PostgreSQL's updated rows can be pruned as the load goes. A load
/// that fails half-way leaves a partial tour: start again from an empty database.
pub fn load_large_tour(conn: &mut DbConnection, size: LargeTour) -> Result<Summary, AppError> {
    if !crate::tours::service::is_empty(conn)? {
        return Err(AppError::Conflict(
            "the database already holds tours: the large tour is only loaded into an empty \
             database"
                .into(),
        ));
    }
    if size.stops == 0 {
        return Err(AppError::BadRequest(
            "a tour needs at least one stop".into(),
        ));
    }
    let started = Instant::now();
    if let DbConnection::Sqlite(_) = conn {
        // Random UUID keys land all over the indexes: a page cache bigger than SQLite's 2 MB
        // default saves reading the same pages again and again (this connection only).
        conn.batch_execute("PRAGMA cache_size = -262144")?;
    }
    let mut dice = Dice(0x005E_ED0F_700B);
    let rates = Rates::for_size(&size);
    let plans =
        crate::db::write_transaction(conn, |conn| tour::write_tour(conn, &size, &mut dice))?;
    let mut summary = Summary {
        tour_id: plans
            .first()
            .map(|p| p.stop.tour_id.clone())
            .unwrap_or_default(),
        stops: plans.len() as u64,
        workshops: plans.iter().map(|p| p.workshops.len() as u64).sum(),
        ..Summary::default()
    };
    let mut serial = 0;
    for plan in &plans {
        let counts = attendees::write_attendees(conn, plan, &rates, &mut dice, &mut serial)?;
        tracing::info!(
            city = %plan.stop.city,
            registrations = counts.registrations,
            "bench data: stop written"
        );
        if counts.registrations > summary.busiest_stop_registrations {
            summary.busiest_stop_id = plan.stop.id.clone();
            summary.busiest_stop_city = plan.stop.city.clone();
            summary.busiest_stop_registrations = counts.registrations;
        }
        summary.add(&counts);
    }
    summary.rows_took = started.elapsed();
    let maintenance = Instant::now();
    match conn {
        // What autovacuum would have done by the time anyone looks: planner statistics, and
        // the visibility map that lets index-only scans skip the table. First, what it would
        // not: the counters rewritten compact. Each INSERT of 1,000 registrations made its
        // triggers update a stop's few counters a thousand times before any old version could
        // be pruned, which leaves most of the counters' pages empty; requests write a few rows
        // per transaction and leave them compact (`bench/registration.sh` prints their size).
        // Two calls: statements sent together run as one transaction, which VACUUM refuses.
        DbConnection::Pg(_) => {
            conn.batch_execute("VACUUM (FULL) analytics_counts, analytics_totals")?;
            conn.batch_execute("VACUUM (ANALYZE)")?
        }
        // Fold the WAL into the database file, so that the server starts on a settled file.
        // No ANALYZE: the application never runs it, so the benchmark must not either.
        DbConnection::Sqlite(_) => conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?,
    }
    summary.maintenance_took = maintenance.elapsed();
    Ok(summary)
}

impl Summary {
    fn add(&mut self, counts: &Summary) {
        self.registrations += counts.registrations;
        self.confirmed += counts.confirmed;
        self.enrolments += counts.enrolments;
        self.entrance_scans += counts.entrance_scans;
        self.workshop_scans += counts.workshop_scans;
        self.feedback_requests += counts.feedback_requests;
        self.feedback += counts.feedback;
        self.complaints += counts.complaints;
        self.outcomes += counts.outcomes;
    }
}

/// Per-attendee chances chosen so that the totals come out near the sizes asked for.
#[derive(Debug)]
pub(super) struct Rates {
    /// A confirmed attendee comes (entrance scan).
    pub(super) entrance: f64,
    /// An attendee who came is scanned at the door of a workshop they enrolled in.
    pub(super) workshop_scan: f64,
    /// An attendee who came answers the feedback form.
    pub(super) feedback: f64,
}

impl Rates {
    fn for_size(size: &LargeTour) -> Self {
        let confirmed = size.registrations as f64 * CONFIRMED_PERCENT as f64 / 100.0;
        let scans = size.scans as f64;
        let entrance = if confirmed > 0.0 {
            (scans / confirmed).min(ENTRANCE_SHARE)
        } else {
            0.0
        };
        let present = confirmed * entrance;
        let per_present = |wanted: f64| {
            if present > 0.0 {
                (wanted / present).clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        Self {
            entrance,
            workshop_scan: per_present((scans - present) / ENROLMENTS_PER_ATTENDEE),
            feedback: per_present(size.feedback as f64),
        }
    }
}
