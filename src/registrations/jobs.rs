//! The registrations area's periodic jobs: queue the reminders that are due (`reminders`), and
//! cut the attendee search's log of changes (see `search`). A process more than `search::MAX_CATCH_UP` changes behind loads the stop again
//! rather than read the log, so older changes are never read; without this the log would keep
//! a row for every registration ever made.

use std::sync::Arc;
use std::time::Duration;

use super::search;
use crate::db;
use crate::error::AppError;
use crate::jobs::Job;
use crate::state::AppState;

/// The registrations jobs, at the configured interval.
pub fn jobs(state: &Arc<AppState>) -> Vec<Job> {
    let every = Duration::from_secs(state.settings.housekeeping_seconds);
    vec![
        Job::new("search_log_cut", every, {
            let state = state.clone();
            move || cut_search_log(state.clone())
        }),
        Job::new("reminders", every, {
            let state = state.clone();
            move || send_reminders(state.clone())
        }),
    ]
}

/// Queues the reminders that are due (see `reminders`).
pub async fn send_reminders(state: Arc<AppState>) -> Result<(), AppError> {
    super::reminders::send_due(&state.pool, &state.events, &state.settings.reminder_days).await?;
    Ok(())
}

/// Removes the changes no process will read again.
pub async fn cut_search_log(state: Arc<AppState>) -> Result<(), AppError> {
    let removed = db::run(&state.pool, |conn| {
        Ok(search::cut_log(conn, search::MAX_CATCH_UP)?)
    })
    .await?;
    if removed > 0 {
        tracing::info!(removed, "attendee search log cut");
    }
    Ok(())
}
