//! Rows and queries for outcomes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::outcomes;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outcomes)]
pub struct Outcome {
    pub id: String,
    pub registration_id: String,
    pub stop_id: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    /// The e-mail of the account that recorded or imported it.
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

/// Inserts an outcome unless the attendee already has one of that kind: 1 row, or 0.
pub fn insert_new(conn: &mut DbConnection, outcome: &Outcome) -> QueryResult<usize> {
    // Not through the two-backend connection: ON CONFLICT is spelled per backend by diesel,
    // and a unique violation would abort a PostgreSQL transaction (the CSV import is one).
    let query = diesel::insert_into(outcomes::table)
        .values(outcome)
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Pg(c) => query.execute(c),
        DbConnection::Sqlite(c) => query.execute(c),
    }
}

pub fn find_by_kind(
    conn: &mut DbConnection,
    registration_id: &str,
    kind: &str,
) -> QueryResult<Option<Outcome>> {
    outcomes::table
        .filter(outcomes::registration_id.eq(registration_id))
        .filter(outcomes::kind.eq(kind))
        .select(Outcome::as_select())
        .first(conn)
        .optional()
}

pub fn list_for_registration(
    conn: &mut DbConnection,
    registration_id: &str,
) -> QueryResult<Vec<Outcome>> {
    outcomes::table
        .filter(outcomes::registration_id.eq(registration_id))
        .order(outcomes::occurred_on.asc())
        .select(Outcome::as_select())
        .load(conn)
}

pub fn delete(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(outcomes::table.find(id)).execute(conn)
}
