//! Rows and queries of analytics: one function per statement, grouped counts over a tour's
//! stops (answered from the indexes of the `2026-11-26-000008_analytics` migration), the rows
//! of one stop that are bucketed in its local time; an attendee's history (`history`) and the
//! exports' rows (`exports`).

mod exports;
mod history;

pub use exports::*;
pub use history::*;

use chrono::NaiveDateTime;
use diesel::IntoSql;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::figures::AttendeeFilter;
use crate::complaints::domain::{ComplaintStatus, ComplaintTheme};
use crate::db::DbConnection;
use crate::db::schema::{
    check_ins, checkpoints, complaints, enrolments, feedback, outcomes, registrations,
    tour_targets, workshops,
};
use crate::registrations::domain::RegistrationStatus;

/// Narrows a query that joins `registrations` to the filter's attendees. The condition is
/// always there (`company_size = ? OR <no filter>`), so that one query shape serves every filter.
macro_rules! for_attendees {
    ($query:expr, $filter:expr) => {{
        let filter: &AttendeeFilter = $filter;
        $query
            .filter(
                registrations::company_size
                    .eq(filter.company_size.clone().unwrap_or_default())
                    .or(filter.company_size.is_none().into_sql::<Bool>()),
            )
            .filter(
                registrations::partner_type
                    .eq(filter.partner_type.clone().unwrap_or_default())
                    .or(filter.partner_type.is_none().into_sql::<Bool>()),
            )
    }};
}

/// Runs a query over `$table` as it is when everyone is counted — the shape the indexes of the
/// analytics migration answer without reading a table row — or joined with `registrations` and
/// narrowed to the filter's attendees. `$where` are the `.filter(…)` calls, `$rest` the group
/// by, select and load shared by both.
macro_rules! counted {
    ($filter:expr, $table:expr, [$($where:tt)*], $($rest:tt)*) => {{
        let filter: &AttendeeFilter = $filter;
        if filter.is_everyone() {
            $table $($where)* $($rest)*
        } else {
            for_attendees!($table.inner_join(registrations::table) $($where)*, filter) $($rest)*
        }
    }};
}

/// Registrations of a stop with one status and source.
#[derive(Debug, Queryable)]
pub struct RegistrationTally {
    pub stop_id: String,
    pub status: String,
    pub source: String,
    pub n: i64,
}

/// A checkpoint's role: entrance or workshop, and whether its workshop carries the label.
#[derive(Debug, Queryable)]
pub struct CheckpointRole {
    pub id: String,
    pub kind: String,
    pub specialist_label: Option<bool>,
}

/// How many rows a stop has.
#[derive(Debug, Queryable)]
pub struct StopTally {
    pub stop_id: String,
    pub n: i64,
}

/// A stop's answers and the sums of their overall, trainers and content ratings.
#[derive(Debug, Queryable)]
pub struct RatingSums {
    pub stop_id: String,
    pub responses: i64,
    pub overall: Option<i64>,
    pub trainers: Option<i64>,
    pub content: Option<i64>,
}

/// How many answers of a stop gave one recommendation score.
#[derive(Debug, Queryable)]
pub struct ScoreTally {
    pub stop_id: String,
    pub score: i32,
    pub n: i64,
}

/// Complaints of a stop with one theme and status.
#[derive(Debug, Queryable)]
pub struct ComplaintTally {
    pub stop_id: String,
    #[diesel(deserialize_as = String)]
    pub theme: ComplaintTheme,
    #[diesel(deserialize_as = String)]
    pub status: ComplaintStatus,
    pub n: i64,
}

/// Outcomes of one kind recorded for a stop's attendees.
#[derive(Debug, Queryable)]
pub struct OutcomeTally {
    pub stop_id: String,
    pub kind: String,
    pub n: i64,
}

/// Enrolments of a workshop with one status.
#[derive(Debug, Queryable)]
pub struct EnrolmentTally {
    pub workshop_id: String,
    pub status: String,
    pub n: i64,
}

/// The checkpoint at a workshop's door.
#[derive(Debug, Queryable)]
pub struct WorkshopRoom {
    pub checkpoint_id: String,
    pub workshop_id: Option<String>,
}

/// Check-ins at one checkpoint.
#[derive(Debug, Queryable)]
pub struct CheckpointTally {
    pub checkpoint_id: String,
    pub n: i64,
}

/// A tour's target: how many outcomes of a kind it aims at.
#[derive(Debug, Queryable)]
pub struct Target {
    pub outcome: String,
    pub value: i32,
}

/// Registrations of `stop_ids` by stop, status and source.
pub fn count_registrations(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<RegistrationTally>> {
    for_attendees!(
        registrations::table.filter(registrations::stop_id.eq_any(stop_ids)),
        filter
    )
    .group_by((
        registrations::stop_id,
        registrations::status,
        registrations::source,
    ))
    .select((
        registrations::stop_id,
        registrations::status,
        registrations::source,
        count_star(),
    ))
    .load(conn)
}

/// The checkpoints of `stop_ids` with their role, so that check-ins are counted from their own
/// index rather than joined with the checkpoints.
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
            workshops::specialist_label.nullable(),
        ))
        .load(conn)
}

/// Check-ins at `checkpoint_ids` by stop.
pub fn count_check_ins(
    conn: &mut DbConnection,
    stop_ids: &[String],
    checkpoint_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<StopTally>> {
    counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq_any(stop_ids)).filter(check_ins::checkpoint_id.eq_any(checkpoint_ids))],
        .group_by(check_ins::stop_id)
        .select((check_ins::stop_id, count_star()))
        .load(conn)
    )
}

/// Attendees checked in at one of `checkpoint_ids` or more, by stop (someone at two workshops
/// is counted once).
pub fn count_distinct_attendees(
    conn: &mut DbConnection,
    stop_ids: &[String],
    checkpoint_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<StopTally>> {
    counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq_any(stop_ids)).filter(check_ins::checkpoint_id.eq_any(checkpoint_ids))],
        .group_by(check_ins::stop_id)
        .select((
            check_ins::stop_id,
            diesel::dsl::count(check_ins::registration_id).aggregate_distinct(),
        ))
        .load(conn)
    )
}

/// Answers and rating sums by stop.
pub fn sum_ratings(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<RatingSums>> {
    counted!(
        filter,
        feedback::table,
        [.filter(feedback::stop_id.eq_any(stop_ids))],
        .group_by(feedback::stop_id)
        .select((
            feedback::stop_id,
            count_star(),
            sum(feedback::overall),
            sum(feedback::trainers),
            sum(feedback::content),
        ))
        .load(conn)
    )
}

/// Answers by stop and recommendation score.
pub fn count_scores(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<ScoreTally>> {
    counted!(
        filter,
        feedback::table,
        [.filter(feedback::stop_id.eq_any(stop_ids))],
        .group_by((feedback::stop_id, feedback::nps))
        .select((feedback::stop_id, feedback::nps, count_star()))
        .load(conn)
    )
}

/// Complaints by stop, theme and status. Complaints recorded without an attendee (a phone call
/// about a company) only count when everyone is counted: they have no company size or kind of
/// partner to filter on, which the inner join of `counted!` expresses.
pub fn count_complaints(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<ComplaintTally>> {
    counted!(
        filter,
        complaints::table,
        [.filter(complaints::stop_id.eq_any(stop_ids))],
        .group_by((complaints::stop_id, complaints::theme, complaints::status))
        .select((
            complaints::stop_id,
            complaints::theme,
            complaints::status,
            count_star(),
        ))
        .load(conn)
    )
}

/// Outcomes by stop and kind.
pub fn count_outcomes(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<OutcomeTally>> {
    counted!(
        filter,
        outcomes::table,
        [.filter(outcomes::stop_id.eq_any(stop_ids))],
        .group_by((outcomes::stop_id, outcomes::kind))
        .select((outcomes::stop_id, outcomes::kind, count_star()))
        .load(conn)
    )
}

/// Enrolments holding or waiting for a seat, by workshop and status. A cancellation cancels
/// its enrolments, so the status alone tells who holds a seat.
pub fn count_enrolments(
    conn: &mut DbConnection,
    workshop_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<EnrolmentTally>> {
    counted!(
        filter,
        enrolments::table,
        [.filter(enrolments::workshop_id.eq_any(workshop_ids)).filter(enrolments::status.ne(RegistrationStatus::Cancelled.as_str()))],
        .group_by((enrolments::workshop_id, enrolments::status))
        .select((enrolments::workshop_id, enrolments::status, count_star()))
        .load(conn)
    )
}

/// The checkpoints of `workshop_ids`.
pub fn list_workshop_rooms(
    conn: &mut DbConnection,
    workshop_ids: &[String],
) -> QueryResult<Vec<WorkshopRoom>> {
    checkpoints::table
        .filter(checkpoints::workshop_id.eq_any(workshop_ids))
        .select((checkpoints::id, checkpoints::workshop_id))
        .load(conn)
}

/// Check-ins of a stop at `checkpoint_ids`, by checkpoint.
pub fn count_check_ins_by_checkpoint(
    conn: &mut DbConnection,
    stop_id: &str,
    checkpoint_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<CheckpointTally>> {
    counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq(stop_id)).filter(check_ins::checkpoint_id.eq_any(checkpoint_ids))],
        .group_by(check_ins::checkpoint_id)
        .select((check_ins::checkpoint_id, count_star()))
        .load(conn)
    )
}

/// The ids of a stop's entrance checkpoints.
pub fn list_entrances(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Vec<String>> {
    checkpoints::table
        .filter(checkpoints::stop_id.eq(stop_id))
        .filter(checkpoints::kind.eq("entrance"))
        .select(checkpoints::id)
        .load(conn)
}

/// When each check-in of a stop at `checkpoint_ids` was scanned.
pub fn list_check_in_times(
    conn: &mut DbConnection,
    stop_id: &str,
    checkpoint_ids: &[String],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<NaiveDateTime>> {
    counted!(
        filter,
        check_ins::table,
        [.filter(check_ins::stop_id.eq(stop_id)).filter(check_ins::checkpoint_id.eq_any(checkpoint_ids))],
        .select(check_ins::scanned_at)
        .load(conn)
    )
}

/// When each registration of a stop was made.
pub fn list_registration_times(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
) -> QueryResult<Vec<NaiveDateTime>> {
    for_attendees!(
        registrations::table.filter(registrations::stop_id.eq(stop_id)),
        filter
    )
    .select(registrations::created_at)
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
