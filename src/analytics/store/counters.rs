//! The counters behind every figure (table `analytics_counts`): triggers of the database keep
//! them in the transaction that writes a registration, check-in, enrolment, answer, complaint
//! or outcome, whichever code path writes it; the view `analytics_recount` says the same from
//! the rows. The migration lists what each metric counts and about which subject.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use crate::analytics::figures::AttendeeFilter;
use crate::db::DbConnection;
use crate::db::schema::{analytics_counts, analytics_totals};

/// What a counter counts (its `metric` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Registrations, about `status/source`.
    Registration,
    /// Registrations, about the UTC quarter hour they were made in.
    RegisteredAt,
    /// Check-ins, about a checkpoint id.
    CheckIn,
    /// Entrance check-ins, about the UTC quarter hour of the scan.
    Arrival,
    /// Attendees checked in at one workshop or more.
    WorkshopGoer,
    /// Attendees checked in at a specialist-label workshop.
    LabelGoer,
    /// Enrolments, about `workshop id/status`.
    Enrolment,
    /// Feedback answers.
    Answer,
    /// Sums of the overall, trainers and content ratings.
    RatingOverall,
    RatingTrainers,
    RatingContent,
    /// Answers, about the recommendation score given.
    Nps,
    /// Complaints, about `theme/status`.
    Complaint,
    /// Outcomes, about their kind.
    Outcome,
}

impl Metric {
    pub const ALL: [Self; 14] = [
        Self::Registration,
        Self::RegisteredAt,
        Self::CheckIn,
        Self::Arrival,
        Self::WorkshopGoer,
        Self::LabelGoer,
        Self::Enrolment,
        Self::Answer,
        Self::RatingOverall,
        Self::RatingTrainers,
        Self::RatingContent,
        Self::Nps,
        Self::Complaint,
        Self::Outcome,
    ];

    /// The metric of a stored word.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == word)
    }

    /// Whether the metric's counters are also summed over every attendee (`analytics_totals`):
    /// all but the quarter hours, which only a stop's detail reads.
    pub const fn has_totals(self) -> bool {
        !matches!(self, Self::RegisteredAt | Self::Arrival)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::RegisteredAt => "registered_at",
            Self::CheckIn => "check_in",
            Self::Arrival => "arrival",
            Self::WorkshopGoer => "workshop_goer",
            Self::LabelGoer => "label_goer",
            Self::Enrolment => "enrolment",
            Self::Answer => "answer",
            Self::RatingOverall => "rating_overall",
            Self::RatingTrainers => "rating_trainers",
            Self::RatingContent => "rating_content",
            Self::Nps => "nps",
            Self::Complaint => "complaint",
            Self::Outcome => "outcome",
        }
    }
}

/// The format of the quarter hours that are the subject of `RegisteredAt` and `Arrival`.
pub const QUARTER_FORMAT: &str = "%Y-%m-%d %H:%M";

/// A metric of a stop about one subject, summed over the attendees of a filter.
#[derive(Debug, Queryable)]
pub struct Counter {
    pub stop_id: String,
    pub metric: String,
    pub subject: String,
    pub n: i64,
}

/// The counters of `metrics` for `stop_ids`, for the filter's attendees. Counters counted back
/// down to zero (a complaint's former status, a removed outcome) are left out: a counter is
/// never below zero, so a sum is zero only when all its parts are. For every attendee, or for
/// one company size or one kind of partner, the totals are read as kept; for both, or for a
/// metric without totals, the counters are summed.
pub fn sum_counters(
    conn: &mut DbConnection,
    stop_ids: &[String],
    metrics: &[Metric],
    filter: &AttendeeFilter,
) -> QueryResult<Vec<Counter>> {
    let from_totals = (filter.company_size.is_none() || filter.partner_type.is_none())
        && metrics.iter().all(|m| m.has_totals());
    let metrics: Vec<&str> = metrics.iter().map(|m| m.as_str()).collect();
    if from_totals {
        return analytics_totals::table
            .filter(
                analytics_totals::company_size.eq(filter.company_size.as_deref().unwrap_or(ANY)),
            )
            .filter(
                analytics_totals::partner_type.eq(filter.partner_type.as_deref().unwrap_or(ANY)),
            )
            .filter(analytics_totals::stop_id.eq_any(stop_ids))
            .filter(analytics_totals::metric.eq_any(metrics))
            .filter(analytics_totals::n.ne(0))
            .select((
                analytics_totals::stop_id,
                analytics_totals::metric,
                analytics_totals::subject,
                analytics_totals::n,
            ))
            .load(conn);
    }
    analytics_counts::table
        .filter(analytics_counts::stop_id.eq_any(stop_ids))
        .filter(analytics_counts::metric.eq_any(metrics))
        .filter(analytics_counts::n.ne(0))
        // One query shape for every filter: `company_size = ? OR <no filter>`.
        .filter(
            analytics_counts::company_size
                .eq(filter.company_size.clone().unwrap_or_default())
                .or(filter.company_size.is_none().into_sql::<Bool>()),
        )
        .filter(
            analytics_counts::partner_type
                .eq(filter.partner_type.clone().unwrap_or_default())
                .or(filter.partner_type.is_none().into_sql::<Bool>()),
        )
        .group_by((
            analytics_counts::stop_id,
            analytics_counts::metric,
            analytics_counts::subject,
        ))
        .select((
            analytics_counts::stop_id,
            analytics_counts::metric,
            analytics_counts::subject,
            // SUM of a BIGINT is NUMERIC on PostgreSQL: the sums here fit a BIGINT.
            sql::<BigInt>("CAST(SUM(n) AS BIGINT)"),
        ))
        .load(conn)
}

/// One counter as stored, or as recounted from the rows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = analytics_counts)]
pub struct CounterRow {
    pub stop_id: String,
    pub metric: String,
    pub subject: String,
    pub company_size: String,
    pub partner_type: String,
    pub n: i64,
}

/// The company size or kind of partner that stands for "any" in a total: `("*", "*")` sums
/// every attendee, `(size, "*")` those of a company size, `("*", kind)` those of a kind of
/// partner. No attendee has it: both are chosen from fixed lists.
pub const ANY: &str = "*";

/// Every counter that is not zero, as stored, then every total (with [`ANY`] for the
/// attribute it sums over).
pub fn list_counters(conn: &mut DbConnection) -> QueryResult<Vec<CounterRow>> {
    let mut rows = analytics_counts::table
        .filter(analytics_counts::n.ne(0))
        .select(CounterRow::as_select())
        .load(conn)?;
    rows.extend(
        analytics_totals::table
            .filter(analytics_totals::n.ne(0))
            .select((
                analytics_totals::stop_id,
                analytics_totals::metric,
                analytics_totals::subject,
                analytics_totals::company_size,
                analytics_totals::partner_type,
                analytics_totals::n,
            ))
            .load::<CounterRow>(conn)?,
    );
    Ok(rows)
}

/// Every counter that is not zero, recounted from the rows, then their totals (as in
/// [`list_counters`]).
pub fn recount(conn: &mut DbConnection) -> QueryResult<Vec<CounterRow>> {
    let mut rows: Vec<CounterRow> = diesel::sql_query(
        "SELECT stop_id, metric, subject, company_size, partner_type, n \
         FROM analytics_recount WHERE n <> 0",
    )
    .load(conn)?;
    let mut totals: std::collections::BTreeMap<CounterRow, i64> = Default::default();
    for row in &rows {
        if !Metric::parse(&row.metric).is_some_and(Metric::has_totals) {
            continue;
        }
        let any = ANY.to_owned();
        for (company_size, partner_type) in [
            (any.clone(), any.clone()),
            (row.company_size.clone(), any.clone()),
            (any, row.partner_type.clone()),
        ] {
            let key = CounterRow {
                company_size,
                partner_type,
                n: 0,
                ..row.clone()
            };
            *totals.entry(key).or_default() += row.n;
        }
    }
    rows.extend(
        totals
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|(key, n)| CounterRow { n, ..key }),
    );
    Ok(rows)
}

/// Replaces every counter by its recount; returns how many counters there are now. The totals
/// follow the counters (triggers); they are emptied first, so that a total written around the
/// triggers is made right too.
pub fn rebuild(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(analytics_counts::table).execute(conn)?;
    diesel::delete(analytics_totals::table).execute(conn)?;
    diesel::sql_query(
        "INSERT INTO analytics_counts (stop_id, metric, subject, company_size, partner_type, n) \
         SELECT stop_id, metric, subject, company_size, partner_type, n \
         FROM analytics_recount WHERE n <> 0",
    )
    .execute(conn)
}
