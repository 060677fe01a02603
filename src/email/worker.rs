//! The outbox worker: claims due messages with a lease, has each build itself (through the
//! [`MailKinds`] registered at start-up) and sends it, retries with exponential backoff, gives up
//! after a number of attempts (visible to admins and in metrics). It knows no area.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::mail::MailKinds;
use super::mailer::Mailer;
use super::outbox::{self, OutboxRow};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// How many attempts before a message is marked failed.
pub const MAX_ATTEMPTS: i32 = 12;
/// How long a worker may hold a claimed message before another may take it.
const LEASE_SECONDS: i64 = 120;
/// How often the queue is looked at when nobody says there is something new.
const POLL: Duration = Duration::from_secs(2);

/// The delay before attempt `attempts + 1`: `base × 2^(attempts-1)`, at most one hour.
pub fn backoff(base_seconds: u64, attempts: i32) -> chrono::Duration {
    let factor = 1u64 << attempts.clamp(0, 16);
    chrono::Duration::seconds(
        i64::try_from(base_seconds.saturating_mul(factor).min(3600)).unwrap_or(3600),
    )
}

/// Runs until `stop` turns true; the message being sent is finished first.
pub async fn run(
    state: Arc<AppState>,
    mailer: Mailer,
    kinds: MailKinds,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(mailer = ?mailer, kinds = ?kinds, "outbox worker started");
    let sender = Sender {
        mailer,
        kinds: Arc::new(kinds),
    };
    loop {
        state.outbox_signal.beat();
        if *stop.borrow() {
            break;
        }
        let sent = match drain_once(&state, &sender, &stop).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: could not read the queue");
                0
            }
        };
        if sent > 0 {
            continue;
        }
        tokio::select! {
            _ = state.outbox_signal.queued() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("outbox worker stopped");
}

/// What turns a row into a delivered e-mail: the builders by kind, and the transport.
#[derive(Clone)]
struct Sender {
    mailer: Mailer,
    kinds: Arc<MailKinds>,
}

/// How long sent messages may wait to be recorded as sent: they are recorded together, one
/// transaction for many, and a process that dies before recording them sends them again.
const RECORD_EVERY: Duration = Duration::from_secs(1);

/// Claims and handles one batch; returns how many rows it handled. Outcomes are recorded
/// together, at the end of the batch or after [`RECORD_EVERY`]. When asked to stop, the
/// message in hand is finished, and the leases of the others are given back.
async fn drain_once(
    state: &Arc<AppState>,
    sender: &Sender,
    stop: &watch::Receiver<bool>,
) -> Result<usize, AppError> {
    // A write: on SQLite it takes this process's writer turn, so that it never holds the write
    // lock while the registrations' writer waits on it in SQLite's busy handler (which sleeps).
    let rows = db::transaction(&state.pool, |conn| {
        Ok(outbox::claim_due(
            conn,
            crate::time::now(),
            chrono::Duration::seconds(LEASE_SECONDS),
            20,
        )?)
    })
    .await?;
    let count = rows.len();
    let mut rows = rows.into_iter();
    let mut outcomes = Vec::new();
    let mut recorded = std::time::Instant::now();
    for row in rows.by_ref() {
        outcomes.push(deliver(state, sender, row).await);
        state.outbox_signal.beat();
        if recorded.elapsed() >= RECORD_EVERY {
            record(state, std::mem::take(&mut outcomes), Vec::new()).await?;
            recorded = std::time::Instant::now();
        }
        if *stop.borrow() {
            break;
        }
    }
    let left: Vec<String> = rows.map(|row| row.id).collect();
    if !left.is_empty() {
        tracing::info!(released = left.len(), "outbox: leases given back on stop");
    }
    record(state, outcomes, left).await?;
    Ok(count)
}

/// What became of one attempted message.
#[derive(Debug)]
enum Outcome {
    Sent {
        id: String,
        at: chrono::NaiveDateTime,
    },
    /// Retried at `retry_at`, or given up when `None`.
    Failed {
        id: String,
        error: String,
        retry_at: Option<chrono::NaiveDateTime>,
    },
}

/// Records outcomes, and gives back the leases of messages not attempted, in one transaction.
async fn record(
    state: &Arc<AppState>,
    outcomes: Vec<Outcome>,
    left: Vec<String>,
) -> Result<(), AppError> {
    if outcomes.is_empty() && left.is_empty() {
        return Ok(());
    }
    db::transaction(&state.pool, move |conn| {
        for outcome in &outcomes {
            match outcome {
                Outcome::Sent { id, at } => outbox::mark_sent(conn, id, *at)?,
                Outcome::Failed {
                    id,
                    error,
                    retry_at,
                } => outbox::mark_failed(conn, id, error, *retry_at)?,
            };
        }
        outbox::release(conn, &left)?;
        Ok(())
    })
    .await
}

/// Builds and sends one message in a task of its own, so that whatever one message holds —
/// a value that cannot be rendered, an address that does not parse, even a panic — fails that
/// message alone: it is retried, then marked failed with its error, and the next ones go out.
async fn attempt(state: &Arc<AppState>, sender: &Sender, row: &OutboxRow) -> Result<(), String> {
    let (state, sender, row) = (state.clone(), sender.clone(), row.clone());
    isolated(async move {
        match sender.kinds.build(&row.kind, &row.payload, state).await {
            Ok(message) => sender.mailer.send(message).await,
            Err(e) => Err(format!("could not build the message: {e}")),
        }
    })
    .await
}

/// Runs `work` in its own task; a panic becomes an error.
async fn isolated<F>(work: F) -> Result<(), String>
where
    F: Future<Output = Result<(), String>> + Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err("the message could not be built (internal error)".into()),
        Err(e) => Err(format!("the attempt was stopped: {e}")),
    }
}

/// Attempts one message; what became of it, to be recorded.
async fn deliver(state: &Arc<AppState>, sender: &Sender, row: OutboxRow) -> Outcome {
    let result = attempt(state, sender, &row).await;
    let now = crate::time::now();
    let id = row.id;
    match result {
        Ok(()) => {
            state.metrics.outbox_sent.inc();
            tracing::info!(outbox_id = %id, kind = %row.kind, "e-mail sent");
            Outcome::Sent { id, at: now }
        }
        Err(error) => {
            state.metrics.outbox_failed_attempts.inc();
            let attempts = row.attempts + 1;
            let retry_at = (attempts < MAX_ATTEMPTS)
                .then(|| now + backoff(state.settings.mail_retry_seconds, row.attempts));
            if retry_at.is_none() {
                tracing::error!(outbox_id = %id, attempts, error = %error, "e-mail given up");
            } else {
                tracing::warn!(outbox_id = %id, attempts, error = %error, "e-mail not sent, will retry");
            }
            Outcome::Failed {
                id,
                error,
                retry_at,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_message_is_an_error_not_a_dead_worker() {
        let name = "a\nb";
        let panicked = isolated(async move {
            if name.contains('\n') {
                panic!("a header with a line feed");
            }
            Ok(())
        })
        .await;
        assert!(panicked.is_err());
        // The worker goes on: the next message is attempted as usual.
        assert_eq!(isolated(async { Ok(()) }).await, Ok(()));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(30, 0).num_seconds(), 30);
        assert_eq!(backoff(30, 1).num_seconds(), 60);
        assert_eq!(backoff(30, 3).num_seconds(), 240);
        assert_eq!(backoff(30, 40).num_seconds(), 3600);
    }
}
