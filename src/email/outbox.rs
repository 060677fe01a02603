//! The outbox table: enqueue in the caller's transaction; claim, complete or reschedule rows.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConnection;
use crate::db::schema::outbox;

/// A queued message.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// A message as queued.
#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
struct Queued<'a> {
    id: String,
    kind: &'a str,
    recipient: &'a str,
    payload: String,
    status: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queues a message of `kind` for `recipient`; call inside the transaction of the change that
/// causes it, so that both are kept or neither. Areas call the typed [`super::queue`]; this is
/// the untyped step under it (a kind no [`super::MailKinds`] knows fails when it is sent).
pub fn enqueue(
    conn: &mut DbConnection,
    kind: &str,
    recipient: &str,
    payload: &impl Serialize,
) -> QueryResult<String> {
    let mut ids = enqueue_all(conn, kind, &[(recipient, payload)])?;
    ids.pop().ok_or(diesel::result::Error::NotFound)
}

/// Queues messages of one `kind`, each `(recipient, payload)`, in one statement; returns their
/// ids in the same order. One message goes through a statement diesel keeps prepared.
pub fn enqueue_all<P: Serialize>(
    conn: &mut DbConnection,
    kind: &str,
    messages: &[(&str, P)],
) -> QueryResult<Vec<String>> {
    let now = crate::time::now();
    let rows = messages
        .iter()
        .map(|(recipient, payload)| {
            Ok(Queued {
                id: uuid::Uuid::new_v4().to_string(),
                kind,
                recipient,
                payload: serde_json::to_string(payload)
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?,
                status: "pending",
                attempts: 0,
                next_attempt_at: now,
                created_at: now,
            })
        })
        .collect::<QueryResult<Vec<_>>>()?;
    let insert = diesel::insert_into(outbox::table);
    match (rows.as_slice(), conn) {
        ([], _) => 0,
        ([row], conn) => insert.values(row).execute(conn)?,
        // Multi-row inserts do not go through the two-backend connection.
        (rows, DbConnection::Pg(c)) => insert.values(rows).execute(c)?,
        (rows, DbConnection::Sqlite(c)) => insert.values(rows).execute(c)?,
    };
    Ok(rows.into_iter().map(|row| row.id).collect())
}

/// Claims up to `limit` due rows for `lease`: a row is taken only if no other worker holds a
/// live lease on it (the conditional update decides, whatever the number of processes). Two
/// statements for the batch: the candidates, then one update that returns the rows it took.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let free = outbox::locked_until
        .is_null()
        .or(outbox::locked_until.lt(now));
    let candidates: Vec<String> = outbox::table
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .filter(free)
        .order(outbox::next_attempt_at.asc())
        .limit(limit)
        .select(outbox::id)
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let lease_until = now + lease;
    // `RETURNING` does not go through the two-backend connection: the statement is written
    // for each backend's own.
    macro_rules! claim {
        ($conn:expr) => {
            diesel::update(
                outbox::table
                    .filter(outbox::id.eq_any(&candidates))
                    .filter(outbox::status.eq("pending"))
                    .filter(free),
            )
            .set(outbox::locked_until.eq(lease_until))
            .returning(OutboxRow::as_returning())
            .get_results($conn)?
        };
    }
    let mut claimed: Vec<OutboxRow> = match conn {
        DbConnection::Pg(c) => claim!(c),
        DbConnection::Sqlite(c) => claim!(c),
    };
    // Sent in the order they fell due, as they were chosen.
    claimed.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    Ok(claimed)
}

/// Records a delivery.
pub fn mark_sent(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("sent"),
            outbox::sent_at.eq(now),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Records a failed attempt: retried at `retry_at`, or given up (`failed`) when `None`.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    let error: String = error.chars().take(1000).collect();
    let target = diesel::update(outbox::table.find(id));
    match retry_at {
        Some(at) => target
            .set((
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(at),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
        None => target
            .set((
                outbox::status.eq("failed"),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn),
    }
}

/// Messages waiting to be sent.
pub fn count_pending(conn: &mut DbConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::status.eq("pending"))
        .count()
        .get_result(conn)
}

/// Messages given up on.
pub fn count_failed(conn: &mut DbConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::status.eq("failed"))
        .count()
        .get_result(conn)
}

/// The latest rows not yet sent, with their errors (for the admin page).
pub fn list_unsent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::status.ne("sent"))
        .order(outbox::created_at.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Gives back the leases of messages claimed but not attempted (the worker is stopping), so
/// that another process sends them now rather than when the lease runs out.
pub fn release(conn: &mut DbConnection, ids: &[String]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::status.eq("pending")),
    )
    .set(outbox::locked_until.eq(None::<NaiveDateTime>))
    .execute(conn)
}

/// Puts a failed message back in the queue (an admin's "retry now").
pub fn retry_now(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id).filter(outbox::status.ne("sent")))
        .set((
            outbox::status.eq("pending"),
            outbox::next_attempt_at.eq(now),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}
