//! The demo tour, built from the press article the product comes from: the "Rencontres
//! Partenaires 360°" tour of France from mid-September, Strasbourg on 13 October, workshops on
//! the small-business specialist label, Small Business Server, Windows XP and licensing.
//! Everything goes through the same validation and services as the API.

use crate::auth::service::{NewUser, create_user};
use crate::auth::store::find_user_by_email;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::tours::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, StopWindow, TimeInput,
};
use crate::tours::service;

/// The demo accounts: `(e-mail, name, role, password)`. Demo only: printed at start.
pub const DEMO_USERS: &[(&str, &str, &str, &str)] = &[
    (
        "admin@roadshow.example",
        "Alice Admin",
        "admin",
        "demo-admin",
    ),
    (
        "marketing@roadshow.example",
        "Michel Cordani",
        "marketing",
        "demo-marketing",
    ),
    (
        "staff@roadshow.example",
        "Sophie Accueil",
        "staff",
        "demo-staff",
    ),
];

/// The demo tour's slug.
pub const DEMO_TOUR_SLUG: &str = "rencontres-360-2026";

struct DemoStop {
    city: &'static str,
    venue: &'static str,
    address: &'static str,
    date: &'static str,
    capacity: i64,
    /// `(trainer of the label workshop, of SBS, of XP, of licensing)`
    trainers: [&'static str; 4],
    rooms: [&'static str; 4],
}

const STOPS: &[DemoStop] = &[
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
        30,
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

/// What the demo loader made, for the start-up message.
#[derive(Debug)]
pub struct DemoSummary {
    pub tour_slug: String,
    pub stops: usize,
    pub workshops: usize,
}

/// Fills an empty database with the demo tour and the demo accounts; refuses when any tour
/// already exists, so that real data is never mixed with demo data.
pub fn load(conn: &mut DbConnection) -> Result<DemoSummary, AppError> {
    if !service::is_empty(conn)? {
        return Err(AppError::Conflict(
            "the database already holds tours: the demo is only loaded into an empty database"
                .into(),
        ));
    }
    for (email, name, role, password) in DEMO_USERS {
        if find_user_by_email(conn, email)?.is_none() {
            create_user(conn, &NewUser::parse(email, name, role, password)?)?;
        }
    }
    let tour = NewTour::try_from(RawTour {
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
    let tour = service::create_tour(conn, &tour)?;
    let mut workshops = 0;
    for demo in STOPS {
        let stop = NewStop::parse(
            RawStop {
                city: demo.city.into(),
                venue: demo.venue.into(),
                address: Some(demo.address.into()),
                timezone: "Europe/Paris".into(),
                starts_at: format!("{}T09:00", demo.date),
                ends_at: format!("{}T17:30", demo.date),
                capacity: Some(demo.capacity),
                registration_closes_at: Some(format!("{}T08:00", demo.date)),
            },
            TimeInput::Local,
        )?;
        let created = service::create_stop(conn, &tour.tour.id, &stop)?;
        let window = StopWindow {
            timezone: stop.timezone,
            starts_at: stop.starts_at,
            ends_at: stop.ends_at,
        };
        for (i, (title, start, end, share)) in WORKSHOPS.iter().enumerate() {
            let workshop = NewWorkshop::parse(
                RawWorkshop {
                    title: (*title).into(),
                    room: Some(demo.rooms[i].into()),
                    trainer: Some(demo.trainers[i].into()),
                    starts_at: format!("{}T{start}", demo.date),
                    ends_at: format!("{}T{end}", demo.date),
                    // Rooms hold a share of the day's audience, rounded to tens.
                    capacity: Some((demo.capacity * share / 100 + 5) / 10 * 10),
                },
                window,
                TimeInput::Local,
            )?;
            service::create_workshop(conn, &created.summary.stop.id, &workshop)?;
            workshops += 1;
        }
    }
    Ok(DemoSummary {
        tour_slug: tour.tour.slug,
        stops: STOPS.len(),
        workshops,
    })
}
