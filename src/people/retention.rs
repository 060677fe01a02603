//! The retention setting (`ROADSHOW_RETENTION_MONTHS`): a housekeeping job pseudonymises the
//! registrations of stops that ended longer ago, as an erasure does (figures kept), a person
//! at a time, each in a transaction of its own. A person's newer registrations are left alone.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Months, NaiveDateTime};
use diesel::prelude::*;

use super::erasure::{self, ERASED_DOMAIN};
use crate::db::schema::{registrations, stops};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::jobs::Job;
use crate::state::AppState;

/// How many registrations one run looks at (the next run takes the rest).
const PER_RUN: usize = 500;

/// The job, when a retention is set.
pub fn jobs(state: &Arc<AppState>) -> Vec<Job> {
    let months = state.settings.retention_months;
    if months == 0 {
        return Vec::new();
    }
    let every = Duration::from_secs(state.settings.housekeeping_seconds);
    vec![Job::new("retention", every, {
        let state = state.clone();
        move || {
            let state = state.clone();
            async move {
                pseudonymise_expired(&state.pool, months, crate::time::now()).await?;
                Ok(())
            }
        }
    })]
}

/// Stops ended before `cutoff` whose attendees are not all pseudonymised yet.
fn stops_due(conn: &mut DbConnection, cutoff: NaiveDateTime) -> QueryResult<Vec<String>> {
    stops::table
        .filter(stops::ends_at.lt(cutoff))
        .filter(stops::attendees_pseudonymised_at.is_null())
        .order(stops::ends_at.asc())
        .select(stops::id)
        .load(conn)
}

/// Registrations (id, e-mail) of `stop_id` not yet pseudonymised, by e-mail, at most `limit`.
fn not_pseudonymised(
    conn: &mut DbConnection,
    stop_id: &str,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .filter(registrations::email.not_like(format!("%@{ERASED_DOMAIN}")))
        .order(registrations::email.asc())
        .limit(limit)
        .select((registrations::id, registrations::email))
        .load(conn)
}

/// Pseudonymises the registrations of stops ended more than `months` before `now`, at most
/// [`PER_RUN`] of them (the next run goes on); returns how many were. A stop with none left is
/// marked done and not read again.
pub async fn pseudonymise_expired(
    pool: &DbPool,
    months: u32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let Some(cutoff) = now.checked_sub_months(Months::new(months)) else {
        return Ok(0);
    };
    let stops_due = db::run(pool, move |conn| Ok(stops_due(conn, cutoff)?)).await?;
    let mut done = 0;
    for stop_id in stops_due {
        let left = i64::try_from(PER_RUN.saturating_sub(done)).unwrap_or(0);
        if left == 0 {
            break;
        }
        let id = stop_id.clone();
        let due = db::run(pool, move |conn| Ok(not_pseudonymised(conn, &id, left)?)).await?;
        if due.is_empty() {
            db::transaction(pool, move |conn| {
                diesel::update(stops::table.find(&stop_id))
                    .set(stops::attendees_pseudonymised_at.eq(now))
                    .execute(conn)?;
                Ok(())
            })
            .await?;
            continue;
        }
        let mut by_person: Vec<(String, Vec<String>)> = Vec::new();
        for (id, email) in due {
            match by_person.last_mut() {
                Some((last, ids)) if *last == email => ids.push(id),
                _ => by_person.push((email, vec![id])),
            }
        }
        for (email, ids) in by_person {
            let erased = db::transaction(pool, move |conn| {
                erasure::erase_registrations(conn, &email, &ids, now)
            })
            .await?;
            done += erased.erased.get("registrations").copied().unwrap_or(0);
        }
    }
    if done > 0 {
        tracing::info!(
            registrations = done,
            months,
            "registrations pseudonymised (retention)"
        );
    }
    Ok(done)
}
