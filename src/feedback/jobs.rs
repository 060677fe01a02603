//! The feedback area's periodic jobs, run by the scheduler (`crate::jobs`) every
//! `ROADSHOW_HOUSEKEEPING_SECONDS`: ask the attendees of stops that ended, and remind once
//! those who did not answer. Each step claims its rows with a conditional update, so several
//! processes running the jobs never ask or remind twice.

use std::sync::Arc;
use std::time::Duration;

use super::service;
use crate::db;
use crate::error::AppError;
use crate::jobs::Job;
use crate::state::AppState;

/// The feedback jobs, at the configured interval.
pub fn jobs(state: &Arc<AppState>) -> Vec<Job> {
    let every = Duration::from_secs(state.settings.housekeeping_seconds);
    vec![
        Job::new("feedback_requests", every, {
            let state = state.clone();
            move || request_for_ended_stops(state.clone())
        }),
        Job::new("feedback_reminders", every, {
            let state = state.clone();
            move || send_reminders(state.clone())
        }),
    ]
}

/// Queues the feedback requests of stops that ended.
pub async fn request_for_ended_stops(state: Arc<AppState>) -> Result<(), AppError> {
    let link_days = state.settings.feedback_days;
    let requested = db::transaction(&state.pool, move |conn| {
        service::request_for_ended_stops(conn, link_days, crate::time::now())
    })
    .await?;
    if requested > 0 {
        tracing::info!(requested, "feedback requests queued");
        state.outbox_signal.notify();
    }
    Ok(())
}

/// Queues the one reminder to those who were asked long enough ago and did not answer.
pub async fn send_reminders(state: Arc<AppState>) -> Result<(), AppError> {
    let after_hours = state.settings.feedback_reminder_hours;
    let reminded = db::transaction(&state.pool, move |conn| {
        service::send_reminders(conn, after_hours, crate::time::now())
    })
    .await?;
    if reminded > 0 {
        tracing::info!(reminded, "feedback reminders queued");
        state.outbox_signal.notify();
    }
    Ok(())
}
