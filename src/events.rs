//! Domain events: what a use case did, published after its transaction committed, to the one
//! dispatcher that carries out what follows — wake the e-mail worker, forget what caches hold,
//! count in the metrics. A use case publishes its events whether a page or the API called it, so
//! the two cannot drift; this is also where webhooks and the audit log will listen.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::cache::TokenCache;
use crate::checkin::cache::CheckpointCache;
use crate::checkin::domain::{ScanTimeRejection, Verdict};
use crate::complaints::domain::ComplaintStatus;
use crate::email::signal::OutboxSignal;
use crate::metrics::{Metrics, ReasonLabel, ResultLabel, StatusLabel, ToLabel};
use crate::registrations::domain::RegistrationStatus;

/// Something that happened, as the rest of the application needs to know it. Events name
/// what the people involved did, not what follows: the dispatcher decides that.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainEvent {
    /// A registration was made (online or at the door), with its status then.
    Registered {
        registration_id: String,
        status: RegistrationStatus,
    },
    /// An attendee changed their workshops.
    WorkshopsChanged { registration_id: String },
    /// A registration was cancelled (its seats were given to whoever waited).
    Cancelled { registration_id: String },
    /// Someone waiting got a seat: at the stop (`workshop_id` None) or in a workshop.
    Promoted {
        registration_id: String,
        workshop_id: Option<String>,
    },
    /// The confirmation was asked for again (who is not said: the address may not exist).
    ConfirmationResent,
    /// A scan was decided (a resend of a known scan is not published).
    Scanned(ScanDecided),
    /// Feedback requests were queued for a stop's attendees.
    FeedbackRequested { stop_id: String, queued: usize },
    /// Reminders were queued (the periodic job, or marketing for a whole stop).
    RemindersQueued { queued: usize },
    /// An attendee answered the feedback form.
    FeedbackSubmitted { registration_id: String },
    /// A complaint was recorded (by staff, marketing or from a feedback answer).
    ComplaintRecorded { complaint_id: String },
    /// A complaint was worked: its status, owner or resolution changed.
    ComplaintChanged {
        complaint_id: String,
        status: ComplaintStatus,
    },
    /// An administrator asked for a failed e-mail to be tried again.
    MailRetried,
    /// An attendee asked to be erased: the e-mail that confirms it was queued.
    ErasureAsked,
    /// A scanner device was revoked: its token must be refused at once.
    DeviceRevoked,
    /// Stops, workshops or checkpoints changed.
    SetupChanged,
}

impl DomainEvent {
    /// Whether the use case queued an e-mail with this event, which should leave at once.
    fn queues_mail(&self) -> bool {
        match self {
            Self::Registered { .. }
            | Self::WorkshopsChanged { .. }
            | Self::Cancelled { .. }
            | Self::Promoted { .. }
            | Self::ConfirmationResent
            | Self::MailRetried
            | Self::ErasureAsked => true,
            Self::FeedbackRequested { queued, .. } | Self::RemindersQueued { queued } => {
                *queued > 0
            }
            // The reseller hears of a complaint when it is resolved.
            Self::ComplaintChanged { status, .. } => status.is_resolved(),
            Self::Scanned(_)
            | Self::FeedbackSubmitted { .. }
            | Self::ComplaintRecorded { .. }
            | Self::DeviceRevoked
            | Self::SetupChanged => false,
        }
    }
}

/// What the metrics need of a decided scan.
#[derive(Debug, Clone, PartialEq)]
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
        if event.queues_mail() {
            self.outbox.notify();
        }
        match event {
            DomainEvent::Registered { status, .. } => {
                self.metrics
                    .registrations
                    .get_or_create(&StatusLabel {
                        status: status.as_str().to_owned(),
                    })
                    .inc();
            }
            DomainEvent::Cancelled { .. } => {
                self.metrics.cancellations.inc();
            }
            DomainEvent::Promoted { workshop_id, .. } => {
                let to = if workshop_id.is_some() {
                    "workshop"
                } else {
                    "stop"
                };
                self.metrics
                    .promotions
                    .get_or_create(&ToLabel { to: to.to_owned() })
                    .inc();
            }
            DomainEvent::Scanned(scan) => self.count_scan(&scan),
            DomainEvent::DeviceRevoked => self.tokens.clear(),
            DomainEvent::SetupChanged => self.checkpoints.clear(),
            DomainEvent::WorkshopsChanged { .. }
            | DomainEvent::ConfirmationResent
            | DomainEvent::FeedbackRequested { .. }
            | DomainEvent::RemindersQueued { .. }
            | DomainEvent::FeedbackSubmitted { .. }
            | DomainEvent::ComplaintRecorded { .. }
            | DomainEvent::ComplaintChanged { .. }
            | DomainEvent::MailRetried
            | DomainEvent::ErasureAsked => {}
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
