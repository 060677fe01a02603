//! The demo's registrations.

use crate::db::DbConnection;
use crate::error::AppError;
use crate::sample_data::dice::Dice;
use crate::sample_data::names::{COMPANY_STEMS, FIRST_NAMES, JOB_TITLES, LAST_NAMES};
use crate::tours::store::Stop;

/// Registrations for a past stop of the demo tour: a little more than the room at the popular
/// stops (so that some wait), about a third in the label workshop. No e-mail is queued.
pub(super) fn register_crowd(
    conn: &mut DbConnection,
    stop: &Stop,
    seed: u64,
) -> Result<usize, AppError> {
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
