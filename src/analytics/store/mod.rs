//! Rows and queries of analytics: the counters of the dashboards (`counters`, kept by the
//! triggers of the `2026-11-30-000011_analytics_counters` migration), the checkpoints' roles,
//! an attendee's history (`history`) and the exports' rows (`exports`).

mod counters;
mod exports;
mod history;

pub use counters::*;
pub use exports::*;
pub use history::*;

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{checkpoints, tour_targets, workshops};

/// A checkpoint's role: entrance or workshop (which one), and whether that workshop carries
/// the label.
#[derive(Debug, Queryable)]
pub struct CheckpointRole {
    pub id: String,
    pub kind: String,
    pub workshop_id: Option<String>,
    pub specialist_label: Option<bool>,
}

/// A tour's target: how many outcomes of a kind it aims at.
#[derive(Debug, Queryable)]
pub struct Target {
    pub outcome: String,
    pub value: i32,
}

/// The checkpoints of `stop_ids` with their role.
pub fn list_checkpoint_roles(
    conn: &mut DbConnection,
    stop_ids: &[String],
) -> QueryResult<Vec<CheckpointRole>> {
    checkpoints::table
        .left_join(workshops::table)
        .filter(checkpoints::stop_id.eq_any(stop_ids))
        .select((
            checkpoints::id,
            checkpoints::kind,
            checkpoints::workshop_id,
            workshops::specialist_label.nullable(),
        ))
        .load(conn)
}

/// The tour's targets, by outcome kind.
pub fn list_targets(conn: &mut DbConnection, tour_id: &str) -> QueryResult<Vec<Target>> {
    tour_targets::table
        .filter(tour_targets::tour_id.eq(tour_id))
        .order(tour_targets::outcome.asc())
        .select((tour_targets::outcome, tour_targets::value))
        .load(conn)
}
