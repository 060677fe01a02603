//! Rows and queries of check-in: scans (kept as decided), check-ins (one per badge and
//! checkpoint), undos, and the reads the scanner needs.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    check_ins, checkpoints, enrolments, registrations, scan_undos, scans, search_generations, stops,
};
use crate::ids::{CheckpointId, RegistrationId, StopId, WorkshopId};
use crate::registrations::domain::RegistrationStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = scans)]
// `None` written as NULL (the columns have no other default) rather than `DEFAULT`: an insert
// whose text depends on its values is one diesel never keeps prepared, and on SQLite a
// multi-row insert with `DEFAULT` becomes a statement per row.
#[diesel(treat_none_as_default_value = false)]
pub struct Scan {
    pub id: String,
    pub stop_id: StopId,
    pub checkpoint_id: CheckpointId,
    pub registration_id: Option<RegistrationId>,
    pub result: String,
    pub user_id: Option<String>,
    pub device_id: Option<String>,
    pub scanned_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    pub checkpoint_id: CheckpointId,
    pub registration_id: RegistrationId,
    pub stop_id: StopId,
    pub scan_id: String,
    pub scanned_at: NaiveDateTime,
}

/// Where and what a checkpoint is.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = checkpoints)]
pub struct CheckpointRow {
    pub id: CheckpointId,
    pub stop_id: StopId,
    pub kind: String,
    pub workshop_id: Option<WorkshopId>,
    pub name: String,
}

pub fn find_checkpoint(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CheckpointRow>> {
    checkpoints::table
        .find(id)
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}

/// The checkpoint of the workshop that `room` of a stop holds at `at` (see
/// `tours::domain::holds_room`), if any.
pub fn checkpoint_in_room_at(
    conn: &mut DbConnection,
    stop_id: &str,
    room: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<Option<CheckpointRow>> {
    let held = crate::tours::store::list_workshops(conn, stop_id)?
        .into_iter()
        .find(|w| w.room == room && crate::tours::domain::holds_room(w.starts_at, w.ends_at, at));
    match held {
        Some(workshop) => checkpoint_of_workshop(conn, &workshop.id),
        None => Ok(None),
    }
}

/// The checkpoint of a workshop.
pub fn checkpoint_of_workshop(
    conn: &mut DbConnection,
    workshop_id: &str,
) -> QueryResult<Option<CheckpointRow>> {
    checkpoints::table
        .filter(checkpoints::workshop_id.eq(workshop_id))
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_scan(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Scan>> {
    scans::table
        .find(id)
        .select(Scan::as_select())
        .first(conn)
        .optional()
}

/// Records a scan; 0 rows when a scan with this id exists (a resend): the first one stands.
pub fn insert_scan(conn: &mut DbConnection, scan: &Scan) -> QueryResult<usize> {
    // Upserts do not go through the two-backend connection: the same statement runs on each.
    let query = diesel::insert_into(scans::table)
        .values(scan)
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Pg(c) => query.execute(c),
        DbConnection::Sqlite(c) => query.execute(c),
    }
}

/// Records a check-in; 0 rows when the badge is already checked in at this checkpoint.
pub fn insert_check_in(conn: &mut DbConnection, check_in: &CheckIn) -> QueryResult<usize> {
    let query = diesel::insert_into(check_ins::table)
        .values(check_in)
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Pg(c) => query.execute(c),
        DbConnection::Sqlite(c) => query.execute(c),
    }
}

/// Records the check-ins of a group of scans; returns how many were new (a badge already
/// checked in at its checkpoint adds nothing).
///
/// PostgreSQL: one multi-row statement, one round trip. SQLite has no round trip to save: there
/// the single-row statement runs once per row, kept prepared. A multi-row insert's text changes
/// with the group's size, so SQLite compiled it again at every group, and with it the programs of
/// the counters' triggers that every check-in fires (a tenth of the door writer's time).
pub fn insert_check_ins(conn: &mut DbConnection, rows: &[CheckIn]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(check_ins::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(c),
        DbConnection::Sqlite(_) => rows.iter().map(|row| insert_check_in(conn, row)).sum(),
    }
}

/// Records a group of scans; returns how many were new. As [`insert_check_ins`]: one statement
/// on PostgreSQL, the single-row statement kept prepared on SQLite.
pub fn insert_scans(conn: &mut DbConnection, rows: &[Scan]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(scans::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(c),
        DbConnection::Sqlite(_) => rows.iter().map(|row| insert_scan(conn, row)).sum(),
    }
}

/// Which of these scan ids are already recorded.
pub fn known_scan_ids(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::db::any_of!(conn, scans::id, ids, |c, listed| scans::table
        .filter(listed)
        .select(scans::id)
        .load(c))
}

/// The check-ins of these registrations (the check-ins' registration index).
pub fn check_ins_of_registrations(
    conn: &mut DbConnection,
    registration_ids: &[&str],
) -> QueryResult<Vec<CheckIn>> {
    crate::db::any_of!(
        conn,
        check_ins::registration_id,
        registration_ids,
        |c, listed| check_ins::table
            .filter(listed)
            .select(CheckIn::as_select())
            .load(c)
    )
}

/// Confirmed workshop seats of these registrations: `(registration, workshop)`.
pub fn confirmed_enrolments_of(
    conn: &mut DbConnection,
    registration_ids: &[&str],
) -> QueryResult<Vec<(String, String)>> {
    if registration_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::db::any_of!(
        conn,
        enrolments::registration_id,
        registration_ids,
        |c, listed| enrolments::table
            .filter(listed)
            .filter(enrolments::status.eq(RegistrationStatus::Confirmed.as_str()))
            .select((enrolments::registration_id, enrolments::workshop_id))
            .load(c)
    )
}

pub fn find_check_in(
    conn: &mut DbConnection,
    checkpoint_id: &CheckpointId,
    registration_id: &RegistrationId,
) -> QueryResult<Option<CheckIn>> {
    check_ins::table
        .find((checkpoint_id, registration_id))
        .select(CheckIn::as_select())
        .first(conn)
        .optional()
}

/// Moves a check-in's time to an earlier scan of the same badge (an offline one synced late);
/// 0 rows when the check-in is already as early. The scan that made it stays the same.
pub fn move_check_in_earlier(conn: &mut DbConnection, check_in: &CheckIn) -> QueryResult<usize> {
    diesel::update(
        check_ins::table
            .find((&check_in.checkpoint_id, &check_in.registration_id))
            .filter(check_ins::scanned_at.gt(check_in.scanned_at)),
    )
    .set(check_ins::scanned_at.eq(check_in.scanned_at))
    .execute(conn)
}

/// Removes the check-in made by `scan_id` (an undo); 0 rows when that scan is not the check-in.
pub fn delete_check_in_of_scan(conn: &mut DbConnection, scan_id: &str) -> QueryResult<usize> {
    diesel::delete(check_ins::table.filter(check_ins::scan_id.eq(scan_id))).execute(conn)
}

pub fn insert_undo(
    conn: &mut DbConnection,
    scan_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let query = diesel::insert_into(scan_undos::table)
        .values((
            scan_undos::scan_id.eq(scan_id),
            scan_undos::user_id.eq(user_id),
            scan_undos::undone_at.eq(now),
        ))
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Pg(c) => query.execute(c),
        DbConnection::Sqlite(c) => query.execute(c),
    }
}

/// True when the registration holds a confirmed seat in the workshop.
pub fn is_enrolled(
    conn: &mut DbConnection,
    registration_id: &RegistrationId,
    workshop_id: &WorkshopId,
) -> QueryResult<bool> {
    let found: Option<String> = enrolments::table
        .find((registration_id, workshop_id))
        .filter(enrolments::status.eq(RegistrationStatus::Confirmed.as_str()))
        .select(enrolments::registration_id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Check-ins at a checkpoint.
pub fn count_check_ins(conn: &mut DbConnection, checkpoint_id: &str) -> QueryResult<i64> {
    check_ins::table
        .filter(check_ins::checkpoint_id.eq(checkpoint_id))
        .count()
        .get_result(conn)
}

/// A scan, whom it named (first name, last name, company) and when it was undone.
pub type RecentScanRow = (
    Scan,
    Option<(String, String, String)>,
    Option<NaiveDateTime>,
);

/// The latest scans at a checkpoint, with the name of whom they named, newest first.
pub fn recent_scans(
    conn: &mut DbConnection,
    checkpoint_id: &str,
    limit: i64,
) -> QueryResult<Vec<RecentScanRow>> {
    scans::table
        .left_join(registrations::table.on(registrations::id.nullable().eq(scans::registration_id)))
        .left_join(scan_undos::table.on(scan_undos::scan_id.eq(scans::id)))
        .filter(scans::checkpoint_id.eq(checkpoint_id))
        .order(scans::received_at.desc())
        .limit(limit)
        .select((
            Scan::as_select(),
            (
                registrations::first_name,
                registrations::last_name,
                registrations::company,
            )
                .nullable(),
            scan_undos::undone_at.nullable(),
        ))
        .load(conn)
}

/// Every check-in of a stop: `(checkpoint, registration, when)`, for offline scanners.
pub fn check_ins_of_stop(
    conn: &mut DbConnection,
    stop_id: &str,
) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    check_ins::table
        .filter(check_ins::stop_id.eq(stop_id))
        .select((
            check_ins::checkpoint_id,
            check_ins::registration_id,
            check_ins::scanned_at,
        ))
        .load(conn)
}

/// Confirmed workshop enrolments of a stop's registrations: `(registration, workshop)`.
pub fn confirmed_enrolments_of_stop(
    conn: &mut DbConnection,
    stop_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    enrolments::table
        .inner_join(registrations::table)
        .filter(registrations::stop_id.eq(stop_id))
        .filter(enrolments::status.eq(RegistrationStatus::Confirmed.as_str()))
        .select((enrolments::registration_id, enrolments::workshop_id))
        .load(conn)
}

/// Confirmed enrolments of one workshop (the people expected at its door).
pub fn count_confirmed_enrolments(conn: &mut DbConnection, workshop_id: &str) -> QueryResult<i64> {
    enrolments::table
        .inner_join(registrations::table)
        .filter(enrolments::workshop_id.eq(workshop_id))
        .filter(enrolments::status.eq(RegistrationStatus::Confirmed.as_str()))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
        .count()
        .get_result(conn)
}

/// Confirmed registrations of a stop (the people expected at the entrance).
pub fn count_confirmed(conn: &mut DbConnection, stop_id: &str) -> QueryResult<i64> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
        .count()
        .get_result(conn)
}

/// The workshops of a registration: `(workshop id, title, enrolment status)`, by start time.
/// A workshop someone holds a place in or waits for (cancelled enrolments left out), as the
/// answer to their scan lists it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct EnrolledWorkshop {
    pub workshop_id: String,
    pub title: String,
    /// `confirmed` or `waitlisted`.
    pub status: String,
}

/// The workshops of each of these registrations, each list by start time: one read for a
/// group of scans.
pub fn workshops_of(
    conn: &mut DbConnection,
    registration_ids: &[&str],
) -> QueryResult<HashMap<String, Vec<EnrolledWorkshop>>> {
    use crate::db::schema::workshops;
    if registration_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, EnrolledWorkshop)> = crate::db::any_of!(
        conn,
        enrolments::registration_id,
        registration_ids,
        |c, listed| enrolments::table
            .inner_join(workshops::table)
            .filter(listed)
            .filter(enrolments::status.ne(RegistrationStatus::Cancelled.as_str()))
            .order((workshops::starts_at.asc(), workshops::id.asc()))
            .select((
                enrolments::registration_id,
                (workshops::id, workshops::title, enrolments::status),
            ))
            .load(c)
    )?;
    let mut by_registration: HashMap<String, Vec<EnrolledWorkshop>> = HashMap::new();
    for (registration_id, workshop) in rows {
        by_registration
            .entry(registration_id)
            .or_default()
            .push(workshop);
    }
    Ok(by_registration)
}

/// The entrance checkpoint of a stop.
pub fn entrance_of(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Option<CheckpointRow>> {
    checkpoints::table
        .filter(checkpoints::stop_id.eq(stop_id))
        .filter(checkpoints::kind.eq("entrance"))
        .select(CheckpointRow::as_select())
        .first(conn)
        .optional()
}

/// When each of these registrations of a stop was checked in at the entrance (registration id
/// → time), for those who were, and the stop's search generation (see
/// `registrations::search::SearchIndex::find_with`), from one statement: the stop's row, its
/// generation, and its entrance check-ins of the people asked about, found by the check-ins'
/// primary key (checkpoint, registration), so that the cost is that of the people asked about,
/// not of the stop's check-ins.
pub fn entrance_times(
    conn: &mut DbConnection,
    stop_id: &str,
    registration_ids: &[&str],
) -> QueryResult<(i64, HashMap<String, NaiveDateTime>)> {
    type Row = (Option<i64>, Option<String>, Option<NaiveDateTime>);
    let rows = crate::db::any_of!(
        conn,
        check_ins::registration_id,
        registration_ids,
        |c, listed| stops::table
            .left_join(search_generations::table.on(search_generations::stop_id.eq(stops::id)))
            .left_join(
                check_ins::table.on(check_ins::checkpoint_id
                    .eq_any(
                        checkpoints::table
                            .filter(checkpoints::stop_id.eq(stop_id))
                            .filter(checkpoints::kind.eq("entrance"))
                            .select(checkpoints::id),
                    )
                    .and(listed)),
            )
            .filter(stops::id.eq(stop_id))
            .select((
                search_generations::generation.nullable(),
                check_ins::registration_id.nullable(),
                check_ins::scanned_at.nullable(),
            ))
            .load::<Row>(c)
    )?;
    let generation = rows.first().and_then(|(g, _, _)| *g).unwrap_or(0);
    let times = rows
        .into_iter()
        .filter_map(|(_, id, at)| Some((id?, at?)))
        .collect();
    Ok((generation, times))
}
