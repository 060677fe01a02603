//! An attendee's history, for the attendee page: check-ins, feedback, complaints.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::complaints::domain::ComplaintStatus;
use crate::db::DbConnection;
use crate::db::schema::{check_ins, checkpoints, complaints, feedback};

/// A check-in of an attendee: the checkpoint's name and when.
#[derive(Debug, Queryable)]
pub struct ScanLine {
    pub checkpoint: String,
    pub scanned_at: NaiveDateTime,
}

/// An attendee's feedback.
#[derive(Debug, Queryable)]
pub struct Answer {
    pub overall: i32,
    pub trainers: i32,
    pub content: i32,
    pub nps: i32,
    pub comment: String,
}

/// A complaint made by an attendee.
#[derive(Debug, Queryable)]
pub struct ComplaintLine {
    pub id: String,
    pub summary: String,
    #[diesel(deserialize_as = String)]
    pub status: ComplaintStatus,
}

/// An attendee's check-ins, earliest first.
pub fn list_scans_of(conn: &mut DbConnection, registration_id: &str) -> QueryResult<Vec<ScanLine>> {
    check_ins::table
        .inner_join(checkpoints::table)
        .filter(check_ins::registration_id.eq(registration_id))
        .order(check_ins::scanned_at.asc())
        .select((checkpoints::name, check_ins::scanned_at))
        .load(conn)
}

/// An attendee's feedback, if given.
pub fn find_answer(conn: &mut DbConnection, registration_id: &str) -> QueryResult<Option<Answer>> {
    feedback::table
        .filter(feedback::registration_id.eq(registration_id))
        .select((
            feedback::overall,
            feedback::trainers,
            feedback::content,
            feedback::nps,
            feedback::comment,
        ))
        .first(conn)
        .optional()
}

/// An attendee's complaints, oldest first.
pub fn list_complaints_of(
    conn: &mut DbConnection,
    registration_id: &str,
) -> QueryResult<Vec<ComplaintLine>> {
    complaints::table
        .filter(complaints::registration_id.eq(registration_id))
        .order(complaints::created_at.asc())
        .select((complaints::id, complaints::summary, complaints::status))
        .load(conn)
}
