//! The application state every handler and job can reach: settings, the database pool, keys,
//! caches and metrics. It sits below every area (areas import it; it imports no handler), so
//! that `startup` only wires routes and middleware.

use std::sync::Arc;

use actix_web::web;

use crate::badge::BadgeKeys;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::email::signal::OutboxSignal;
use crate::events::Dispatcher;
use crate::metrics::Metrics;
use crate::web::client_limit::PublicRateLimit;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    pub settings: Settings,
    pub pool: DbPool,
    pub metrics: Arc<Metrics>,
    /// Signs and verifies badges and private links.
    pub badges: Arc<BadgeKeys>,
    /// Wakes the e-mail worker when a message is queued.
    pub outbox_signal: Arc<OutboxSignal>,
    pub rate_limit: PublicRateLimit,
    /// Checkpoints kept in memory for the scan hot path.
    pub checkpoints: Arc<crate::checkin::cache::CheckpointCache>,
    /// Dashboard figures computed in the last few seconds.
    pub analytics: crate::analytics::cache::AnalyticsCache,
    /// Bearer tokens recently seen, so that a scanner's every scan does not look its token up.
    pub tokens: Arc<crate::auth::cache::TokenCache>,
    /// Recent failed logins per account.
    pub login_failures: crate::auth::cache::LoginThrottle,
    /// Where use cases publish what they did (domain events).
    pub events: Dispatcher,
    /// Scans arriving at the same moment, decided in one transaction (see `db::group_commit`).
    pub door_writer: Arc<db::group_commit::GroupCommit<crate::checkin::batch::ScanDecider>>,
    /// Decides registrations arriving at the same moment in one transaction.
    pub registrar: Arc<db::group_commit::GroupCommit<crate::registrations::service::Registrar>>,
    /// The searched stops' attendee words (see `registrations::search`).
    pub search: Arc<crate::registrations::search::SearchIndex>,
}

impl AppState {
    /// Connects, migrates and loads the badge keys: everything but the HTTP listener.
    pub async fn connect(settings: Settings) -> anyhow::Result<Self> {
        let pool = db::build_pool(&settings.database_url, settings.db_pool_size)?;
        let data_dir = settings.data_dir.clone();
        let (migrations, badges) = {
            let pool = pool.clone();
            web::block(move || -> anyhow::Result<_> {
                let mut conn = pool.get()?;
                let migrations = db::run_migrations(&mut conn)?;
                let badges = BadgeKeys::load_or_create(&data_dir, &mut conn)?;
                Ok((migrations, badges))
            })
            .await??
        };
        if !migrations.is_empty() {
            tracing::info!(count = migrations.len(), "database migrated");
        }
        let (metrics, outbox_signal, checkpoints, tokens) = (
            Arc::new(Metrics::new()),
            Arc::new(OutboxSignal::default()),
            Arc::default(),
            Arc::default(),
        );
        let events = Dispatcher::new(
            outbox_signal.clone(),
            metrics.clone(),
            Arc::clone(&checkpoints),
            Arc::clone(&tokens),
        );
        let badges = Arc::new(badges);
        let door_writer = db::group_commit::GroupCommit::new(
            pool.clone(),
            crate::checkin::batch::ScanDecider {
                keys: Arc::clone(&badges),
                checkpoints: Arc::clone(&checkpoints),
            },
            settings.scans_per_commit,
        )?;
        let registrar = db::group_commit::GroupCommit::new(
            pool.clone(),
            crate::registrations::service::Registrar,
            settings.registrations_per_commit,
        )?;
        Ok(Self {
            door_writer,
            registrar,
            search: Arc::default(),
            analytics: crate::analytics::cache::AnalyticsCache::new(
                std::time::Duration::from_secs(settings.analytics_cache_seconds),
            ),
            rate_limit: PublicRateLimit::new(settings.rate_limit_per_minute),
            settings,
            pool,
            metrics,
            badges,
            outbox_signal,
            checkpoints,
            tokens,
            login_failures: Default::default(),
            events,
        })
    }
}
