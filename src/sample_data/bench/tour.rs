//! The tour, its stops, workshops and checkpoints.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::units::{
    date, days, minutes_i64, unexpected, utc_of_local_midnight, weekday_on_or_after,
};
use super::{LARGE_TOUR_SLUG, LargeTour};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::sample_data::dice::{Dice, index};
use crate::tours::store::{self as tours_store, Checkpoint, Stop, Tour, TourTarget, Workshop};

/// How the day went at a stop, as its feedback shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mood {
    Good,
    Mixed,
    Bitter,
}

/// A stop as written, with what its attendees need.
pub(super) struct StopPlan {
    pub(super) stop: Stop,
    pub(super) registrations: u64,
    /// Label workshop first, then the two afternoon ones, then licensing.
    pub(super) workshops: Vec<Workshop>,
    pub(super) entrance: Checkpoint,
    /// The checkpoint of each workshop, in the same order.
    pub(super) workshop_checkpoints: Vec<Checkpoint>,
    /// Local midnight of the stop's day, as UTC (the offset does not change during the day).
    pub(super) local_midnight: NaiveDateTime,
    pub(super) mood: Mood,
    pub(super) city_slug: String,
    /// The stop's day, local.
    pub(super) day: NaiveDate,
    /// Outcomes fall between three days after the stop and this day.
    pub(super) last_outcome_day: NaiveDate,
}

impl StopPlan {
    /// `minutes` after local midnight of the stop's day, as UTC.
    pub(super) fn local(&self, minutes: u64) -> NaiveDateTime {
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
pub(super) fn write_tour(
    conn: &mut DbConnection,
    size: &LargeTour,
    dice: &mut Dice,
) -> Result<Vec<StopPlan>, AppError> {
    let created_at = date(2026, 6, 1)?.and_time(chrono::NaiveTime::MIN);
    let tour = write_tour_row(conn, dice, created_at)?;
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
            timezone: tz.into(),
            starts_at: local_midnight + minutes_i64(9 * 60),
            ends_at: local_midnight + minutes_i64(17 * 60 + 30),
            // Set to the confirmed count once the attendees are written.
            capacity: 1,
            registration_closes_at: Some(local_midnight + minutes_i64(8 * 60)),
            created_at,
            seats_taken: 0,
        };
        tours_store::insert_stop(conn, &stop)?;
        let (entrance, workshops, workshop_checkpoints) =
            write_workshops(conn, dice, &stop, local_midnight)?;
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

/// The tour and its target.
fn write_tour_row(
    conn: &mut DbConnection,
    dice: &mut Dice,
    created_at: NaiveDateTime,
) -> Result<Tour, AppError> {
    let tour = Tour {
        id: dice.uuid(),
        slug: LARGE_TOUR_SLUG.into(),
        name: "Tournée de test de charge 2026".into(),
        description: "Generated by `roadshow bench-data` for the analytics benchmark.".into(),
        default_locale: "fr".into(),
        created_at,
        published_at: Some(created_at),
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
    Ok(tour)
}

/// A stop's entrance, its [`WORKSHOPS`] and their door checkpoints.
fn write_workshops(
    conn: &mut DbConnection,
    dice: &mut Dice,
    stop: &Stop,
    local_midnight: NaiveDateTime,
) -> Result<(Checkpoint, Vec<Workshop>, Vec<Checkpoint>), AppError> {
    let created_at = stop.created_at;
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
    Ok((entrance, workshops, workshop_checkpoints))
}
