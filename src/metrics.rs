//! Prometheus metrics, kept in the application state (no global registry, so that several
//! servers in one test process do not mix their figures).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of the HTTP metrics: a small fixed set (the route pattern, never the raw path).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms … 8 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// Every metric roadshow exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<HttpLabels, Histogram, fn() -> Histogram>,
    pub db_pool_connections: Gauge,
    pub db_pool_idle: Gauge,
    pub db_wal_checkpoints: Gauge,
    pub outbox_sent: Counter,
    pub outbox_failed_attempts: Counter,
    pub outbox_pending: Gauge,
    pub outbox_failed: Gauge,
    pub registrations: Family<StatusLabel, Counter>,
    pub cancellations: Counter,
    pub promotions: Family<ToLabel, Counter>,
    pub checkin_scans: Family<ResultLabel, Counter>,
    pub checkin_decision: Histogram,
    pub checkin_synced_late: Counter,
    pub checkin_lateness: Histogram,
    pub checkin_scan_time_rejected: Family<ReasonLabel, Counter>,
}

/// Why a device's claimed scan time was not believed: `before_stop` or `too_old`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: String,
}

/// A scan's verdict, for counting.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: String,
}

/// Where someone waiting got a seat: `stop` or `workshop`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ToLabel {
    pub to: String,
}

/// A registration's outcome, for counting.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    pub status: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers all metrics.
    pub fn new() -> Self {
        let mut metrics = Self {
            registry: Registry::with_prefix("roadshow"),
            http_requests: Family::<HttpLabels, Counter>::default(),
            http_duration: Family::<HttpLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            ),
            db_pool_connections: Gauge::default(),
            db_pool_idle: Gauge::default(),
            db_wal_checkpoints: Gauge::default(),
            outbox_sent: Counter::default(),
            outbox_failed_attempts: Counter::default(),
            outbox_pending: Gauge::default(),
            outbox_failed: Gauge::default(),
            registrations: Family::<StatusLabel, Counter>::default(),
            cancellations: Counter::default(),
            promotions: Family::<ToLabel, Counter>::default(),
            checkin_scans: Family::<ResultLabel, Counter>::default(),
            checkin_decision: latency_histogram(),
            checkin_synced_late: Counter::default(),
            // 30 s … 4 h
            checkin_lateness: Histogram::new(exponential_buckets(30.0, 2.0, 10)),
            checkin_scan_time_rejected: Family::<ReasonLabel, Counter>::default(),
        };
        metrics.register_all();
        metrics
    }

    /// Names and explains every metric in the registry that `/metrics` encodes.
    fn register_all(&mut self) {
        let r = &mut self.registry;
        r.register(
            "http_requests",
            "HTTP requests answered",
            self.http_requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            self.http_duration.clone(),
        );
        r.register(
            "db_pool_connections",
            "Open database connections",
            self.db_pool_connections.clone(),
        );
        r.register(
            "db_pool_idle",
            "Idle database connections",
            self.db_pool_idle.clone(),
        );
        r.register(
            "db_wal_checkpoints",
            "SQLite WAL checkpoints run off the writers' path since the start (0 on PostgreSQL)",
            self.db_wal_checkpoints.clone(),
        );
        r.register("outbox_sent", "E-mails delivered", self.outbox_sent.clone());
        r.register(
            "outbox_failed_attempts",
            "E-mail attempts that failed (retried or given up)",
            self.outbox_failed_attempts.clone(),
        );
        r.register(
            "outbox_pending",
            "E-mails waiting to be sent",
            self.outbox_pending.clone(),
        );
        r.register(
            "outbox_failed",
            "E-mails given up after every retry",
            self.outbox_failed.clone(),
        );
        r.register(
            "registrations",
            "Registrations made, by resulting status",
            self.registrations.clone(),
        );
        r.register(
            "registrations_cancelled",
            "Registrations cancelled",
            self.cancellations.clone(),
        );
        r.register(
            "waitlist_promotions",
            "Seats given to someone waiting, at a stop or in a workshop",
            self.promotions.clone(),
        );
        r.register(
            "checkin_scans",
            "Badge scans decided, by verdict",
            self.checkin_scans.clone(),
        );
        r.register(
            "checkin_decision_seconds",
            "Time to decide a scan, database included",
            self.checkin_decision.clone(),
        );
        r.register(
            "checkin_synced_late",
            "Scans made offline and synced more than 30 s later",
            self.checkin_synced_late.clone(),
        );
        r.register(
            "checkin_sync_lateness_seconds",
            "How late offline scans arrive",
            self.checkin_lateness.clone(),
        );
        r.register(
            "checkin_scan_time_rejected",
            "Scans whose claimed time was implausible and replaced by the arrival time, by reason",
            self.checkin_scan_time_rejected.clone(),
        );
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// The route label of a request that matched no route (scanners, typos, made-up paths).
pub const UNMATCHED: &str = "unmatched";

/// The method label: a standard method, or `other`, so that a client inventing methods cannot
/// add series (each label value is a new series, kept for the life of the process).
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Counts and times every request by route pattern and status.
pub async fn record_http(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    // The metrics are their own app data, so that this module needs nothing of the state.
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = method_label(req.method()).to_owned();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let labels = HttpLabels {
            method,
            // The pattern of a route we declared (`/stops/{id}`), never the path a client sent.
            route: response
                .request()
                .match_pattern()
                .unwrap_or_else(|| UNMATCHED.to_owned()),
            status: response.status().as_u16(),
        };
        metrics.http_requests.get_or_create(&labels).inc();
        metrics
            .http_duration
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::Method;

    #[test]
    fn labels_come_from_closed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        for made_up in ["FOO", "get", "XYZZY123", "PROPFIND"] {
            let method = Method::from_bytes(made_up.as_bytes()).expect("a token");
            assert_eq!(method_label(&method), "other", "{made_up}");
        }
    }
}
