//! Cross-process freshness. Each process keeps what it read in memory — bearer tokens seen,
//! checkpoints, dashboard figures — and clears it on the events of its own use cases. Another
//! process learns of a change through `change_versions`: the use case bumps a row in its own
//! transaction (a device revoked: `credentials`; a tour, stop or workshop changed: `setup`), and
//! every serving process reads those two rows every [`POLL`], clearing the caches concerned when
//! one moved. A revoked device is thus refused everywhere within about a quarter of a second,
//! for two indexed reads a second per process.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::schema::change_versions;
use crate::db::{self, DbConnection};
use crate::state::AppState;

/// How often each process looks at the versions.
pub const POLL: Duration = Duration::from_millis(250);

/// What changed, as far as other processes' caches are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Who may call: a device revoked (cached bearer tokens must be checked again).
    Credentials,
    /// Tours, stops, workshops, checkpoints (cached checkpoints and figures).
    Setup,
}

impl Topic {
    fn as_str(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Setup => "setup",
        }
    }
}

/// Notes a change of `topic`; call in the transaction of the change.
pub fn bump(conn: &mut DbConnection, topic: Topic) -> QueryResult<usize> {
    diesel::update(change_versions::table.find(topic.as_str()))
        .set(change_versions::version.eq(change_versions::version + 1))
        .execute(conn)
}

fn versions(conn: &mut DbConnection) -> QueryResult<HashMap<String, i64>> {
    Ok(change_versions::table
        .select((change_versions::name, change_versions::version))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Clears what `topic` invalidates in this process.
fn forget(state: &AppState, topic: &str) {
    match topic {
        "credentials" => state.tokens.clear(),
        "setup" => {
            state.checkpoints.clear();
            state.analytics.tours.clear();
            state.analytics.stops.clear();
        }
        _ => {}
    }
}

/// The running watcher.
#[derive(Debug)]
pub struct Watcher {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Watcher {
    /// Starts watching the versions for `state`'s caches.
    pub fn start(state: Arc<AppState>) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut seen: Option<HashMap<String, i64>> = None;
            loop {
                let pool = state.pool.clone();
                match db::run(&pool, |conn| Ok(versions(conn)?)).await {
                    Ok(now) => {
                        if let Some(before) = &seen {
                            for (topic, version) in &now {
                                if before.get(topic) != Some(version) {
                                    forget(&state, topic);
                                    tracing::debug!(
                                        topic,
                                        version,
                                        "caches cleared: changed elsewhere"
                                    );
                                }
                            }
                        }
                        seen = Some(now);
                    }
                    Err(e) => tracing::warn!(error = %e, "freshness: could not read the versions"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stopped.changed() => break,
                }
            }
        });
        Self { stop, task }
    }

    /// Stops watching.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
