//! The registrations area's periodic job: cut the attendee search's log of changes (see
//! `search`). A process more than `search::MAX_CATCH_UP` changes behind loads the stop again
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
    vec![Job::new("search_log_cut", every, {
        let state = state.clone();
        move || cut_search_log(state.clone())
    })]
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
