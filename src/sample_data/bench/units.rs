//! Small conversions and calendar helpers.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::error::AppError;

/// A die roll that is known to be small, as a score.
pub(super) fn small(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(0)
}

pub(super) fn small_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(0)
}

pub(super) fn minutes_i64(n: u64) -> chrono::Duration {
    chrono::Duration::minutes(small_i64(n))
}

pub(super) fn seconds(n: u64) -> chrono::Duration {
    chrono::Duration::seconds(small_i64(n))
}

pub(super) fn days(n: u64) -> chrono::Duration {
    chrono::Duration::days(small_i64(n))
}

pub(super) fn to_i32(n: u64) -> Result<i32, AppError> {
    i32::try_from(n).map_err(|_| unexpected(format!("{n} does not fit a seat counter")))
}

pub(super) fn unexpected(message: String) -> AppError {
    AppError::Unexpected(anyhow::anyhow!(message))
}

pub(super) fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| unexpected(format!("no such date {year}-{month}-{day}")))
}

/// Saturdays and Sundays move to the Monday after.
pub(super) fn weekday_on_or_after(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + days(2),
        Weekday::Sun => day + days(1),
        _ => day,
    }
}

/// Local midnight of `day` in `tz`, as UTC, using the offset in force at noon: clocks change
/// at night, so the offset holds for the whole working day.
pub(super) fn utc_of_local_midnight(day: NaiveDate, tz: Tz) -> Result<NaiveDateTime, AppError> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    let noon = midnight + chrono::Duration::hours(12);
    let offset = tz
        .offset_from_local_datetime(&noon)
        .single()
        .ok_or_else(|| unexpected(format!("no single UTC offset at noon on {day} in {tz}")))?;
    Ok(midnight - chrono::Duration::seconds(i64::from(offset.fix().local_minus_utc())))
}
