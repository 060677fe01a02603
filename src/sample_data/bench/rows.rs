//! The rows written straight into the tables, and the multi-row inserts.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::ROWS_PER_INSERT;
use crate::checkin::store::CheckIn;
use crate::complaints::store::{Complaint, ComplaintEvent};
use crate::db::DbConnection;
use crate::db::schema::{
    check_ins, complaint_events, complaints, enrolments, feedback, feedback_requests, outcomes,
    registrations, scans,
};
use crate::registrations::store::Enrolment;

/// A registration row. `None` is written as NULL rather than DEFAULT, so that SQLite takes a
/// whole chunk in one statement instead of one statement per row.
#[derive(Clone, Insertable)]
#[diesel(table_name = registrations, treat_none_as_default_value = false)]
pub(super) struct RegistrationRow {
    pub(super) id: String,
    pub(super) stop_id: String,
    pub(super) status: &'static str,
    pub(super) first_name: &'static str,
    pub(super) last_name: &'static str,
    pub(super) email: String,
    pub(super) company: String,
    pub(super) job_title: &'static str,
    pub(super) company_size: &'static str,
    pub(super) partner_id: String,
    pub(super) locale: &'static str,
    pub(super) source: &'static str,
    pub(super) consent_at: NaiveDateTime,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) cancelled_at: Option<NaiveDateTime>,
    pub(super) partner_type: &'static str,
}

/// A scan row (NULL rather than DEFAULT, as for registrations).
#[derive(Clone, Insertable)]
#[diesel(table_name = scans, treat_none_as_default_value = false)]
pub(super) struct ScanRow {
    pub(super) id: String,
    pub(super) stop_id: String,
    pub(super) checkpoint_id: String,
    pub(super) registration_id: Option<String>,
    pub(super) result: &'static str,
    pub(super) user_id: Option<String>,
    pub(super) device_id: Option<String>,
    pub(super) scanned_at: NaiveDateTime,
    pub(super) received_at: NaiveDateTime,
}

#[derive(Clone, Insertable)]
#[diesel(table_name = feedback_requests, treat_none_as_default_value = false)]
pub(super) struct FeedbackRequestRow {
    pub(super) registration_id: String,
    pub(super) stop_id: String,
    pub(super) requested_at: NaiveDateTime,
    pub(super) expires_at: NaiveDateTime,
    pub(super) reminded_at: Option<NaiveDateTime>,
    pub(super) unsubscribed_at: Option<NaiveDateTime>,
}

#[derive(Clone, Insertable)]
#[diesel(table_name = feedback)]
pub(super) struct FeedbackRow {
    pub(super) id: String,
    pub(super) registration_id: String,
    pub(super) stop_id: String,
    pub(super) overall: i32,
    pub(super) trainers: i32,
    pub(super) content: i32,
    pub(super) nps: i32,
    pub(super) comment: &'static str,
    pub(super) submitted_at: NaiveDateTime,
    pub(super) quote_selected: bool,
}

#[derive(Clone, Insertable)]
#[diesel(table_name = outcomes)]
pub(super) struct OutcomeRow {
    pub(super) id: String,
    pub(super) registration_id: String,
    pub(super) stop_id: String,
    pub(super) kind: &'static str,
    pub(super) occurred_on: NaiveDate,
    pub(super) recorded_by: &'static str,
    pub(super) created_at: NaiveDateTime,
}

/// The rows of a batch of attendees, written table by table in foreign-key order.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) registrations: Vec<RegistrationRow>,
    pub(super) enrolments: Vec<Enrolment>,
    pub(super) scans: Vec<ScanRow>,
    pub(super) check_ins: Vec<CheckIn>,
    pub(super) feedback_requests: Vec<FeedbackRequestRow>,
    pub(super) feedback: Vec<FeedbackRow>,
    pub(super) complaints: Vec<Complaint>,
    pub(super) complaint_events: Vec<ComplaintEvent>,
    pub(super) outcomes: Vec<OutcomeRow>,
}

/// Inserts `rows` into `table` in multi-row statements of at most [`ROWS_PER_INSERT`] rows. The
/// two-backend connection has no multi-row insert, so each chunk goes to the backend's own
/// connection; a macro because the statement's type differs per table and per backend.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(ROWS_PER_INSERT) {
            match &mut *$conn {
                // Owned rows: a status enum is written through its word (`serialize_as`).
                DbConnection::Pg(c) => diesel::insert_into($table)
                    .values(chunk.to_vec())
                    .execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into($table)
                    .values(chunk.to_vec())
                    .execute(c)?,
            };
        }
    };
}

impl Batch {
    pub(super) fn write(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        insert_rows!(conn, registrations::table, self.registrations);
        insert_rows!(conn, enrolments::table, self.enrolments);
        insert_rows!(conn, scans::table, self.scans);
        insert_rows!(conn, check_ins::table, self.check_ins);
        insert_rows!(conn, feedback_requests::table, self.feedback_requests);
        insert_rows!(conn, feedback::table, self.feedback);
        insert_rows!(conn, complaints::table, self.complaints);
        insert_rows!(conn, complaint_events::table, self.complaint_events);
        insert_rows!(conn, outcomes::table, self.outcomes);
        *self = Self::default();
        Ok(())
    }
}
