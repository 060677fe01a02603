//! A large generated tour for the analytics benchmark (`roadshow bench-data`, `bench/analytics.sh`).
//!
//! Rows go straight into the tables in multi-row inserts: going through the services would take
//! hours for 200,000 registrations and would queue their e-mails. What the services keep
//! consistent is kept here too: seat counters match the confirmed registrations and enrolments,
//! every check-in points at its `ok` scan, only attendees who came are asked for feedback,
//! complaints come from feedback answers, outcomes from attendees. The same sizes always give the
//! same rows (seeded generator, no clock).

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::Tz;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::checkin::store::CheckIn;
use crate::complaints::store::{Complaint, ComplaintEvent};
use crate::db::DbConnection;
use crate::db::schema::{
    check_ins, complaint_events, complaints, enrolments, feedback, feedback_requests, outcomes,
    registrations, scans, stops, workshops,
};
use crate::error::AppError;
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES};
use crate::registrations::store::Enrolment;
use crate::tours::store::{self as tours_store, Checkpoint, Stop, Tour, TourTarget, Workshop};

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
const ROWS_PER_INSERT: usize = 1000;
/// Attendees generated, then written, at a time: memory stays flat at ten times the size.
const ATTENDEES_PER_BATCH: u64 = 2000;

/// 90 % confirmed, 5 % waitlisted, 5 % cancelled.
const CONFIRMED_PERCENT: u64 = 90;
const WAITLISTED_PERCENT: u64 = 5;
/// The share of confirmed attendees who come, when the scans asked for allow it.
const ENTRANCE_SHARE: f64 = 0.75;
/// Chance of enrolling in each workshop: the label one, one of the two afternoon ones, licensing.
const LABEL_PERCENT: u64 = 44;
const AFTERNOON_PERCENT: u64 = 80;
const LICENSING_PERCENT: u64 = 30;
const ENROLMENTS_PER_ATTENDEE: f64 =
    (LABEL_PERCENT + AFTERNOON_PERCENT + LICENSING_PERCENT) as f64 / 100.0;

/// Loads the large tour into a database without tours (refused otherwise, like the demo, so
/// that generated data never mixes with real data). Migrations must have run.
///
/// The tour and its stops are written in one transaction, then each stop's attendees in one
/// transaction of their own, so that SQLite's WAL stays small at ten times the size. A load
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
    let plans = crate::db::write_transaction(conn, |conn| write_tour(conn, &size, &mut dice))?;
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
        let counts = crate::db::write_transaction(conn, |conn| {
            write_attendees(conn, plan, &rates, &mut dice, &mut serial)
        })?;
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
        // the visibility map that lets index-only scans skip the table.
        DbConnection::Pg(_) => conn.batch_execute("VACUUM (ANALYZE)")?,
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
struct Rates {
    /// A confirmed attendee comes (entrance scan).
    entrance: f64,
    /// An attendee who came is scanned at the door of a workshop they enrolled in.
    workshop_scan: f64,
    /// An attendee who came answers the feedback form.
    feedback: f64,
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

/// How the day went at a stop, as its feedback shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mood {
    Good,
    Mixed,
    Bitter,
}

/// A stop as written, with what its attendees need.
struct StopPlan {
    stop: Stop,
    registrations: u64,
    /// Label workshop first, then the two afternoon ones, then licensing.
    workshops: Vec<Workshop>,
    entrance: Checkpoint,
    /// The checkpoint of each workshop, in the same order.
    workshop_checkpoints: Vec<Checkpoint>,
    /// Local midnight of the stop's day, as UTC (the offset does not change during the day).
    local_midnight: NaiveDateTime,
    mood: Mood,
    city_slug: String,
    /// The stop's day, local.
    day: NaiveDate,
    /// Outcomes fall between three days after the stop and this day.
    last_outcome_day: NaiveDate,
}

impl StopPlan {
    /// `minutes` after local midnight of the stop's day, as UTC.
    fn local(&self, minutes: u64) -> NaiveDateTime {
        self.local_midnight + minutes_i64(minutes)
    }
}

/// `(city, venue, time zone, weight)`: the weight sets the stop's share of the registrations.
const CITIES: &[(&str, &str, &str, u64)] = &[
    ("Paris", "Palais des Congrès de Paris", "Europe/Paris", 220),
    ("Lyon", "Centre de Congrès de Lyon", "Europe/Paris", 160),
    ("Lille", "Lille Grand Palais", "Europe/Paris", 110),
    ("Nantes", "Cité des Congrès de Nantes", "Europe/Paris", 100),
    (
        "Bordeaux",
        "Palais des Congrès de Bordeaux",
        "Europe/Paris",
        105,
    ),
    ("Marseille", "Palais du Pharo", "Europe/Paris", 120),
    (
        "Strasbourg",
        "Palais de la Musique et des Congrès",
        "Europe/Paris",
        95,
    ),
    (
        "Toulouse",
        "Centre de Congrès Pierre Baudis",
        "Europe/Paris",
        110,
    ),
    ("Rennes", "Couvent des Jacobins", "Europe/Paris", 80),
    ("Nice", "Acropolis", "Europe/Paris", 85),
    (
        "Fort-de-France",
        "Palais des Congrès de Madiana",
        "America/Martinique",
        35,
    ),
    ("Montpellier", "Le Corum", "Europe/Paris", 90),
    ("Dijon", "Palais des Congrès de Dijon", "Europe/Paris", 60),
    ("Grenoble", "Alpexpo", "Europe/Paris", 70),
    ("Tours", "Centre de Congrès Vinci", "Europe/Paris", 55),
    ("Rouen", "Parc des Expositions", "Europe/Paris", 60),
    ("Clermont-Ferrand", "Polydome", "Europe/Paris", 55),
    ("Saint-Denis", "Parc des Expositions", "Indian/Reunion", 30),
    (
        "Metz",
        "Centre des Congrès Robert Schuman",
        "Europe/Paris",
        50,
    ),
    (
        "Orléans",
        "Centre de Conférences d'Orléans",
        "Europe/Paris",
        45,
    ),
    ("Brest", "Le Quartz", "Europe/Paris", 40),
    ("Angers", "Centre de Congrès d'Angers", "Europe/Paris", 45),
    ("Reims", "Centre des Congrès de Reims", "Europe/Paris", 50),
    ("Caen", "Centre de Congrès de Caen", "Europe/Paris", 45),
];

/// `(title, room, trainer, local start, local end in minutes, specialist label)`.
const WORKSHOPS: &[(&str, &str, &str, u64, u64, bool)] = &[
    (
        "Devenir Spécialiste PME : le label et la certification",
        "Salle A",
        "Nathalie Perrin",
        11 * 60,
        12 * 60 + 30,
        true,
    ),
    (
        "Small Business Server : installer et vendre le serveur des TPE",
        "Salle B",
        "Julien Marchand",
        14 * 60,
        15 * 60 + 30,
        false,
    ),
    (
        "Postes de travail en réseau de 2 à 50 PC",
        "Salle C",
        "Karim Benali",
        14 * 60,
        15 * 60 + 30,
        false,
    ),
    (
        "Licences : comprendre Open, OEM et les nouveaux programmes",
        "Salle D",
        "Hélène Roussel",
        16 * 60,
        17 * 60,
        false,
    ),
];

/// The stops spread over the autumn of 2026, weekdays only.
const FIRST_DAY: (i32, u32, u32) = (2026, 9, 7);
const TOUR_DAYS: u64 = 75;
/// The day the data describes: outcomes are never later (they cannot be in the future).
const DATA_AS_OF: (i32, u32, u32) = (2026, 11, 25);

/// Writes the tour, its target, its stops, workshops and checkpoints.
fn write_tour(
    conn: &mut DbConnection,
    size: &LargeTour,
    dice: &mut Dice,
) -> Result<Vec<StopPlan>, AppError> {
    let created_at = date(2026, 6, 1)?.and_time(chrono::NaiveTime::MIN);
    let tour = Tour {
        id: dice.uuid(),
        slug: LARGE_TOUR_SLUG.into(),
        name: "Tournée de test de charge 2026".into(),
        description: "Generated by `roadshow bench-data` for the analytics benchmark.".into(),
        default_locale: "fr".into(),
        created_at,
    };
    tours_store::insert_tour(conn, &tour)?;
    tours_store::replace_targets(
        conn,
        &tour.id,
        &[TourTarget {
            tour_id: tour.id.clone(),
            outcome: "certification_started".into(),
            value: 550,
        }],
    )?;
    let stop_count = u64::from(size.stops);
    let weights: Vec<u64> = (0..stop_count)
        .map(|i| CITIES[index(i, CITIES.len())].3)
        .collect();
    let total_weight: u64 = weights.iter().sum();
    let mut left = size.registrations;
    let first_day = date(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)?;
    let as_of = date(DATA_AS_OF.0, DATA_AS_OF.1, DATA_AS_OF.2)?;
    let mut plans = Vec::new();
    for (i, weight) in (0..stop_count).zip(&weights) {
        let (city, venue, zone, _) = CITIES[index(i, CITIES.len())];
        // The last stop takes what rounding left, so that the total is exact.
        let registrations = if i + 1 == stop_count {
            left
        } else {
            (u128::from(size.registrations) * u128::from(*weight) / u128::from(total_weight))
                .try_into()
                .unwrap_or(0)
        };
        left -= registrations.min(left);
        let day = weekday_on_or_after(first_day + days(i * TOUR_DAYS / stop_count));
        let tz: Tz = zone
            .parse()
            .map_err(|_| unexpected(format!("unknown time zone {zone}")))?;
        let local_midnight = utc_of_local_midnight(day, tz)?;
        let mood = match dice.next(10) {
            0 => Mood::Bitter,
            1..=3 => Mood::Mixed,
            _ => Mood::Good,
        };
        let stop = Stop {
            id: dice.uuid(),
            tour_id: tour.id.clone(),
            city: city.into(),
            venue: venue.into(),
            address: String::new(),
            timezone: zone.into(),
            starts_at: local_midnight + minutes_i64(9 * 60),
            ends_at: local_midnight + minutes_i64(17 * 60 + 30),
            // Set to the confirmed count once the attendees are written.
            capacity: 1,
            registration_closes_at: Some(local_midnight + minutes_i64(8 * 60)),
            created_at,
            seats_taken: 0,
        };
        tours_store::insert_stop(conn, &stop)?;
        let entrance = Checkpoint {
            id: dice.uuid(),
            stop_id: stop.id.clone(),
            kind: "entrance".into(),
            workshop_id: None,
            name: "Entrance".into(),
        };
        tours_store::insert_checkpoint(conn, &entrance)?;
        let mut workshops = Vec::new();
        let mut workshop_checkpoints = Vec::new();
        for (title, room, trainer, start, end, label) in WORKSHOPS {
            let workshop = Workshop {
                id: dice.uuid(),
                stop_id: stop.id.clone(),
                title: (*title).into(),
                room: (*room).into(),
                trainer: (*trainer).into(),
                starts_at: local_midnight + minutes_i64(*start),
                ends_at: local_midnight + minutes_i64(*end),
                capacity: 1,
                created_at,
                seats_taken: 0,
                specialist_label: *label,
            };
            tours_store::insert_workshop(conn, &workshop)?;
            let checkpoint = Checkpoint {
                id: dice.uuid(),
                stop_id: stop.id.clone(),
                kind: "workshop".into(),
                workshop_id: Some(workshop.id.clone()),
                name: (*room).into(),
            };
            tours_store::insert_checkpoint(conn, &checkpoint)?;
            workshops.push(workshop);
            workshop_checkpoints.push(checkpoint);
        }
        plans.push(StopPlan {
            city_slug: slug::slugify(city),
            stop,
            registrations,
            workshops,
            entrance,
            workshop_checkpoints,
            local_midnight,
            mood,
            day,
            last_outcome_day: (day + days(63)).min(as_of),
        });
    }
    Ok(plans)
}

/// A registration row. `None` is written as NULL rather than DEFAULT, so that SQLite takes a
/// whole chunk in one statement instead of one statement per row.
#[derive(Insertable)]
#[diesel(table_name = registrations, treat_none_as_default_value = false)]
struct RegistrationRow {
    id: String,
    stop_id: String,
    status: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    email: String,
    company: String,
    job_title: &'static str,
    company_size: &'static str,
    partner_id: String,
    locale: &'static str,
    source: &'static str,
    consent_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    cancelled_at: Option<NaiveDateTime>,
    partner_type: &'static str,
}

/// A scan row (NULL rather than DEFAULT, as for registrations).
#[derive(Insertable)]
#[diesel(table_name = scans, treat_none_as_default_value = false)]
struct ScanRow {
    id: String,
    stop_id: String,
    checkpoint_id: String,
    registration_id: Option<String>,
    result: &'static str,
    user_id: Option<String>,
    device_id: Option<String>,
    scanned_at: NaiveDateTime,
    received_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = feedback_requests, treat_none_as_default_value = false)]
struct FeedbackRequestRow {
    registration_id: String,
    stop_id: String,
    requested_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    reminded_at: Option<NaiveDateTime>,
    unsubscribed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = feedback)]
struct FeedbackRow {
    id: String,
    registration_id: String,
    stop_id: String,
    overall: i32,
    trainers: i32,
    content: i32,
    nps: i32,
    comment: &'static str,
    submitted_at: NaiveDateTime,
    quote_selected: bool,
}

#[derive(Insertable)]
#[diesel(table_name = outcomes)]
struct OutcomeRow {
    id: String,
    registration_id: String,
    stop_id: String,
    kind: &'static str,
    occurred_on: NaiveDate,
    recorded_by: &'static str,
    created_at: NaiveDateTime,
}

/// The rows of a batch of attendees, written table by table in foreign-key order.
#[derive(Default)]
struct Batch {
    registrations: Vec<RegistrationRow>,
    enrolments: Vec<Enrolment>,
    scans: Vec<ScanRow>,
    check_ins: Vec<CheckIn>,
    feedback_requests: Vec<FeedbackRequestRow>,
    feedback: Vec<FeedbackRow>,
    complaints: Vec<Complaint>,
    complaint_events: Vec<ComplaintEvent>,
    outcomes: Vec<OutcomeRow>,
}

/// Inserts `rows` into `table` in multi-row statements of at most [`ROWS_PER_INSERT`] rows. The
/// two-backend connection has no multi-row insert, so each chunk goes to the backend's own
/// connection; a macro because the statement's type differs per table and per backend.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            match &mut *$conn {
                DbConnection::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
    };
}

impl Batch {
    fn write(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        insert_rows!(conn, registrations::table, self.registrations);
        insert_rows!(conn, enrolments::table, self.enrolments);
        insert_rows!(conn, scans::table, self.scans);
        insert_rows!(conn, check_ins::table, self.check_ins);
        insert_rows!(conn, feedback_requests::table, self.feedback_requests);
        insert_rows!(conn, feedback::table, self.feedback);
        insert_rows!(conn, complaints::table, self.complaints);
        insert_rows!(conn, complaint_events::table, self.complaint_events);
        insert_rows!(conn, outcomes::table, self.outcomes);
        *self = Self::default();
        Ok(())
    }
}

/// Writes a stop's attendees and what followed, then sets the stop's and workshops' seat
/// counters. Returns the counts (in a [`Summary`] without ids or times).
fn write_attendees(
    conn: &mut DbConnection,
    plan: &StopPlan,
    rates: &Rates,
    dice: &mut Dice,
    serial: &mut u64,
) -> Result<Summary, AppError> {
    let mut rows = StopRows {
        plan,
        rates,
        batch: Batch::default(),
        counts: Summary::default(),
        seats: [0; 4],
        quotes: 0,
    };
    for n in 0..plan.registrations {
        *serial += 1;
        rows.attendee(dice, *serial);
        if (n + 1) % ATTENDEES_PER_BATCH == 0 {
            rows.batch.write(conn)?;
        }
    }
    rows.batch.write(conn)?;
    let StopRows {
        mut counts, seats, ..
    } = rows;
    let confirmed = to_i32(counts.confirmed)?;
    diesel::update(stops::table.find(&plan.stop.id))
        .set((
            // A full house: that is why some wait.
            stops::capacity.eq(confirmed.max(1)),
            stops::seats_taken.eq(confirmed),
            // The feedback e-mails count as sent: the server must not e-mail the whole tour.
            stops::feedback_requested_at.eq(plan.stop.ends_at),
        ))
        .execute(conn)?;
    for (workshop, taken) in plan.workshops.iter().zip(seats) {
        let taken = to_i32(taken)?;
        diesel::update(workshops::table.find(&workshop.id))
            .set((
                // Rooms rounded up to the next ten seats.
                workshops::capacity.eq((taken / 10 + 1) * 10),
                workshops::seats_taken.eq(taken),
            ))
            .execute(conn)?;
    }
    counts.registrations = plan.registrations;
    Ok(counts)
}

const FIRST_NAMES: &[&str] = &[
    "Claire",
    "Nicolas",
    "Sophie",
    "Julien",
    "Isabelle",
    "Thomas",
    "Nathalie",
    "Laurent",
    "Céline",
    "Philippe",
    "Sandrine",
    "Olivier",
    "Valérie",
    "Stéphane",
    "Aurélie",
    "Christophe",
    "Émilie",
    "Frédéric",
    "Camille",
    "Sébastien",
];
const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Morel", "Girard",
    "Mercier", "Schmitt",
];
const COMPANY_PREFIXES: &[&str] = &[
    "Alpha", "Nova", "Atlas", "Delta", "Horizon", "Pixel", "Orion", "Vertex", "Azur", "Cap",
];
const COMPANY_STEMS: &[&str] = &[
    "Informatique",
    "Micro Services",
    "Bureautique",
    "Réseaux",
    "Systèmes",
    "Solutions PME",
    "Maintenance",
    "Infogérance",
];
const JOB_TITLES: &[&str] = &[
    "Gérant",
    "Technicien",
    "Ingénieur commercial",
    "Responsable technique",
    "Chef de projet",
];
const COMMENTS: &[&str] = &[
    "Journée utile, ateliers trop courts.",
    "Le label est une bonne idée, mais pas de leads pour les certifiés ?",
    "Très bon atelier Small Business Server.",
    "Salle trop petite pour l'atelier licences.",
    "On a à peine fini de maîtriser le principe que déjà les licences changent.",
    "Formateurs compétents, démonstrations claires.",
];
/// `(theme, summary, weight)` of complaints raised from feedback.
const COMPLAINT_THEMES: &[(&str, &str, u64)] = &[
    ("trainers", "Formateur peu à l'aise avec son sujet", 25),
    ("licensing", "Programmes de licences trop changeants", 30),
    ("leads", "Pas de leads pour les partenaires certifiés", 20),
    ("logistics", "Salle trop petite, atelier complet", 15),
    ("other", "Remarque sur l'organisation de la journée", 10),
];
const OWNERS: &[&str] = &["Michel Cordani", "Bertrand Launay"];

/// A stop's attendees being generated: the rows not written yet, and the running self.counts.
struct StopRows<'a> {
    plan: &'a StopPlan,
    rates: &'a Rates,
    batch: Batch,
    counts: Summary,
    /// Confirmed enrolments per workshop, in the plan's order.
    seats: [u64; 4],
    /// Feedback comments picked as quotes.
    quotes: u32,
}

impl StopRows<'_> {
    /// One attendee: the registration, and if confirmed the enrolments, the scans at the door,
    /// feedback, a complaint, an outcome.
    fn attendee(&mut self, dice: &mut Dice, serial: u64) {
        let (plan, rates) = (self.plan, self.rates);
        let stop = &plan.stop;
        let registration_id = dice.uuid();
        let status = match dice.next(100) {
            n if n < CONFIRMED_PERCENT => "confirmed",
            n if n < CONFIRMED_PERCENT + WAITLISTED_PERCENT => "waitlisted",
            _ => "cancelled",
        };
        let confirmed = status == "confirmed";
        let present = confirmed && dice.chance(rates.entrance);
        // Arrivals crowd 8:00–9:30 local, peaking around 8:45; a few come late.
        let arrival = if dice.next(100) < 6 {
            plan.local(9 * 60 + 30 + dice.next(90))
        } else {
            plan.local(8 * 60 + (dice.next(90) + dice.next(91)) / 2)
        } + seconds(dice.next(60));
        // A few register at the door on the day; the others over the six weeks before.
        let walk_in = present && dice.next(100) < 4;
        let created_at = if walk_in {
            arrival - seconds(90)
        } else {
            stop.starts_at - minutes_i64(60 + dice.next(42 * 24 * 60))
        };
        let cancelled_at = (status == "cancelled").then(|| {
            let before_start = (stop.starts_at - created_at).num_minutes().max(1);
            created_at + minutes_i64(dice.next(u64::try_from(before_start).unwrap_or(1)))
        });
        let first = dice.next(FIRST_NAMES.len() as u64);
        let last = dice.next(LAST_NAMES.len() as u64);
        let prefix = dice.pick(COMPANY_PREFIXES);
        let stem = dice.pick(COMPANY_STEMS);
        let first_name = FIRST_NAMES[index(first, FIRST_NAMES.len())];
        let last_name = LAST_NAMES[index(last, LAST_NAMES.len())];
        let company = format!("{prefix} {stem} {}", stop.city);
        self.batch.registrations.push(RegistrationRow {
            id: registration_id.clone(),
            stop_id: stop.id.clone(),
            status,
            first_name,
            last_name,
            // The serial makes every address unique; the rest keeps it readable.
            email: format!(
                "{}.{}.{serial}@{}-{}.example",
                first_name.to_lowercase(),
                last_name.to_lowercase(),
                prefix.to_lowercase(),
                plan.city_slug
            ),
            company: company.clone(),
            job_title: dice.pick(JOB_TITLES),
            company_size: dice.pick(COMPANY_SIZES),
            partner_id: format!("P-{:05}", dice.next(99_999)),
            locale: if dice.next(100) < 92 { "fr" } else { "en" },
            source: if walk_in { "walk_in" } else { "online" },
            consent_at: created_at,
            created_at,
            updated_at: cancelled_at.unwrap_or(created_at),
            cancelled_at,
            // Mostly resellers, as at the real stops.
            partner_type: PARTNER_TYPES[match dice.next(100) {
                0..=54 => 0,
                55..=74 => 1,
                75..=84 => 2,
                85..=94 => 3,
                _ => 4,
            }],
        });
        if !confirmed {
            return;
        }
        self.counts.confirmed += 1;
        let mut chosen = Vec::new();
        if dice.next(100) < LABEL_PERCENT {
            chosen.push(0);
        }
        if dice.next(100) < AFTERNOON_PERCENT {
            chosen.push(1 + index(dice.next(2), 2));
        }
        if dice.next(100) < LICENSING_PERCENT {
            chosen.push(3);
        }
        for &w in &chosen {
            self.seats[w] += 1;
            self.batch.enrolments.push(Enrolment {
                registration_id: registration_id.clone(),
                workshop_id: plan.workshops[w].id.clone(),
                status: "confirmed".into(),
                created_at,
                updated_at: created_at,
            });
        }
        self.counts.enrolments += chosen.len() as u64;
        if !present {
            return;
        }
        let scan = |batch: &mut Batch, checkpoint: &Checkpoint, at: NaiveDateTime, id: String| {
            batch.scans.push(ScanRow {
                id: id.clone(),
                stop_id: stop.id.clone(),
                checkpoint_id: checkpoint.id.clone(),
                registration_id: Some(registration_id.clone()),
                result: "ok",
                user_id: None,
                device_id: None,
                scanned_at: at,
                received_at: at,
            });
            batch.check_ins.push(CheckIn {
                checkpoint_id: checkpoint.id.clone(),
                registration_id: registration_id.clone(),
                stop_id: stop.id.clone(),
                scan_id: id,
                scanned_at: at,
            });
        };
        scan(&mut self.batch, &plan.entrance, arrival, dice.uuid());
        self.counts.entrance_scans += 1;
        let mut in_label_workshop = false;
        for &w in &chosen {
            if dice.chance(rates.workshop_scan) {
                let at = plan.workshops[w].starts_at
                    - minutes_i64(dice.next(15))
                    - seconds(dice.next(60));
                scan(
                    &mut self.batch,
                    &plan.workshop_checkpoints[w],
                    at,
                    dice.uuid(),
                );
                self.counts.workshop_scans += 1;
                in_label_workshop |= plan.workshops[w].specialist_label;
            }
        }
        self.feedback_of(dice, &registration_id, &company);
        // Certification starts mostly among those who sat the label workshop.
        let outcome_percent = if in_label_workshop {
            35
        } else if chosen.contains(&0) {
            4
        } else {
            1
        };
        if dice.next(100) < outcome_percent {
            let first_day = plan.day + days(3);
            let window = (plan.last_outcome_day - first_day).num_days() + 1;
            let occurred_on = (first_day + days(dice.next(u64::try_from(window).unwrap_or(1))))
                .min(plan.last_outcome_day);
            self.batch.outcomes.push(OutcomeRow {
                id: dice.uuid(),
                registration_id,
                stop_id: stop.id.clone(),
                kind: "certification_started",
                occurred_on,
                recorded_by: "CRM import",
                created_at: (occurred_on + days(1)).and_time(chrono::NaiveTime::MIN),
            });
            self.counts.outcomes += 1;
        }
    }

    /// An attendee who came is asked for feedback; some answer; a few answers raise a complaint.
    fn feedback_of(&mut self, dice: &mut Dice, registration_id: &str, company: &str) {
        let (plan, rates) = (self.plan, self.rates);
        let stop = &plan.stop;
        let requested_at = stop.ends_at + minutes_i64(15);
        let answered_at = dice.chance(rates.feedback).then(|| {
            // Most answer within two days, the others before the link expires.
            let after = if dice.next(100) < 70 {
                dice.next(48 * 60)
            } else {
                dice.next(10 * 24 * 60)
            };
            requested_at + minutes_i64(30 + after)
        });
        let reminder_due = requested_at + chrono::Duration::hours(72);
        self.batch.feedback_requests.push(FeedbackRequestRow {
            registration_id: registration_id.to_owned(),
            stop_id: stop.id.clone(),
            requested_at,
            expires_at: requested_at + chrono::Duration::days(30),
            // The one reminder went to those who had not answered after three days.
            reminded_at: match answered_at {
                Some(at) if at < reminder_due => None,
                _ => Some(reminder_due),
            },
            unsubscribed_at: None,
        });
        self.counts.feedback_requests += 1;
        let Some(submitted_at) = answered_at else {
            return;
        };
        let score = |dice: &mut Dice| -> i32 {
            let (low, spread) = match plan.mood {
                Mood::Good => (3, 3),
                Mood::Mixed => (2, 4),
                Mood::Bitter => (1, 3),
            };
            low + small(dice.next(spread))
        };
        let overall = score(dice);
        let trainers = score(dice);
        let content = score(dice);
        let nps = match plan.mood {
            Mood::Good => 6 + small(dice.next(5)),
            Mood::Mixed => 3 + small(dice.next(8)),
            Mood::Bitter => small(dice.next(8)),
        };
        // Four in ten leave a comment.
        let comment = if dice.next(100) < 40 {
            dice.pick(COMMENTS)
        } else {
            ""
        };
        // Marketing picks a few quotes per stop.
        let quote_selected = !comment.is_empty() && self.quotes < 3 && dice.next(100) < 2;
        self.quotes += u32::from(quote_selected);
        let feedback_id = dice.uuid();
        self.batch.feedback.push(FeedbackRow {
            id: feedback_id.clone(),
            registration_id: registration_id.to_owned(),
            stop_id: stop.id.clone(),
            overall,
            trainers,
            content,
            nps,
            comment,
            submitted_at,
            quote_selected,
        });
        self.counts.feedback += 1;
        let complaint_percent_x10 = if overall <= 2 { 50 } else { 5 };
        if dice.next(1000) >= complaint_percent_x10 {
            return;
        }
        let (theme, summary) = pick_theme(dice);
        let id = dice.uuid();
        let (status, resolution) = match dice.next(100) {
            0..=34 => ("open", ""),
            35..=64 => ("acknowledged", ""),
            65..=89 => (
                "resolved",
                "Réponse envoyée au partenaire avec la fiche récapitulative.",
            ),
            _ => ("wont_fix", "Hors du périmètre de la tournée."),
        };
        let owner = if status == "open" {
            ""
        } else {
            dice.pick(OWNERS)
        };
        let updated_at = if status == "open" {
            submitted_at
        } else {
            submitted_at + chrono::Duration::hours(2 + small_i64(dice.next(240)))
        };
        self.batch.complaint_events.push(ComplaintEvent {
            id: dice.uuid(),
            complaint_id: id.clone(),
            at: submitted_at,
            actor: "feedback form".into(),
            field: "created".into(),
            old_value: String::new(),
            new_value: "open".into(),
        });
        if status != "open" {
            self.batch.complaint_events.push(ComplaintEvent {
                id: dice.uuid(),
                complaint_id: id.clone(),
                at: updated_at,
                actor: owner.into(),
                field: "status".into(),
                old_value: "open".into(),
                new_value: status.into(),
            });
        }
        self.batch.complaints.push(Complaint {
            id,
            stop_id: stop.id.clone(),
            theme: theme.into(),
            summary: summary.into(),
            detail: comment.into(),
            company: company.into(),
            registration_id: Some(registration_id.to_owned()),
            feedback_id: Some(feedback_id),
            status: status.into(),
            owner: owner.into(),
            resolution: resolution.into(),
            created_by: "feedback form".into(),
            created_at: submitted_at,
            updated_at,
            due_on: (status == "acknowledged").then(|| submitted_at.date() + days(21)),
            notify_reseller: dice.next(100) < 30,
        });
        self.counts.complaints += 1;
    }
}

fn pick_theme(dice: &mut Dice) -> (&'static str, &'static str) {
    let total: u64 = COMPLAINT_THEMES.iter().map(|t| t.2).sum();
    let mut roll = dice.next(total);
    for (theme, summary, weight) in COMPLAINT_THEMES {
        if roll < *weight {
            return (theme, summary);
        }
        roll -= weight;
    }
    ("other", "Remarque sur l'organisation de la journée")
}

/// A small deterministic generator (splitmix64, as in the demo), so that every run with the
/// same sizes writes the same rows.
struct Dice(u64);

impl Dice {
    fn raw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..below` (0 when `below` is 0).
    fn next(&mut self, below: u64) -> u64 {
        self.raw() % below.max(1)
    }

    fn chance(&mut self, probability: f64) -> bool {
        ((self.raw() >> 11) as f64 / (1u64 << 53) as f64) < probability
    }

    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[index(self.next(items.len() as u64), items.len())]
    }

    /// A random-looking version 4 UUID, like the ones the services make.
    fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.raw().to_le_bytes());
        bytes[8..].copy_from_slice(&self.raw().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// `i` wrapped into `0..len`, as an index.
fn index(i: u64, len: usize) -> usize {
    usize::try_from(i).unwrap_or(0) % len.max(1)
}

/// A die roll that is known to be small, as a score.
fn small(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(0)
}

fn small_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(0)
}

fn minutes_i64(n: u64) -> chrono::Duration {
    chrono::Duration::minutes(small_i64(n))
}

fn seconds(n: u64) -> chrono::Duration {
    chrono::Duration::seconds(small_i64(n))
}

fn days(n: u64) -> chrono::Duration {
    chrono::Duration::days(small_i64(n))
}

fn to_i32(n: u64) -> Result<i32, AppError> {
    i32::try_from(n).map_err(|_| unexpected(format!("{n} does not fit a seat counter")))
}

fn unexpected(message: String) -> AppError {
    AppError::Unexpected(anyhow::anyhow!(message))
}

fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| unexpected(format!("no such date {year}-{month}-{day}")))
}

/// Saturdays and Sundays move to the Monday after.
fn weekday_on_or_after(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + days(2),
        Weekday::Sun => day + days(1),
        _ => day,
    }
}

/// Local midnight of `day` in `tz`, as UTC, using the offset in force at noon: clocks change
/// at night, so the offset holds for the whole working day.
fn utc_of_local_midnight(day: NaiveDate, tz: Tz) -> Result<NaiveDateTime, AppError> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let noon = midnight + chrono::Duration::hours(12);
    let offset = tz
        .offset_from_local_datetime(&noon)
        .single()
        .ok_or_else(|| unexpected(format!("no single UTC offset at noon on {day} in {tz}")))?;
    Ok(midnight - chrono::Duration::seconds(i64::from(offset.fix().local_minus_utc())))
}
