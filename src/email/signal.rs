//! The outbox's signal: wakes the worker when a message is queued, and keeps when the worker
//! last made progress. Below the worker and the state, so that both can hold it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// How long a running worker may go without a sign of life before `/readyz` says so. It beats
/// at least every `POLL` when idle and after every message; one SMTP exchange is bounded by
/// the transport's own timeout (a minute), so five minutes of silence means it is stuck.
pub const STALLED_AFTER: Duration = Duration::from_secs(300);

/// Wakes the worker when a message is queued, so that e-mails leave at once; and records when
/// the worker last made progress, so that a stuck worker shows on `/readyz`.
#[derive(Debug, Default)]
pub struct OutboxSignal {
    wake: Notify,
    /// Unix seconds of the worker's last sign of life; 0 until it starts.
    last_beat: AtomicI64,
}

impl OutboxSignal {
    /// Something was queued.
    pub fn notify(&self) {
        self.wake.notify_one();
    }

    /// Until something is queued (the worker's wait between polls).
    pub async fn queued(&self) {
        self.wake.notified().await;
    }

    pub fn beat(&self) {
        self.last_beat
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    /// How long ago the worker last made progress; `None` when no worker runs here.
    pub fn silent_for(&self) -> Option<Duration> {
        let last = self.last_beat.load(Ordering::Relaxed);
        (last > 0).then(|| {
            let age = chrono::Utc::now().timestamp().saturating_sub(last);
            Duration::from_secs(u64::try_from(age).unwrap_or(0))
        })
    }
}
