//! Domain events: what a use case did, published after its transaction committed, to the one
//! dispatcher that carries out what follows — wake the e-mail worker, forget what caches hold,
//! count in the metrics. A use case publishes its events whether a page or the API called it, so
//! the two cannot drift; this is also where webhooks and the audit log will listen.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::cache::TokenCache;
use crate::checkin::cache::CheckpointCache;
use crate::checkin::domain::{ScanTimeRejection, Verdict};
use crate::email::signal::OutboxSignal;
use crate::metrics::{Metrics, ReasonLabel, ResultLabel, StatusLabel};
use crate::registrations::domain::RegistrationStatus;

/// Something that happened, as the rest of the application needs to know it.
#[derive(Debug, Clone)]
pub enum DomainEvent {
    /// A registration was made (online or at the door), with its status then.
    Registered { status: RegistrationStatus },
    /// One or more e-mails were queued in the outbox.
    MailQueued,
    /// A scan was decided (a resend of a known scan is not published).
    Scanned(ScanDecided),
    /// A scanner device was revoked: its token must be refused at once.
    DeviceRevoked,
    /// Stops, workshops or checkpoints changed.
    SetupChanged,
}

/// What the metrics need of a decided scan.
#[derive(Debug, Clone)]
pub struct ScanDecided {
    pub verdict: Verdict,
    pub decided_in: Duration,
    /// Seconds between the scan and its arrival, for an offline scan synced late.
    pub late_by_seconds: Option<i64>,
    pub time_rejected: Option<ScanTimeRejection>,
}

/// Carries out the effects of events. Holds shared handles to what it affects, so that use
/// cases take this and not the whole application state.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    outbox: Arc<OutboxSignal>,
    metrics: Arc<Metrics>,
    checkpoints: Arc<CheckpointCache>,
    tokens: Arc<TokenCache>,
}

impl Dispatcher {
    pub fn new(
        outbox: Arc<OutboxSignal>,
        metrics: Arc<Metrics>,
        checkpoints: Arc<CheckpointCache>,
        tokens: Arc<TokenCache>,
    ) -> Self {
        Self {
            outbox,
            metrics,
            checkpoints,
            tokens,
        }
    }

    /// Publishes the events of one committed use case, in order.
    pub fn publish(&self, events: impl IntoIterator<Item = DomainEvent>) {
        for event in events {
            self.handle(event);
        }
    }

    fn handle(&self, event: DomainEvent) {
        match event {
            DomainEvent::Registered { status } => {
                self.metrics
                    .registrations
                    .get_or_create(&StatusLabel {
                        status: status.as_str().to_owned(),
                    })
                    .inc();
                // Every registration queues its confirmation.
                self.outbox.notify();
            }
            DomainEvent::MailQueued => self.outbox.notify(),
            DomainEvent::Scanned(scan) => self.count_scan(&scan),
            DomainEvent::DeviceRevoked => self.tokens.clear(),
            DomainEvent::SetupChanged => self.checkpoints.clear(),
        }
    }

    fn count_scan(&self, scan: &ScanDecided) {
        let metrics = &self.metrics;
        if let Some(rejection) = scan.time_rejected {
            metrics
                .checkin_scan_time_rejected
                .get_or_create(&ReasonLabel {
                    reason: rejection.as_str().to_owned(),
                })
                .inc();
        }
        metrics
            .checkin_scans
            .get_or_create(&ResultLabel {
                result: scan.verdict.as_str().to_owned(),
            })
            .inc();
        metrics
            .checkin_decision
            .observe(scan.decided_in.as_secs_f64());
        if let Some(late) = scan.late_by_seconds {
            metrics.checkin_synced_late.inc();
            #[expect(
                clippy::cast_precision_loss,
                reason = "seconds of lateness fit an f64 exactly"
            )]
            metrics.checkin_lateness.observe(late as f64);
        }
    }
}
