//! The rows of the exports: a stop's registrations a page at a time with what happened to
//! them, a tour's answers and complaints with their stop.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::analytics::figures::AttendeeFilter;
use crate::complaints::domain::{ComplaintStatus, ComplaintTheme};
use crate::db::schema::{
    check_ins, checkpoints, complaints, enrolments, feedback, outcomes, registrations, stops,
    workshops,
};
use crate::db::{self, DbConnection};
use crate::registrations::domain::RegistrationStatus;
use crate::time::StopZone;

/// A registration as the attendee export lists it.
#[derive(Debug, Queryable)]
pub struct ExportedRegistration {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub company: String,
    pub job_title: String,
    pub company_size: String,
    pub partner_type: String,
    pub partner_id: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub source: String,
}

/// A check-in of one of the exported registrations.
#[derive(Debug, Queryable)]
pub struct ExportedScan {
    pub registration_id: String,
    pub kind: String,
    pub workshop_id: Option<String>,
    pub scanned_at: NaiveDateTime,
}

/// An answer as the feedback export lists it, with its stop.
#[derive(Debug, Queryable)]
pub struct ExportedAnswer {
    pub city: String,
    pub starts_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub timezone: StopZone,
    pub company: String,
    pub overall: i32,
    pub trainers: i32,
    pub content: i32,
    pub nps: i32,
    pub comment: String,
    pub submitted_at: NaiveDateTime,
    pub quote_selected: bool,
}

/// A complaint as the complaints export lists it, with its stop.
#[derive(Debug, Queryable)]
pub struct ExportedComplaint {
    pub city: String,
    #[diesel(deserialize_as = String)]
    pub theme: ComplaintTheme,
    #[diesel(deserialize_as = String)]
    pub status: ComplaintStatus,
    pub summary: String,
    pub detail: String,
    pub company: String,
    pub owner: String,
    pub resolution: String,
    pub due_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub timezone: StopZone,
}

/// A page of a stop's registrations in `(created_at, id)` order, after `after` when given
/// (keyset pagination: each page costs the same however far the export got).
pub fn list_registrations_page(
    conn: &mut DbConnection,
    stop_id: &str,
    filter: &AttendeeFilter,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<ExportedRegistration>> {
    let mut query = registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .into_boxed::<db::Backend>();
    if let Some(size) = &filter.company_size {
        query = query.filter(registrations::company_size.eq(size.clone()));
    }
    if let Some(kind) = &filter.partner_type {
        query = query.filter(registrations::partner_type.eq(kind.clone()));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            registrations::created_at
                .gt(*at)
                .or(registrations::created_at
                    .eq(*at)
                    .and(registrations::id.gt(id.clone()))),
        );
    }
    query
        .order((registrations::created_at.asc(), registrations::id.asc()))
        .limit(limit)
        .select((
            registrations::id,
            registrations::last_name,
            registrations::first_name,
            registrations::email,
            registrations::company,
            registrations::job_title,
            registrations::company_size,
            registrations::partner_type,
            registrations::partner_id,
            registrations::status,
            registrations::created_at,
            registrations::source,
        ))
        .load(conn)
}

/// The check-ins of `registration_ids` with their checkpoint's kind and workshop.
pub fn list_scans_of_registrations(
    conn: &mut DbConnection,
    registration_ids: &[String],
) -> QueryResult<Vec<ExportedScan>> {
    check_ins::table
        .inner_join(checkpoints::table)
        .filter(check_ins::registration_id.eq_any(registration_ids))
        .select((
            check_ins::registration_id,
            checkpoints::kind,
            checkpoints::workshop_id,
            check_ins::scanned_at,
        ))
        .load(conn)
}

/// `(workshop id, title)` of a stop's workshops.
pub fn list_workshop_titles(
    conn: &mut DbConnection,
    stop_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    workshops::table
        .filter(workshops::stop_id.eq(stop_id))
        .select((workshops::id, workshops::title))
        .load(conn)
}

/// `(registration id, workshop id)` of the enrolments of `registration_ids` not cancelled.
pub fn list_enrolments_of(
    conn: &mut DbConnection,
    registration_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    enrolments::table
        .filter(enrolments::registration_id.eq_any(registration_ids))
        .filter(enrolments::status.ne(RegistrationStatus::Cancelled.as_str()))
        .select((enrolments::registration_id, enrolments::workshop_id))
        .load(conn)
}

/// Which of `registration_ids` gave feedback.
pub fn list_answered(
    conn: &mut DbConnection,
    registration_ids: &[String],
) -> QueryResult<Vec<String>> {
    feedback::table
        .filter(feedback::registration_id.eq_any(registration_ids))
        .select(feedback::registration_id)
        .load(conn)
}

/// `(registration id, kind)` of the outcomes of `registration_ids`.
pub fn list_outcomes_of(
    conn: &mut DbConnection,
    registration_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    outcomes::table
        .filter(outcomes::registration_id.eq_any(registration_ids))
        .select((outcomes::registration_id, outcomes::kind))
        .load(conn)
}

/// The answers of a tour's attendees, by stop date then time of answer.
pub fn list_tour_answers(
    conn: &mut DbConnection,
    tour_id: &str,
) -> QueryResult<Vec<ExportedAnswer>> {
    feedback::table
        .inner_join(stops::table.on(stops::id.eq(feedback::stop_id)))
        .inner_join(registrations::table)
        .filter(stops::tour_id.eq(tour_id))
        .order((stops::starts_at.asc(), feedback::submitted_at.asc()))
        .select((
            stops::city,
            stops::starts_at,
            stops::timezone,
            registrations::company,
            feedback::overall,
            feedback::trainers,
            feedback::content,
            feedback::nps,
            feedback::comment,
            feedback::submitted_at,
            feedback::quote_selected,
        ))
        .load(conn)
}

/// The complaints of a tour, by stop date then time received.
pub fn list_tour_complaints(
    conn: &mut DbConnection,
    tour_id: &str,
) -> QueryResult<Vec<ExportedComplaint>> {
    complaints::table
        .inner_join(stops::table)
        .filter(stops::tour_id.eq(tour_id))
        .order((stops::starts_at.asc(), complaints::created_at.asc()))
        .select((
            stops::city,
            complaints::theme,
            complaints::status,
            complaints::summary,
            complaints::detail,
            complaints::company,
            complaints::owner,
            complaints::resolution,
            complaints::due_on,
            complaints::created_at,
            stops::timezone,
        ))
        .load(conn)
}
