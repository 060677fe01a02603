//! The webhook tables: endpoints, and the deliveries queued for them (an outbox: queued in the
//! caller's transaction; claimed with a lease, completed or rescheduled by the worker).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};

/// A registered receiver.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    /// The event types it receives, space-separated.
    pub events: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Endpoint {
    /// Whether it receives events of `event_type`.
    pub fn receives(&self, event_type: &str) -> bool {
        self.events.split(' ').any(|t| t == event_type)
    }
}

/// One event for one endpoint, and how its sending went.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn insert_endpoint(conn: &mut DbConnection, endpoint: &Endpoint) -> QueryResult<usize> {
    diesel::insert_into(webhook_endpoints::table)
        .values(endpoint)
        .execute(conn)
}

/// Every endpoint, oldest first (a handful: read whole when an event is queued).
pub fn list_endpoints(conn: &mut DbConnection) -> QueryResult<Vec<Endpoint>> {
    webhook_endpoints::table
        .order((
            webhook_endpoints::created_at.asc(),
            webhook_endpoints::id.asc(),
        ))
        .select(Endpoint::as_select())
        .load(conn)
}

pub fn find_endpoint(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Endpoint>> {
    webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(conn)
        .optional()
}

/// Removes an endpoint and its deliveries; returns how many endpoints went (0 or 1).
pub fn delete_endpoint(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)))
        .execute(conn)?;
    diesel::delete(webhook_endpoints::table.find(id)).execute(conn)
}

/// Queues `body` for `endpoint_id` under the message id `id`, due now.
pub fn queue(
    conn: &mut DbConnection,
    id: &str,
    endpoint_id: &str,
    event_type: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(id),
            webhook_deliveries::endpoint_id.eq(endpoint_id),
            webhook_deliveries::event_type.eq(event_type),
            webhook_deliveries::body.eq(body),
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
        ))
        .execute(conn)
}

/// An endpoint's deliveries, newest first.
pub fn list_deliveries(
    conn: &mut DbConnection,
    endpoint_id: &str,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)
}

/// Claims up to `limit` due deliveries for `lease`: a row is taken only if no other worker
/// holds a live lease on it (the conditional update decides, whatever the number of processes).
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> QueryResult<Vec<(Delivery, Endpoint)>> {
    let free = || {
        webhook_deliveries::locked_until
            .is_null()
            .or(webhook_deliveries::locked_until.lt(now))
    };
    let candidates: Vec<String> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(free())
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    // One update claims the batch and names the rows it took (`RETURNING` does not go through
    // the two-backend connection); one read fetches them with their endpoints.
    let lease_until = now + lease;
    macro_rules! claim {
        ($conn:expr) => {
            diesel::update(
                webhook_deliveries::table
                    .filter(webhook_deliveries::id.eq_any(&candidates))
                    .filter(webhook_deliveries::status.eq("pending"))
                    .filter(free()),
            )
            .set(webhook_deliveries::locked_until.eq(lease_until))
            .returning(webhook_deliveries::id)
            .get_results::<String>($conn)?
        };
    }
    let taken = match conn {
        DbConnection::Pg(c) => claim!(c),
        DbConnection::Sqlite(c) => claim!(c),
    };
    let mut claimed: Vec<(Delivery, Endpoint)> = webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_deliveries::id.eq_any(&taken))
        .select((Delivery::as_select(), Endpoint::as_select()))
        .load(conn)?;
    // Sent in the order they fell due, as they were chosen.
    claimed.sort_by(|(a, _), (b, _)| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
    Ok(claimed)
}

/// Records an attempt: delivered, to be retried at `retry_at`, or given up (`failed`).
pub fn record_attempt(
    conn: &mut DbConnection,
    id: &str,
    outcome: &Attempt,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let error = outcome
        .error
        .as_deref()
        .map(|e| e.chars().take(1000).collect::<String>());
    let (status, next_attempt_at, delivered_at) = match (outcome.error.is_none(), outcome.retry_at)
    {
        (true, _) => ("delivered", now, Some(now)),
        (false, Some(at)) => ("pending", at, None),
        (false, None) => ("failed", now, None),
    };
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::last_status_code.eq(outcome.status_code),
            webhook_deliveries::last_error.eq(error),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(conn)
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<i32>,
    /// Why it did not count as delivered; `None`: delivered.
    pub error: Option<String>,
    /// When to try again, for a failure that is not the last.
    pub retry_at: Option<NaiveDateTime>,
}

/// Makes a delivery due now again (an admin's "retry"), whatever its state; false when the
/// endpoint has no such delivery.
pub fn retry_now(
    conn: &mut DbConnection,
    endpoint_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id)),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(now),
        webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Pending and failed deliveries of an endpoint, for its list.
pub fn count_by_status(
    conn: &mut DbConnection,
    endpoint_id: &str,
    status: &str,
) -> QueryResult<i64> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .filter(webhook_deliveries::status.eq(status))
        .count()
        .get_result(conn)
}
