//! The demo tour, built from the press article the product comes from: the "Rencontres
//! Partenaires 360°" tour of France from mid-September, Strasbourg on 13 October, workshops on
//! the small-business specialist label, Small Business Server, Windows XP and licensing.
//! Everything goes through the same validation and services as the API.

mod checkins;
mod feedback;
mod outcomes;
mod registrations;
mod setup;

use crate::auth::service::{NewUser, create_user};
use crate::auth::store::find_user_by_email;
use crate::db::DbConnection;
use crate::error::AppError;
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
/// The upcoming demo tour, open for registration: its stops are dated from the day the demo
/// is loaded, so that it stays upcoming.
pub const DEMO_SPRING_SLUG: &str = "rencontres-360-prochaines-etapes";

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
    let (tour, workshops) = setup::create_autumn_tour(conn)?;
    let mut registrations = 0;
    for (index, stop) in service::tour_view(conn, &tour.tour.id)?
        .stops
        .iter()
        .enumerate()
    {
        let seed = index as u64;
        registrations += registrations::register_crowd(conn, &stop.stop, seed)?;
        checkins::check_in_crowd(conn, &stop.stop, seed)?;
        feedback::feedback_crowd(conn, &stop.stop, seed)?;
        outcomes::outcomes_crowd(conn, &stop.stop, seed)?;
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
    setup::create_spring_tour(conn)?;
    Ok(DemoSummary {
        tour_slug: tour.tour.slug,
        stops: setup::STOPS.len(),
        workshops,
        registrations,
    })
}
