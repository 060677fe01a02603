//! The demo's tours, stops and workshops, as the press article describes them.

use crate::db::DbConnection;
use crate::error::AppError;
use crate::tours::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, StopWindow, TimeInput,
};
// The demo is loaded by roadshow, not changed by a person: its set-up is not audited.
use crate::tours::service::{self, Effects, TourView};

use super::{DEMO_SPRING_SLUG, DEMO_TOUR_SLUG};

pub(super) struct DemoStop {
    city: &'static str,
    venue: &'static str,
    address: &'static str,
    date: &'static str,
    capacity: i64,
    /// `(trainer of the label workshop, of SBS, of XP, of licensing)`
    trainers: [&'static str; 4],
    rooms: [&'static str; 4],
}

pub(super) const STOPS: &[DemoStop] = &[
    DemoStop {
        city: "Paris",
        venue: "Palais des Congrès de Paris",
        address: "2 place de la Porte Maillot, 75017 Paris",
        date: "2026-09-15",
        capacity: 600,
        trainers: [
            "Nathalie Perrin",
            "Julien Marchand",
            "Karim Benali",
            "Hélène Roussel",
        ],
        rooms: [
            "Salle Havane",
            "Salle Bordeaux",
            "Salle Passy",
            "Salle Ternes",
        ],
    },
    DemoStop {
        city: "Lille",
        venue: "Lille Grand Palais",
        address: "1 boulevard des Cités Unies, 59777 Lille",
        date: "2026-09-17",
        capacity: 350,
        trainers: [
            "Nathalie Perrin",
            "Thomas Lefebvre",
            "Karim Benali",
            "Hélène Roussel",
        ],
        rooms: [
            "Salle Vauban",
            "Salle Flandre",
            "Salle Artois",
            "Salle Hainaut",
        ],
    },
    DemoStop {
        city: "Nantes",
        venue: "Cité des Congrès de Nantes",
        address: "5 rue de Valmy, 44000 Nantes",
        date: "2026-09-22",
        capacity: 300,
        trainers: [
            "Claire Moreau",
            "Julien Marchand",
            "Antoine Guérin",
            "Hélène Roussel",
        ],
        rooms: ["Salle 200", "Salle 300", "Salle 400", "Salle 450"],
    },
    DemoStop {
        city: "Bordeaux",
        venue: "Palais des Congrès de Bordeaux",
        address: "Avenue Jean Gabriel Domergue, 33300 Bordeaux",
        date: "2026-09-24",
        capacity: 320,
        trainers: [
            "Claire Moreau",
            "Thomas Lefebvre",
            "Antoine Guérin",
            "Pierre Dumas",
        ],
        rooms: [
            "Salle Médoc",
            "Salle Graves",
            "Salle Pomerol",
            "Salle Sauternes",
        ],
    },
    DemoStop {
        city: "Lyon",
        venue: "Centre de Congrès de Lyon",
        address: "50 quai Charles de Gaulle, 69006 Lyon",
        date: "2026-09-29",
        capacity: 450,
        trainers: [
            "Nathalie Perrin",
            "Julien Marchand",
            "Karim Benali",
            "Pierre Dumas",
        ],
        rooms: [
            "Salle Rhône",
            "Salle Saône",
            "Salle Gerland",
            "Salle Bellecour",
        ],
    },
    DemoStop {
        city: "Marseille",
        venue: "Palais du Pharo",
        address: "58 boulevard Charles Livon, 13007 Marseille",
        date: "2026-10-06",
        capacity: 350,
        trainers: [
            "Claire Moreau",
            "Thomas Lefebvre",
            "Antoine Guérin",
            "Hélène Roussel",
        ],
        rooms: [
            "Salle Major",
            "Salle Frioul",
            "Salle Calanques",
            "Salle Joliette",
        ],
    },
    DemoStop {
        city: "Strasbourg",
        venue: "Palais de la Musique et des Congrès",
        address: "Place de Bordeaux, 67000 Strasbourg",
        date: "2026-10-13",
        capacity: 300,
        trainers: [
            "Marc Schneider",
            "Laurent Kieffer",
            "Marc Schneider",
            "Bertrand Launay",
        ],
        rooms: [
            "Salle Schweitzer",
            "Salle Erasme",
            "Salle Marie Curie",
            "Salle Gutenberg",
        ],
    },
    DemoStop {
        city: "Toulouse",
        venue: "Centre de Congrès Pierre Baudis",
        address: "11 esplanade Compans Caffarelli, 31000 Toulouse",
        date: "2026-10-20",
        capacity: 320,
        trainers: [
            "Nathalie Perrin",
            "Julien Marchand",
            "Antoine Guérin",
            "Pierre Dumas",
        ],
        rooms: [
            "Salle Garonne",
            "Salle Capitole",
            "Salle Occitanie",
            "Salle Saint-Sernin",
        ],
    },
];

/// `(title, start, end, share of the stop's capacity)`; the label workshop runs twice.
const WORKSHOPS: &[(&str, &str, &str, i64)] = &[
    (
        "Devenir Spécialiste PME : le label, la formation commerciale et la certification",
        "11:00",
        "12:30",
        36,
    ),
    (
        "Small Business Server 2003 : installer et vendre le serveur des TPE",
        "14:00",
        "15:30",
        25,
    ),
    (
        "Windows XP Professionnel en réseau de 2 à 50 postes",
        "14:00",
        "15:30",
        25,
    ),
    (
        "Licences : comprendre Open, OEM et les nouveaux programmes",
        "16:00",
        "17:00",
        25,
    ),
];

/// The autumn tour of the article, its eight stops and their workshops. Returns the tour and
/// the number of workshops made.
pub(super) fn create_autumn_tour(conn: &mut DbConnection) -> Result<(TourView, usize), AppError> {
    let tour = NewTour::try_from(RawTour {
        published: true,
        name: "Rencontres Partenaires 360° 2026".into(),
        slug: Some(DEMO_TOUR_SLUG.into()),
        description: Some(
            "Le tour de France des partenaires : une journée par ville pour les revendeurs et \
             intégrateurs qui équipent les petites entreprises de 2 à 50 PC. Plénière, ateliers \
             techniques et commerciaux, et le nouveau label Spécialiste PME."
                .into(),
        ),
        default_locale: Some("fr".into()),
        targets: vec![RawTarget {
            outcome: "certification_started".into(),
            value: 550,
        }],
    })?;
    let tour = service::create_tour(conn, &tour, &mut Effects::default())?;
    let mut workshops = 0;
    for demo in STOPS {
        let raw = RawStop {
            city: demo.city.into(),
            venue: demo.venue.into(),
            address: Some(demo.address.into()),
            timezone: "Europe/Paris".into(),
            starts_at: format!("{}T09:00", demo.date),
            ends_at: format!("{}T17:30", demo.date),
            capacity: Some(demo.capacity),
            registration_closes_at: Some(format!("{}T08:00", demo.date)),
        };
        workshops += create_stop(conn, &tour.tour.id, raw, demo.date, |i| {
            // Rooms hold a share of the day's audience, rounded to tens.
            let share = WORKSHOPS[i].3;
            (
                demo.rooms[i],
                demo.trainers[i],
                (demo.capacity * share / 100 + 5) / 10 * 10,
            )
        })?;
    }
    Ok((tour, workshops))
}

/// An upcoming tour with open registration, so that the demo can be tried as an attendee:
/// three Tuesdays a week apart, the first about three months after the day it is loaded.
pub(super) fn create_spring_tour(conn: &mut DbConnection) -> Result<(), AppError> {
    let tour = NewTour::try_from(RawTour {
        published: true,
        name: "Rencontres Partenaires 360° — prochaines étapes".into(),
        slug: Some(DEMO_SPRING_SLUG.into()),
        description: Some(
            "Trois étapes de plus pour les partenaires qui n'ont pas pu venir à l'automne.".into(),
        ),
        default_locale: Some("fr".into()),
        targets: Vec::new(),
    })?;
    let tour = service::create_tour(conn, &tour, &mut Effects::default())?;
    let first = first_tuesday_from(crate::time::now().date() + chrono::Days::new(90));
    for (week, (city, venue)) in [
        ("Rennes", "Couvent des Jacobins"),
        ("Nice", "Acropolis"),
        ("Dijon", "Palais des Congrès de Dijon"),
    ]
    .into_iter()
    .enumerate()
    {
        let date = (first + chrono::Days::new(7 * week as u64))
            .format("%Y-%m-%d")
            .to_string();
        let raw = RawStop {
            city: city.into(),
            venue: venue.into(),
            address: None,
            timezone: "Europe/Paris".into(),
            starts_at: format!("{date}T09:00"),
            ends_at: format!("{date}T17:30"),
            capacity: Some(250),
            registration_closes_at: None,
        };
        create_stop(conn, &tour.tour.id, raw, &date, |_| {
            ("Salle 1", "Nathalie Perrin", 60)
        })?;
    }
    Ok(())
}

/// `day`, or the Tuesday after it (the tour's stops are on Tuesdays).
fn first_tuesday_from(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    let ahead = (7 + chrono::Weekday::Tue.num_days_from_monday()
        - day.weekday().num_days_from_monday())
        % 7;
    day + chrono::Days::new(u64::from(ahead))
}

/// Creates a stop and the day's [`WORKSHOPS`] in it; `room_of(i)` gives the room, trainer and
/// capacity of the `i`-th workshop. Returns the number of workshops made.
fn create_stop(
    conn: &mut DbConnection,
    tour_id: &str,
    raw: RawStop,
    date: &str,
    room_of: impl Fn(usize) -> (&'static str, &'static str, i64),
) -> Result<usize, AppError> {
    let stop = NewStop::parse(raw, TimeInput::Local)?;
    let created = service::create_stop(conn, tour_id, &stop, &mut Effects::default())?;
    let window = StopWindow {
        timezone: stop.timezone,
        starts_at: stop.starts_at,
        ends_at: stop.ends_at,
    };
    for (i, (title, start, end, _)) in WORKSHOPS.iter().enumerate() {
        let (room, trainer, capacity) = room_of(i);
        let workshop = NewWorkshop::parse(
            RawWorkshop {
                title: (*title).into(),
                room: Some(room.into()),
                trainer: Some(trainer.into()),
                starts_at: format!("{date}T{start}"),
                ends_at: format!("{date}T{end}"),
                capacity: Some(capacity),
                specialist_label: title.starts_with("Devenir Spécialiste"),
            },
            window,
            TimeInput::Local,
        )?;
        service::create_workshop(
            conn,
            &created.summary.stop.id,
            &workshop,
            &mut Effects::default(),
        )?;
    }
    Ok(WORKSHOPS.len())
}
