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
use crate::tours::store::Stop;

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
/// The upcoming demo tour, open for registration.
pub const DEMO_SPRING_SLUG: &str = "rencontres-360-printemps-2027";

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

/// What the demo loader made, for the start-up message.
#[derive(Debug)]
pub struct DemoSummary {
    pub tour_slug: String,
    pub stops: usize,
    pub workshops: usize,
    pub registrations: usize,
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
                    specialist_label: title.starts_with("Devenir Spécialiste"),
                },
                window,
                TimeInput::Local,
            )?;
            service::create_workshop(conn, &created.summary.stop.id, &workshop)?;
            workshops += 1;
        }
    }
    let mut registrations = 0;
    for (index, stop) in service::tour_view(conn, &tour.tour.id)?
        .stops
        .iter()
        .enumerate()
    {
        registrations += register_crowd(conn, &stop.stop, index as u64)?;
        check_in_crowd(conn, &stop.stop, index as u64)?;
        feedback_crowd(conn, &stop.stop, index as u64)?;
        outcomes_crowd(conn, &stop.stop, index as u64)?;
        // The demo's past stops count as asked already: starting the demo must not e-mail
        // hundreds of invented attendees.
        {
            use crate::db::schema::stops;
            use diesel::prelude::*;
            diesel::update(stops::table.find(&stop.stop.id))
                .set(stops::feedback_requested_at.eq(stop.stop.ends_at))
                .execute(conn)?;
        }
    }
    load_spring_tour(conn)?;
    Ok(DemoSummary {
        tour_slug: tour.tour.slug,
        stops: STOPS.len(),
        workshops,
        registrations,
    })
}

/// An upcoming tour with open registration, so that the demo can be tried as an attendee.
fn load_spring_tour(conn: &mut DbConnection) -> Result<(), AppError> {
    let tour = NewTour::try_from(RawTour {
        name: "Rencontres Partenaires 360° — printemps 2027".into(),
        slug: Some(DEMO_SPRING_SLUG.into()),
        description: Some(
            "Trois étapes au printemps pour les partenaires qui n'ont pas pu venir à l'automne."
                .into(),
        ),
        default_locale: Some("fr".into()),
        targets: Vec::new(),
    })?;
    let tour = service::create_tour(conn, &tour)?;
    for (city, venue, date) in [
        ("Rennes", "Couvent des Jacobins", "2027-03-16"),
        ("Nice", "Acropolis", "2027-03-23"),
        ("Dijon", "Palais des Congrès de Dijon", "2027-03-30"),
    ] {
        let stop = NewStop::parse(
            RawStop {
                city: city.into(),
                venue: venue.into(),
                address: None,
                timezone: "Europe/Paris".into(),
                starts_at: format!("{date}T09:00"),
                ends_at: format!("{date}T17:30"),
                capacity: Some(250),
                registration_closes_at: None,
            },
            TimeInput::Local,
        )?;
        let created = service::create_stop(conn, &tour.tour.id, &stop)?;
        let window = StopWindow {
            timezone: stop.timezone,
            starts_at: stop.starts_at,
            ends_at: stop.ends_at,
        };
        for (title, start, end, _) in WORKSHOPS {
            let workshop = NewWorkshop::parse(
                RawWorkshop {
                    title: (*title).into(),
                    room: Some("Salle 1".into()),
                    trainer: Some("Nathalie Perrin".into()),
                    starts_at: format!("{date}T{start}"),
                    ends_at: format!("{date}T{end}"),
                    capacity: Some(60),
                    specialist_label: title.starts_with("Devenir Spécialiste"),
                },
                window,
                TimeInput::Local,
            )?;
            service::create_workshop(conn, &created.summary.stop.id, &workshop)?;
        }
    }
    Ok(())
}

/// A small deterministic generator, so that every demo database is the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: u64) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.next(items.len() as u64)).unwrap_or(0)]
    }
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
    "Hélène",
    "Mathieu",
    "Caroline",
    "Jérôme",
    "Marion",
    "Pascal",
    "Anne",
    "David",
    "Julie",
    "Éric",
];
const LAST_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Schmitt",
    "Muller",
];
const COMPANY_STEMS: &[&str] = &[
    "Informatique",
    "Micro Services",
    "Bureautique",
    "Réseaux",
    "Systèmes",
    "Conseil Info",
    "Solutions PME",
    "Data Services",
    "Maintenance",
    "Digital",
    "Télécom",
    "Infogérance",
];
const JOB_TITLES: &[&str] = &[
    "Gérant",
    "Technicien",
    "Ingénieur commercial",
    "Responsable technique",
    "Chef de projet",
    "Assistante commerciale",
];

/// Registrations for a past stop of the demo tour: a little more than the room at the popular
/// stops (so that some wait), about a third in the label workshop. No e-mail is queued.
fn register_crowd(conn: &mut DbConnection, stop: &Stop, seed: u64) -> Result<usize, AppError> {
    use crate::registrations::domain::{COMPANY_SIZES, NewRegistration, RawRegistration};
    use crate::registrations::service::{Source, register};

    let mut dice = Dice(seed.wrapping_mul(7919).wrapping_add(17));
    let capacity = u64::try_from(stop.capacity).unwrap_or(0);
    // Paris, Lyon and Strasbourg overflow; the other stops fill 75–95 %.
    let crowd = match stop.city.as_str() {
        "Paris" | "Lyon" | "Strasbourg" => capacity + 10 + dice.next(30),
        _ => capacity * (75 + dice.next(20)) / 100,
    };
    let workshops = crate::tours::store::list_workshops(conn, &stop.id)?;
    let mut made = 0;
    for n in 0..crowd {
        let first = dice.pick(FIRST_NAMES);
        let last = dice.pick(LAST_NAMES);
        let city_word = stop.city.split_whitespace().next().unwrap_or("Alsace");
        let company = format!("{} {}", city_word, dice.pick(COMPANY_STEMS));
        let mut chosen = Vec::new();
        if dice.next(100) < 44 {
            chosen.push(workshops[0].id.clone());
        }
        match dice.next(10) {
            0..=3 => chosen.push(workshops[1].id.clone()),
            4..=7 => chosen.push(workshops[2].id.clone()),
            _ => {}
        }
        if dice.next(100) < 30 {
            chosen.push(workshops[3].id.clone());
        }
        let raw = RawRegistration {
            first_name: first.into(),
            last_name: last.into(),
            email: format!(
                "{}.{}.{n}@{}.example",
                slug::slugify(first),
                slug::slugify(last),
                slug::slugify(&company)
            ),
            company,
            job_title: Some(dice.pick(JOB_TITLES).into()),
            company_size: Some(dice.pick(COMPANY_SIZES).into()),
            partner_id: Some(format!("P-{:05}", dice.next(99_999))),
            // Mostly resellers, as at the real stops.
            partner_type: Some(
                match dice.next(100) {
                    0..=54 => "reseller",
                    55..=74 => "integrator",
                    75..=84 => "distributor",
                    85..=94 => "consultant",
                    _ => "other",
                }
                .into(),
            ),
            locale: Some("fr".into()),
            consent: Some(true),
            workshops: chosen,
        };
        let new = NewRegistration::parse(raw)?;
        // Registrations arrive over the four weeks before the stop.
        let at = stop.starts_at
            - chrono::Duration::minutes(i64::try_from(dice.next(28 * 24 * 60)).unwrap_or(0) + 60);
        register(conn, &stop.id, &new, Source::Demo, at)?;
        made += 1;
    }
    Ok(made)
}

/// Check-ins for a past stop: 15–30 % no-shows, most arrivals in the 30 minutes before the
/// start, and most people enrolled in a workshop at its door (about a third of those present
/// in the label workshop, as the article reports).
fn check_in_crowd(conn: &mut DbConnection, stop: &Stop, seed: u64) -> Result<(), AppError> {
    use crate::checkin::store::{self as checkin_store, CheckIn, Scan};
    use crate::registrations::store::list_for_stop;

    let mut dice = Dice(seed.wrapping_mul(104_729).wrapping_add(3));
    // Strasbourg had the bitter crowd: more no-shows there.
    let no_show_percent = if stop.city == "Strasbourg" {
        28
    } else {
        15 + dice.next(12)
    };
    let checkpoints = crate::tours::store::list_checkpoints(conn, &stop.id)?;
    let Some(entrance) = checkpoints.iter().find(|c| c.kind == "entrance") else {
        return Ok(());
    };
    let enrolments = checkin_store::confirmed_enrolments_of_stop(conn, &stop.id)?;
    let workshops = crate::tours::store::list_workshops(conn, &stop.id)?;
    let record = |conn: &mut DbConnection,
                  checkpoint: &str,
                  registration: &str,
                  at: chrono::NaiveDateTime| {
        let id = uuid::Uuid::new_v4().to_string();
        checkin_store::insert_scan(
            conn,
            &Scan {
                id: id.clone(),
                stop_id: stop.id.clone(),
                checkpoint_id: checkpoint.to_owned(),
                registration_id: Some(registration.to_owned()),
                result: "ok".into(),
                user_id: None,
                device_id: Some("demo".into()),
                scanned_at: at,
                received_at: at,
            },
        )?;
        checkin_store::insert_check_in(
            conn,
            &CheckIn {
                checkpoint_id: checkpoint.to_owned(),
                registration_id: registration.to_owned(),
                stop_id: stop.id.clone(),
                scan_id: id,
                scanned_at: at,
            },
        )
    };
    let minutes = |dice: &mut Dice, n: u64| i64::try_from(dice.next(n)).unwrap_or(0);
    for registration in list_for_stop(conn, &stop.id, 100_000)?
        .into_iter()
        .filter(|r| r.status == "confirmed")
    {
        if dice.next(100) < no_show_percent {
            continue;
        }
        // 70 % in the half hour before the start, 20 % the half hour before that, 10 % late.
        let offset = match dice.next(100) {
            0..=69 => -minutes(&mut dice, 30),
            70..=89 => -30 - minutes(&mut dice, 30),
            _ => minutes(&mut dice, 45),
        };
        let arrival = stop.starts_at
            + chrono::Duration::minutes(offset)
            + chrono::Duration::seconds(minutes(&mut dice, 60));
        record(conn, &entrance.id, &registration.id, arrival)?;
        for (_, workshop_id) in enrolments.iter().filter(|(r, _)| *r == registration.id) {
            let checkpoint = checkpoints
                .iter()
                .find(|c| c.workshop_id.as_deref() == Some(workshop_id.as_str()));
            let workshop = workshops.iter().find(|w| &w.id == workshop_id);
            if let (Some(checkpoint), Some(workshop)) = (checkpoint, workshop)
                && dice.next(100) < 88
            {
                let at = workshop.starts_at - chrono::Duration::minutes(minutes(&mut dice, 10));
                record(conn, &checkpoint.id, &registration.id, at)?;
            }
        }
    }
    Ok(())
}

/// The follow-up: a few of those who went to the label workshop start the certification in
/// the weeks after the stop ("more than ten" over the first stops, as the article says).
fn outcomes_crowd(conn: &mut DbConnection, stop: &Stop, seed: u64) -> Result<(), AppError> {
    use diesel::prelude::*;

    use crate::db::schema::{check_ins, checkpoints, workshops};
    let mut dice = Dice(seed.wrapping_mul(31).wrapping_add(7));
    let label_goers: Vec<String> = check_ins::table
        .inner_join(checkpoints::table.inner_join(workshops::table))
        .filter(check_ins::stop_id.eq(&stop.id))
        .filter(workshops::specialist_label.eq(true))
        .select(check_ins::registration_id)
        .distinct()
        .order(check_ins::registration_id.asc())
        .load(conn)?;
    let today = crate::time::now().date();
    for registration_id in label_goers {
        if dice.next(100) >= 6 {
            continue;
        }
        let occurred_on = stop.starts_at.date() + chrono::Duration::days(7 + dice.next(35) as i64);
        if occurred_on > today {
            continue;
        }
        crate::outcomes::service::record(
            conn,
            &registration_id,
            "certification_started",
            &occurred_on.to_string(),
            "marketing@roadshow.example",
        )?;
    }
    Ok(())
}

/// What resellers said after a past stop: about half of those present answer; Strasbourg is
/// clearly worse (trainers, licensing, the article's quote), and some complaints have already
/// been acknowledged or resolved. No e-mail is queued.
fn feedback_crowd(conn: &mut DbConnection, stop: &Stop, seed: u64) -> Result<(), AppError> {
    use crate::complaints::service::{ComplaintChanges, change};
    use crate::db::schema::feedback_requests;
    use crate::feedback::service::{FeedbackAnswer, RawFeedback, submit};
    use diesel::prelude::*;

    const QUOTE: &str = "On a à peine fini de maîtriser le principe que déjà Microsoft en change.";
    const OTHER_COMMENTS: &[&str] = &[
        "Journée utile, ateliers trop courts.",
        "Le label est une bonne idée, mais pas de leads pour les certifiés ?",
        "Très bon atelier Small Business Server.",
        "Salle trop petite pour l'atelier licences.",
        "",
        "",
    ];
    let mut dice = Dice(seed.wrapping_mul(7_727).wrapping_add(11));
    let bitter = stop.city == "Strasbourg";
    let present: Vec<String> = crate::db::schema::check_ins::table
        .inner_join(crate::db::schema::checkpoints::table)
        .filter(crate::db::schema::check_ins::stop_id.eq(&stop.id))
        .filter(crate::db::schema::checkpoints::kind.eq("entrance"))
        .select(crate::db::schema::check_ins::registration_id)
        .load(conn)?;
    let mut complaints = Vec::new();
    for (n, registration_id) in present.iter().enumerate() {
        diesel::insert_into(feedback_requests::table)
            .values((
                feedback_requests::registration_id.eq(registration_id),
                feedback_requests::stop_id.eq(&stop.id),
                feedback_requests::requested_at.eq(stop.ends_at),
                feedback_requests::expires_at.eq(stop.ends_at + chrono::Duration::days(30)),
            ))
            .execute(conn)?;
        if dice.next(100) >= 55 {
            continue;
        }
        let score = |dice: &mut Dice, low: bool| -> i64 {
            if low {
                1 + i64::try_from(dice.next(3)).unwrap_or(0)
            } else {
                3 + i64::try_from(dice.next(3)).unwrap_or(0)
            }
        };
        let mut themes = Vec::new();
        let comment = if bitter && n % 9 == 0 {
            themes.push("licensing".to_owned());
            QUOTE.to_owned()
        } else if bitter && dice.next(100) < 35 {
            themes.push("trainers".to_owned());
            "Les formateurs ne maîtrisaient pas leur sujet.".to_owned()
        } else {
            if dice.next(100) < 6 {
                themes.push("leads".to_owned());
            }
            (*OTHER_COMMENTS
                .get(usize::try_from(dice.next(6)).unwrap_or(0))
                .unwrap_or(&""))
            .to_owned()
        };
        let low_overall = bitter && dice.next(100) < 60;
        let raw = RawFeedback {
            overall: Some(score(&mut dice, low_overall)),
            trainers: Some(score(&mut dice, bitter)),
            content: Some(score(&mut dice, false)),
            nps: Some(if bitter {
                i64::try_from(dice.next(8)).unwrap_or(0)
            } else {
                5 + i64::try_from(dice.next(6)).unwrap_or(0)
            }),
            themes,
            comment: Some(comment),
            notify_me: false,
        };
        let at =
            stop.ends_at + chrono::Duration::hours(2 + i64::try_from(dice.next(70)).unwrap_or(0));
        let (_, opened) = submit(conn, registration_id, FeedbackAnswer::parse(raw)?, at)?;
        complaints.extend(opened);
    }
    // Marketing has started on them: a third acknowledged with an owner, a sixth resolved.
    for (i, id) in complaints.iter().enumerate() {
        let changes = match i % 6 {
            0 | 1 => ComplaintChanges {
                status: Some("acknowledged".into()),
                owner: Some("Bertrand Launay".into()),
                due_on: Some("2026-12-15".into()),
                comment: Some("Promis à l'étape : on revient vers vous.".into()),
                ..ComplaintChanges::default()
            },
            2 => ComplaintChanges {
                status: Some("resolved".into()),
                owner: Some("Michel Cordani".into()),
                resolution: Some(
                    "Fiche récapitulative des programmes de licences envoyée aux partenaires."
                        .into(),
                ),
                ..ComplaintChanges::default()
            },
            _ => continue,
        };
        change(
            conn,
            id,
            changes,
            "Michel Cordani",
            stop.ends_at + chrono::Duration::days(5),
        )?;
    }
    Ok(())
}
