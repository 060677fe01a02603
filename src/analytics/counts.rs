//! The counts behind every figure, per stop, read from the counters the database keeps (see
//! `store::counters`): one query for all the stops asked for, whose cost depends on the number
//! of stops, checkpoints and filters, not on the number of registrations. Kept apart from the
//! service (which caches and shapes them) so that other areas' summaries can use them.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::figures::{AttendeeFilter, Counts};
use super::store::{self, Counter, Metric};
use crate::db::DbConnection;
use crate::error::AppError;

/// What the counts of a stop are made of.
const STOP_METRICS: &[Metric] = &[
    Metric::Registration,
    Metric::CheckIn,
    Metric::WorkshopGoer,
    Metric::LabelGoer,
    Metric::Answer,
    Metric::RatingOverall,
    Metric::RatingTrainers,
    Metric::RatingContent,
    Metric::Nps,
    Metric::Complaint,
    Metric::Outcome,
];

/// The counts of each of `stop_ids`, keyed by stop id (stops without any row get zeros).
pub fn counts_by_stop(
    conn: &mut DbConnection,
    stop_ids: &[String],
    filter: &AttendeeFilter,
) -> Result<HashMap<String, Counts>, AppError> {
    let mut out: HashMap<String, Counts> = stop_ids
        .iter()
        .map(|id| (id.clone(), Counts::default()))
        .collect();
    let entrances: Vec<String> = store::list_checkpoint_roles(conn, stop_ids)?
        .into_iter()
        .filter(|r| r.kind == "entrance")
        .map(|r| r.id)
        .collect();
    for counter in store::sum_counters(conn, stop_ids, STOP_METRICS, filter)? {
        if let Some(counts) = out.get_mut(&counter.stop_id) {
            add_counter(counts, &counter, &entrances);
        }
    }
    Ok(out)
}

/// Adds one counter to the counts of its stop.
fn add_counter(c: &mut Counts, counter: &Counter, entrances: &[String]) {
    let n = counter.n;
    let (first, second) = counter
        .subject
        .split_once('/')
        .unwrap_or((&counter.subject, ""));
    let Some(metric) = Metric::parse(&counter.metric) else {
        return;
    };
    match metric {
        Metric::Registration => c.add_registrations(first, second, n),
        // Check-ins are those of confirmed registrations: a cancellation removes its check-ins.
        Metric::CheckIn if entrances.contains(&counter.subject) => c.checked_in += n,
        Metric::WorkshopGoer => c.attended_workshop += n,
        Metric::LabelGoer => c.attended_label += n,
        Metric::Answer => c.responses += n,
        Metric::RatingOverall => c.ratings_sum[0] += n,
        Metric::RatingTrainers => c.ratings_sum[1] += n,
        Metric::RatingContent => c.ratings_sum[2] += n,
        Metric::Nps => {
            if let Ok(score) = counter.subject.parse() {
                c.set_score(score, n);
            }
        }
        Metric::Complaint => {
            let by_status = c.complaints.entry(first.to_owned()).or_default();
            *by_status.entry(second.to_owned()).or_default() += n;
        }
        Metric::Outcome => *c.outcomes.entry(counter.subject.clone()).or_default() += n,
        Metric::CheckIn | Metric::RegisteredAt | Metric::Arrival | Metric::Enrolment => {}
    }
}

/// The counters of one metric of a stop about each subject (none counted down to zero).
pub fn by_subject(
    conn: &mut DbConnection,
    stop_id: &str,
    metric: Metric,
    filter: &AttendeeFilter,
) -> Result<HashMap<String, i64>, AppError> {
    Ok(
        store::sum_counters(conn, &[stop_id.to_owned()], &[metric], filter)?
            .into_iter()
            .map(|c| (c.subject, c.n))
            .collect(),
    )
}

/// The counters of a metric about quarter hours (`RegisteredAt`, `Arrival`), as UTC times.
pub fn by_quarter_hour(
    conn: &mut DbConnection,
    stop_id: &str,
    metric: Metric,
    filter: &AttendeeFilter,
) -> Result<Vec<(NaiveDateTime, i64)>, AppError> {
    Ok(by_subject(conn, stop_id, metric, filter)?
        .into_iter()
        .filter_map(|(at, n)| {
            let at = NaiveDateTime::parse_from_str(&at, store::QUARTER_FORMAT).ok()?;
            Some((at, n))
        })
        .collect())
}

/// A counter whose stored value is not what the rows say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// `stop metric subject company_size partner_type`.
    pub counter: String,
    pub stored: i64,
    pub recounted: i64,
}

/// The counters that differ from a recount of the rows (none, unless something wrote around
/// the triggers).
pub fn drift(conn: &mut DbConnection) -> Result<Vec<Drift>, AppError> {
    let key = |r: &store::CounterRow| {
        format!(
            "{} {} {} {} {}",
            r.stop_id, r.metric, r.subject, r.company_size, r.partner_type
        )
    };
    let mut values: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for row in store::list_counters(conn)? {
        values.entry(key(&row)).or_default().0 = row.n;
    }
    for row in store::recount(conn)? {
        values.entry(key(&row)).or_default().1 = row.n;
    }
    Ok(values
        .into_iter()
        .filter(|(_, (stored, recounted))| stored != recounted)
        .map(|(counter, (stored, recounted))| Drift {
            counter,
            stored,
            recounted,
        })
        .collect())
}

/// Recounts every counter from the rows, in one transaction: `(counters that were off,
/// counters now)`.
pub fn rebuild(conn: &mut DbConnection) -> Result<(usize, usize), AppError> {
    crate::db::write_transaction(conn, |conn| {
        let off = drift(conn)?.len();
        let now = store::rebuild(conn)?;
        Ok((off, now))
    })
}
