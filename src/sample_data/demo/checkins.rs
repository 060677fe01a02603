//! The demo's check-ins at the entrance and at the workshop doors.

use crate::checkin::store::{self as checkin_store, CheckIn, Scan};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::registrations::store::list_for_stop;
use crate::sample_data::dice::Dice;
use crate::tours::store::Stop;

/// Check-ins for a past stop: 15–30 % no-shows, most arrivals in the 30 minutes before the
/// start, and most people enrolled in a workshop at its door (about a third of those present
/// in the label workshop, as the article reports).
pub(super) fn check_in_crowd(
    conn: &mut DbConnection,
    stop: &Stop,
    seed: u64,
) -> Result<(), AppError> {
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
    let minutes = |dice: &mut Dice, n: u64| i64::try_from(dice.next(n)).unwrap_or(0);
    for registration in list_for_stop(conn, &stop.id, 100_000)?
        .into_iter()
        .filter(|r| r.status == crate::registrations::domain::RegistrationStatus::Confirmed)
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
        record(conn, &stop.id, &entrance.id, &registration.id, arrival)?;
        for (_, workshop_id) in enrolments.iter().filter(|(r, _)| registration.id == *r) {
            let checkpoint = checkpoints
                .iter()
                .find(|c| c.workshop_id.as_deref() == Some(workshop_id.as_str()));
            let workshop = workshops.iter().find(|w| &w.id == workshop_id);
            if let (Some(checkpoint), Some(workshop)) = (checkpoint, workshop)
                && dice.next(100) < 88
            {
                let at = workshop.starts_at - chrono::Duration::minutes(minutes(&mut dice, 10));
                record(conn, &stop.id, &checkpoint.id, &registration.id, at)?;
            }
        }
    }
    Ok(())
}

/// An `ok` scan at `checkpoint` and the check-in it makes, as the scanner would have sent them.
fn record(
    conn: &mut DbConnection,
    stop_id: &str,
    checkpoint: &str,
    registration: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let id = uuid::Uuid::new_v4().to_string();
    checkin_store::insert_scan(
        conn,
        &Scan {
            id: id.clone(),
            stop_id: stop_id.into(),
            checkpoint_id: checkpoint.into(),
            registration_id: Some(registration.into()),
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
            checkpoint_id: checkpoint.into(),
            registration_id: registration.into(),
            stop_id: stop_id.into(),
            scan_id: id,
            scanned_at: at,
        },
    )?;
    Ok(())
}
