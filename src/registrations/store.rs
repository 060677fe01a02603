//! Rows and queries for registrations, enrolments and the seat counters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::domain::RegistrationStatus;
use crate::db::DbConnection;
use crate::db::schema::{check_ins, enrolments, registrations, stops, workshops};
use crate::ids::{RegistrationId, StopId, WorkshopId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registrations)]
// `None` written as NULL rather than `DEFAULT`: an insert whose text depends on its values is
// one diesel never keeps prepared, and PostgreSQL would parse and plan it for every registration.
#[diesel(treat_none_as_default_value = false)]
pub struct Registration {
    pub id: RegistrationId,
    pub stop_id: StopId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: RegistrationStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub job_title: String,
    pub company_size: String,
    pub partner_id: String,
    pub locale: String,
    pub source: String,
    pub consent_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub cancelled_at: Option<NaiveDateTime>,
    /// reseller, integrator, distributor, consultant, other; empty when not given.
    pub partner_type: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enrolments)]
pub struct Enrolment {
    pub registration_id: RegistrationId,
    pub workshop_id: WorkshopId,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: RegistrationStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Writes registrations in one statement. One row goes through a statement diesel keeps
/// prepared; several through one multi-row insert, parsed each time but a single round trip.
pub fn insert_registrations(conn: &mut DbConnection, rows: &[Registration]) -> QueryResult<usize> {
    let insert = diesel::insert_into(registrations::table);
    match (rows, conn) {
        ([], _) => Ok(0),
        ([row], conn) => insert.values(row.clone()).execute(conn),
        // Multi-row inserts do not go through the two-backend connection.
        (rows, DbConnection::Pg(c)) => insert.values(rows.to_vec()).execute(c),
        (rows, DbConnection::Sqlite(c)) => insert.values(rows.to_vec()).execute(c),
    }
}

pub fn find_registration(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Registration>> {
    registrations::table
        .find(id)
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// The registrations among these ids that exist (one query, in no particular order).
pub fn find_registrations(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<Registration>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::db::any_of!(conn, registrations::id, ids, |c, listed| {
        registrations::table
            .filter(listed)
            .select(Registration::as_select())
            .load(c)
    })
}

/// `registrations.status <> 'cancelled'`, the status written out, not bound: a bound
/// `status <> $3` does not match the partial index `registrations_live_email` (`WHERE status
/// <> 'cancelled'`) in PostgreSQL's generic plans, which then read every registration of the
/// stop. A fixed piece of SQL rather than `dsl::sql`, which diesel never keeps prepared: every
/// registration asks this.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
struct IsLive;

impl Expression for IsLive {
    type SqlType = diesel::sql_types::Bool;
}

impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for IsLive {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("registrations.status <> 'cancelled'");
        Ok(())
    }
}

impl AppearsOnTable<registrations::table> for IsLive {}

/// The live (not cancelled) registration of an e-mail at a stop.
pub fn find_live_by_email(
    conn: &mut DbConnection,
    stop_id: &str,
    email: &str,
) -> QueryResult<Option<Registration>> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .filter(registrations::email.eq(email))
        .filter(IsLive)
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// Which of these e-mails have a live (not cancelled) registration at a stop.
pub fn live_emails(
    conn: &mut DbConnection,
    stop_id: &str,
    emails: &[&str],
) -> QueryResult<Vec<String>> {
    match emails {
        [] => Ok(Vec::new()),
        [email] => Ok(find_live_by_email(conn, stop_id, email)?
            .map(|r| r.email)
            .into_iter()
            .collect()),
        // A group of registrations: the e-mails bound as one value, so that the statement
        // stays prepared whatever the group's size (`db::any_of!`).
        emails => crate::db::any_of!(conn, registrations::email, emails, |c, listed| {
            registrations::table
                .filter(registrations::stop_id.eq(stop_id))
                .filter(listed)
                .filter(IsLive)
                .select(registrations::email)
                .load(c)
        }),
    }
}

/// Moves a registration from one status to another; 0 rows when it was not in `from`.
pub fn update_status(
    conn: &mut DbConnection,
    id: &str,
    from: RegistrationStatus,
    to: RegistrationStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let cancelled_at = (to == RegistrationStatus::Cancelled).then_some(now);
    diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::status.eq(from.as_str())),
    )
    .set((
        registrations::status.eq(to.as_str()),
        registrations::updated_at.eq(now),
        registrations::cancelled_at.eq(cancelled_at),
    ))
    .execute(conn)
}

/// The first waitlisted registration of a stop, in arrival order.
pub fn first_waitlisted(
    conn: &mut DbConnection,
    stop_id: &str,
) -> QueryResult<Option<Registration>> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order((registrations::created_at.asc(), registrations::id.asc()))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// Where a waitlisted registration stands in its stop's line (1 = next to get a seat): the
/// same order as `first_waitlisted`.
pub fn place_in_line(conn: &mut DbConnection, registration: &Registration) -> QueryResult<i64> {
    let ahead: i64 = registrations::table
        .filter(registrations::stop_id.eq(&registration.stop_id))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .filter(
            registrations::created_at
                .lt(registration.created_at)
                .or(registrations::created_at
                    .eq(registration.created_at)
                    .and(registrations::id.lt(&registration.id))),
        )
        .count()
        .get_result(conn)?;
    Ok(ahead + 1)
}

/// Takes a stop seat if one is free: true when taken.
pub fn take_stop_seat(conn: &mut DbConnection, stop_id: &str) -> QueryResult<bool> {
    take_stop_seats(conn, stop_id, 1)
}

/// Takes `count` stop seats if that many are free, or none: true when taken. Atomic on both
/// backends, whatever the number of requests or processes: the condition is checked by the
/// database on the row.
pub fn take_stop_seats(conn: &mut DbConnection, stop_id: &str, count: i32) -> QueryResult<bool> {
    let taken = diesel::update(
        stops::table
            .find(stop_id)
            .filter((stops::seats_taken + count).le(stops::capacity)),
    )
    .set(stops::seats_taken.eq(stops::seats_taken + count))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Gives a stop seat back.
pub fn release_stop_seat(conn: &mut DbConnection, stop_id: &str) -> QueryResult<usize> {
    diesel::update(stops::table.find(stop_id).filter(stops::seats_taken.gt(0)))
        .set(stops::seats_taken.eq(stops::seats_taken - 1))
        .execute(conn)
}

/// Takes a workshop seat if one is free: true when taken.
pub fn take_workshop_seat(conn: &mut DbConnection, workshop_id: &str) -> QueryResult<bool> {
    let taken = diesel::update(
        workshops::table
            .find(workshop_id)
            .filter(workshops::seats_taken.lt(workshops::capacity)),
    )
    .set(workshops::seats_taken.eq(workshops::seats_taken + 1))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Gives a workshop seat back.
pub fn release_workshop_seat(conn: &mut DbConnection, workshop_id: &str) -> QueryResult<usize> {
    diesel::update(
        workshops::table
            .find(workshop_id)
            .filter(workshops::seats_taken.gt(0)),
    )
    .set(workshops::seats_taken.eq(workshops::seats_taken - 1))
    .execute(conn)
}

pub fn list_enrolments(
    conn: &mut DbConnection,
    registration_id: &str,
) -> QueryResult<Vec<Enrolment>> {
    enrolments::table
        .filter(enrolments::registration_id.eq(registration_id))
        .select(Enrolment::as_select())
        .load(conn)
}

pub fn insert_enrolment(conn: &mut DbConnection, row: &Enrolment) -> QueryResult<usize> {
    diesel::insert_into(enrolments::table)
        .values(row.clone())
        .execute(conn)
}

/// Moves an enrolment from one status to another; 0 rows when it was not in `from`.
pub fn update_enrolment(
    conn: &mut DbConnection,
    registration_id: &RegistrationId,
    workshop_id: &WorkshopId,
    from: RegistrationStatus,
    to: RegistrationStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        enrolments::table
            .find((registration_id, workshop_id))
            .filter(enrolments::status.eq(from.as_str())),
    )
    .set((
        enrolments::status.eq(to.as_str()),
        enrolments::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The first waitlisted enrolment of a workshop whose registration holds a stop seat.
pub fn first_waitlisted_enrolment(
    conn: &mut DbConnection,
    workshop_id: &str,
) -> QueryResult<Option<Enrolment>> {
    enrolments::table
        .inner_join(registrations::table)
        .filter(enrolments::workshop_id.eq(workshop_id))
        .filter(enrolments::status.eq(RegistrationStatus::Waitlisted.as_str()))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
        .order((
            enrolments::updated_at.asc(),
            enrolments::registration_id.asc(),
        ))
        .select(Enrolment::as_select())
        .first(conn)
        .optional()
}

/// Registrations of a stop, newest first (admin lists, later check-in search).
pub fn list_for_stop(
    conn: &mut DbConnection,
    stop_id: &str,
    limit: i64,
) -> QueryResult<Vec<Registration>> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .order(registrations::created_at.desc())
        .limit(limit)
        .select(Registration::as_select())
        .load(conn)
}

/// `(status, count)` of a stop's registrations.
pub fn count_by_status(conn: &mut DbConnection, stop_id: &str) -> QueryResult<Vec<(String, i64)>> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .group_by(registrations::status)
        .select((registrations::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Removes a registration's check-ins (when it is cancelled).
pub fn remove_check_ins(conn: &mut DbConnection, registration_id: &str) -> QueryResult<usize> {
    diesel::delete(check_ins::table.filter(check_ins::registration_id.eq(registration_id)))
        .execute(conn)
}
