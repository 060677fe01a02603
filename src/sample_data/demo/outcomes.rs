//! The demo's outcomes: certifications started after the label workshop.

use crate::db::DbConnection;
use crate::error::AppError;
use crate::sample_data::dice::Dice;
use crate::tours::store::Stop;

/// The follow-up: a few of those who went to the label workshop start the certification in
/// the weeks after the stop ("more than ten" over the first stops, as the article says).
pub(super) fn outcomes_crowd(
    conn: &mut DbConnection,
    stop: &Stop,
    seed: u64,
) -> Result<(), AppError> {
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
