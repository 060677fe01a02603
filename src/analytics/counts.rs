//! The counts behind every figure, per stop, from the grouped queries of the store: kept apart
//! from the service (which caches and shapes them) so that other areas' summaries can use them.

use std::collections::HashMap;

use super::figures::{AttendeeFilter, Counts};
use super::store;
use crate::db::DbConnection;
use crate::error::AppError;

/// The counts of each of `stop_ids`, keyed by stop id (stops without any row get zeros).
pub fn counts_by_stop(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> Result<HashMap<String, Counts>, AppError> {
    let mut out: HashMap<String, Counts> = stop_ids
        .iter()
        .map(|id| (id.clone(), Counts::default()))
        .collect();
    let mut each = |stop_id: &str, add: &mut dyn FnMut(&mut Counts)| {
        if let Some(c) = out.get_mut(stop_id) {
            add(c);
        }
    };
    for t in store::count_registrations(conn, stop_ids, filter)? {
        each(&t.stop_id, &mut |c| {
            c.add_registrations(&t.status, &t.source, t.n)
        });
    }
    // Check-ins are those of confirmed registrations: a cancellation removes its check-ins.
    let roles = store::list_checkpoint_roles(conn, stop_ids)?;
    let ids_where = |wanted: &dyn Fn(&store::CheckpointRole) -> bool| -> Vec<String> {
        roles
            .iter()
            .filter(|r| wanted(r))
            .map(|r| r.id.clone())
            .collect()
    };
    let entrances = ids_where(&|r| r.kind == "entrance");
    let rooms = ids_where(&|r| r.kind == "workshop");
    let label_rooms = ids_where(&|r| r.specialist_label == Some(true));
    for t in store::count_check_ins(conn, stop_ids, &entrances, filter)? {
        each(&t.stop_id, &mut |c| c.checked_in = t.n);
    }
    // Someone at two workshops (or at both sessions of the label one) is one workshop-goer.
    for t in store::count_distinct_attendees(conn, stop_ids, &rooms, filter)? {
        each(&t.stop_id, &mut |c| c.attended_workshop = t.n);
    }
    for t in store::count_distinct_attendees(conn, stop_ids, &label_rooms, filter)? {
        each(&t.stop_id, &mut |c| c.attended_label = t.n);
    }
    for t in store::sum_ratings(conn, stop_ids, filter)? {
        each(&t.stop_id, &mut |c| {
            c.responses = t.responses;
            c.ratings_sum = [t.overall, t.trainers, t.content].map(|s| s.unwrap_or(0));
        });
    }
    for t in store::count_scores(conn, stop_ids, filter)? {
        each(&t.stop_id, &mut |c| c.set_score(t.score, t.n));
    }
    for t in store::count_complaints(conn, stop_ids, filter)? {
        each(&t.stop_id, &mut |c| {
            let by_status = c.complaints.entry(t.theme.to_string()).or_default();
            by_status.insert(t.status.to_string(), t.n);
        });
    }
    for t in store::count_outcomes(conn, stop_ids, filter)? {
        each(&t.stop_id, &mut |c| {
            c.outcomes.insert(t.kind.clone(), t.n);
        });
    }
    Ok(out)
}
