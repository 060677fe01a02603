//! Reminders: each confirmed attendee gets one e-mail `d` days before their stop for each `d`
//! of `ROADSHOW_REMINDER_DAYS` (7 and 1 by default): the badge, the programme, the address and
//! the manage link again. Someone who registered later than `d` days before gets no reminder
//! for `d` (they have just had their confirmation). A row of `reminders_sent`, inserted in the
//! transaction that queues the e-mail, makes each reminder leave once whatever the number of
//! workers. Marketing can also send the same reminder to a whole stop at once (a change of room
//! or programme to announce); that one is not counted against the automatic ones.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::domain::RegistrationStatus;
use super::messages::Event;
use super::store::Registration;
use crate::db::schema::{registrations, reminders_sent, stops};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::events::{Dispatcher, DomainEvent};

/// Most reminders one pass queues per stop and offset: a short transaction; the next pass
/// takes the rest.
const PER_PASS: i64 = 500;

/// Queues the reminders due `days_before` days before their stop; returns how many. One is due
/// from `days_before` days before the stop until `until_days_before` (the next, smaller
/// offset, or 0 for the last): a reminder that a stopped worker missed is sent late, but never
/// beside the next one.
pub fn queue_due(
    conn: &mut DbConnection,
    days_before: i32,
    until_days_before: i32,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let ahead = Duration::days(i64::from(days_before));
    let until = Duration::days(i64::from(until_days_before));
    let starting: Vec<(String, NaiveDateTime)> = stops::table
        .filter(stops::starts_at.gt(now + until))
        .filter(stops::starts_at.le(now + ahead))
        .select((stops::id, stops::starts_at))
        .load(conn)?;
    let mut queued = 0;
    for (stop_id, starts_at) in starting {
        let already = reminders_sent::table
            .filter(reminders_sent::registration_id.eq(registrations::id))
            .filter(reminders_sent::days_before.eq(days_before));
        let due: Vec<Registration> = registrations::table
            .filter(registrations::stop_id.eq(&stop_id))
            .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
            .filter(registrations::created_at.lt(starts_at - ahead))
            .filter(diesel::dsl::not(diesel::dsl::exists(already)))
            .order(registrations::created_at.asc())
            .limit(PER_PASS)
            .select(Registration::as_select())
            .load(conn)?;
        for registration in due {
            if claim(conn, &registration.id, days_before, now)? == 1
                && super::service::queue_mail(conn, &registration, Event::Reminder)?
            {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// The reminder's row: 1 when this worker is the one to send it, 0 when another was.
fn claim(
    conn: &mut DbConnection,
    registration_id: &str,
    days_before: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let query = diesel::insert_into(reminders_sent::table)
        .values((
            reminders_sent::registration_id.eq(registration_id),
            reminders_sent::days_before.eq(days_before),
            reminders_sent::queued_at.eq(now),
        ))
        .on_conflict_do_nothing();
    match conn {
        DbConnection::Pg(c) => query.execute(c),
        DbConnection::Sqlite(c) => query.execute(c),
    }
}

/// The periodic job: every offset (`days`, largest first), each in its own transaction.
pub async fn send_due(pool: &DbPool, events: &Dispatcher, days: &[i32]) -> Result<usize, AppError> {
    let mut total = 0;
    for (i, &days_before) in days.iter().enumerate() {
        let until = days.get(i + 1).copied().unwrap_or(0);
        let queued = db::transaction(pool, move |conn| {
            queue_due(conn, days_before, until, crate::time::now())
        })
        .await?;
        if queued > 0 {
            tracing::info!(days_before, queued, "reminders queued");
            events.publish([DomainEvent::RemindersQueued { queued }]);
        }
        total += queued;
    }
    Ok(total)
}

/// The use case "remind the stop's attendees now" (marketing): the reminder to every confirmed
/// attendee of the stop; returns how many were queued, which leave at once.
pub async fn remind_stop(
    pool: &DbPool,
    events: &Dispatcher,
    stop_id: String,
    actor: crate::audit::Actor,
) -> Result<usize, AppError> {
    let queued = db::transaction(pool, move |conn| {
        crate::tours::store::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))?;
        let confirmed: Vec<Registration> = registrations::table
            .filter(registrations::stop_id.eq(&stop_id))
            .filter(registrations::status.eq(RegistrationStatus::Confirmed.as_str()))
            .select(Registration::as_select())
            .load(conn)?;
        let mut queued = 0;
        for registration in &confirmed {
            // The demo's made-up attendees get no e-mail.
            if super::service::queue_mail(conn, registration, Event::Reminder)? {
                queued += 1;
            }
        }
        crate::audit::record(
            conn,
            Some(&actor),
            crate::audit::Change::new("reminders.sent", "stop", &stop_id)
                .with(serde_json::json!({"queued": queued})),
        )?;
        Ok(queued)
    })
    .await?;
    events.publish([DomainEvent::RemindersQueued { queued }]);
    Ok(queued)
}
