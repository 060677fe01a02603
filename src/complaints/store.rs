//! Rows and queries for complaints and their history.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::domain::{ComplaintStatus, ComplaintTheme};
use crate::db::DbConnection;
use crate::db::schema::{complaint_events, complaints};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = complaints)]
pub struct Complaint {
    pub id: String,
    pub stop_id: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub theme: ComplaintTheme,
    pub summary: String,
    pub detail: String,
    pub company: String,
    pub registration_id: Option<String>,
    pub feedback_id: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: ComplaintStatus,
    pub owner: String,
    pub resolution: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// When a promise made about it falls due.
    pub due_on: Option<chrono::NaiveDate>,
    /// The reseller asked to be told of the outcome.
    pub notify_reseller: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = complaint_events)]
pub struct ComplaintEvent {
    pub id: String,
    pub complaint_id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// Takes the row: with `serialize_as`, diesel inserts owned rows only.
pub fn insert(conn: &mut DbConnection, complaint: Complaint) -> QueryResult<usize> {
    diesel::insert_into(complaints::table)
        .values(complaint)
        .execute(conn)
}

pub fn insert_event(conn: &mut DbConnection, event: &ComplaintEvent) -> QueryResult<usize> {
    diesel::insert_into(complaint_events::table)
        .values(event)
        .execute(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Complaint>> {
    complaints::table
        .find(id)
        .select(Complaint::as_select())
        .first(conn)
        .optional()
}

/// Writes the fields marketing may change.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    status: ComplaintStatus,
    owner: &str,
    resolution: &str,
    due_on: Option<chrono::NaiveDate>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(complaints::table.find(id))
        .set((
            complaints::status.eq(status.as_str()),
            complaints::owner.eq(owner),
            complaints::resolution.eq(resolution),
            complaints::due_on.eq(due_on),
            complaints::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn history(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<ComplaintEvent>> {
    complaint_events::table
        .filter(complaint_events::complaint_id.eq(id))
        .order((complaint_events::at.asc(), complaint_events::id.asc()))
        .select(ComplaintEvent::as_select())
        .load(conn)
}

/// Filters of the complaint list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub stop_id: Option<String>,
    /// A theme's word as typed in a query string: a word that is none matches nothing.
    pub theme: Option<String>,
    /// A status's word, likewise.
    pub status: Option<String>,
    pub owner: Option<String>,
    /// Only promises past their due date and not closed, as of this day.
    pub overdue_on: Option<chrono::NaiveDate>,
}

/// Complaints matching the filters, newest first.
pub fn list(conn: &mut DbConnection, filter: &Filter) -> QueryResult<Vec<Complaint>> {
    let (stop_id, theme, status) = (
        filter.stop_id.as_deref(),
        filter.theme.as_deref(),
        filter.status.as_deref(),
    );
    let mut query = complaints::table.into_boxed();
    if let Some(owner) = &filter.owner {
        query = query.filter(complaints::owner.eq(owner.clone()));
    }
    if let Some(day) = filter.overdue_on {
        query = query.filter(complaints::due_on.lt(day)).filter(
            complaints::status.eq_any(ComplaintStatus::PENDING.map(ComplaintStatus::as_str)),
        );
    }
    if let Some(stop_id) = stop_id {
        query = query.filter(complaints::stop_id.eq(stop_id.to_owned()));
    }
    if let Some(theme) = theme {
        query = query.filter(complaints::theme.eq(theme.to_owned()));
    }
    if let Some(status) = status {
        query = query.filter(complaints::status.eq(status.to_owned()));
    }
    query
        .order(complaints::created_at.desc())
        .limit(1000)
        .select(Complaint::as_select())
        .load(conn)
}
