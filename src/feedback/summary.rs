//! What the feedback of a stop (or of a tour, by theme) says, for marketing and the analytics
//! to come: response rate, averages, recommendation score, complaints by theme and status, and
//! the quotes marketing picked.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::schema::feedback;
use crate::error::AppError;

/// One stop's feedback, summed up.
#[derive(Debug, Serialize, ToSchema)]
pub struct StopFeedbackSummary {
    pub stop_id: String,
    /// Attendees checked in at the entrance.
    pub checked_in: i64,
    pub responses: i64,
    /// responses ÷ checked in; 0 when nobody came.
    pub response_rate: f64,
    /// Averages of the 1–5 ratings, to 0.01; null without responses.
    pub avg_overall: Option<f64>,
    pub avg_trainers: Option<f64>,
    pub avg_content: Option<f64>,
    /// % promoters (9–10) − % detractors (0–6); null without responses.
    pub nps: Option<f64>,
    /// theme → status → count.
    pub complaints: BTreeMap<String, BTreeMap<String, i64>>,
    /// The comments marketing picked as representative: `[feedback id, text]`.
    #[schema(value_type = Vec<Vec<String>>)]
    pub quotes: Vec<(String, String)>,
}

/// The summary of one stop.
pub fn for_stop(conn: &mut DbConnection, stop_id: &str) -> Result<StopFeedbackSummary, AppError> {
    use crate::analytics::counts::counts_by_stop;
    use crate::analytics::figures::AttendeeFilter;
    let stop = crate::tours::store::find_stop(conn, stop_id)?.ok_or(AppError::NotFound("stop"))?;
    // The same counters as the dashboards and the tour's summary, not a count of the rows.
    let counts = counts_by_stop(
        conn,
        std::slice::from_ref(&stop.id),
        &AttendeeFilter::default(),
    )?
    .remove(&stop.id)
    .unwrap_or_default();
    Ok(StopFeedbackSummary {
        quotes: list_quotes(conn, &stop.id)?,
        stop_id: stop.id,
        checked_in: counts.checked_in,
        responses: counts.responses,
        response_rate: counts.response_rate().unwrap_or(0.0),
        avg_overall: counts.average(0),
        avg_trainers: counts.average(1),
        avg_content: counts.average(2),
        nps: counts.nps(),
        complaints: counts.complaints,
    })
}

/// The comments of a stop picked as quotes, oldest first: `(feedback id, text)`.
pub fn list_quotes(
    conn: &mut DbConnection,
    stop_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(feedback::table
        .filter(feedback::stop_id.eq(stop_id))
        .filter(feedback::quote_selected.eq(true))
        .order(feedback::submitted_at.asc())
        .select((feedback::id, feedback::comment))
        .load(conn)?)
}

/// The latest non-empty comments of a stop, for marketing to pick quotes from:
/// `(feedback id, text, picked)`.
pub fn recent_comments(
    conn: &mut DbConnection,
    stop_id: &str,
    limit: i64,
) -> Result<Vec<(String, String, bool)>, AppError> {
    Ok(feedback::table
        .filter(feedback::stop_id.eq(stop_id))
        .filter(feedback::comment.ne(""))
        .order(feedback::submitted_at.desc())
        .limit(limit)
        .select((feedback::id, feedback::comment, feedback::quote_selected))
        .load(conn)?)
}

/// A tour's feedback, summed up theme by theme over its stops.
#[derive(Debug, Serialize, ToSchema)]
pub struct TourFeedbackSummary {
    pub tour_id: String,
    pub checked_in: i64,
    pub responses: i64,
    /// responses ÷ checked in; 0 when nobody came.
    pub response_rate: f64,
    pub avg_overall: Option<f64>,
    pub avg_trainers: Option<f64>,
    pub avg_content: Option<f64>,
    /// % promoters (9–10) − % detractors (0–6); null without responses.
    pub nps: Option<f64>,
    /// theme → status → count, over every stop (every theme listed).
    pub complaints: BTreeMap<String, BTreeMap<String, i64>>,
    /// theme → stop id → count: where each theme comes from.
    pub complaints_by_stop: BTreeMap<String, BTreeMap<String, i64>>,
}

/// The summary of a tour: the same figures as a stop's, with each theme's stops.
pub fn for_tour(conn: &mut DbConnection, tour_id: &str) -> Result<TourFeedbackSummary, AppError> {
    use crate::analytics::counts::counts_by_stop;
    use crate::analytics::figures::{AttendeeFilter, Counts};
    use crate::complaints::domain::ComplaintTheme;
    let tour = crate::tours::store::find_tour(conn, tour_id)?.ok_or(AppError::NotFound("tour"))?;
    let ids: Vec<String> = crate::tours::store::list_stops(conn, &tour.id)?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let per_stop = counts_by_stop(conn, &ids, &AttendeeFilter::default())?;
    let mut total = Counts::default();
    let mut by_stop: BTreeMap<String, BTreeMap<String, i64>> = ComplaintTheme::ALL
        .iter()
        .map(|t| (t.to_string(), BTreeMap::new()))
        .collect();
    for (stop_id, counts) in &per_stop {
        total.add(counts);
        for (theme, statuses) in &counts.complaints {
            by_stop
                .entry(theme.clone())
                .or_default()
                .insert(stop_id.clone(), statuses.values().sum());
        }
    }
    let mut complaints = total.complaints.clone();
    for theme in ComplaintTheme::ALL {
        complaints.entry(theme.to_string()).or_default();
    }
    Ok(TourFeedbackSummary {
        tour_id: tour.id,
        checked_in: total.checked_in,
        responses: total.responses,
        response_rate: total.response_rate().unwrap_or(0.0),
        avg_overall: total.average(0),
        avg_trainers: total.average(1),
        avg_content: total.average(2),
        nps: total.nps(),
        complaints,
        complaints_by_stop: by_stop,
    })
}

/// Marks (or unmarks) a comment as a representative quote; 404 when unknown.
pub fn select_quote(
    conn: &mut DbConnection,
    feedback_id: &str,
    selected: bool,
) -> Result<(), AppError> {
    let changed = diesel::update(feedback::table.find(feedback_id))
        .set(feedback::quote_selected.eq(selected))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::NotFound("feedback"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::analytics::figures::net_promoter;

    #[test]
    fn the_recommendation_score_is_promoters_minus_detractors() {
        assert_eq!(net_promoter(&[]), None);
        assert_eq!(net_promoter(&[10, 9, 8, 7]), Some(50.0));
        assert_eq!(net_promoter(&[0, 3, 6, 10]), Some(-50.0));
        let two_answers = crate::analytics::figures::Counts {
            responses: 2,
            ratings_sum: [3, 0, 0],
            ..Default::default()
        };
        assert_eq!(two_answers.average(0), Some(1.5));
    }
}
