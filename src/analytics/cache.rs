//! Recently computed analytics, kept a few seconds (`ROADSHOW_ANALYTICS_CACHE_SECONDS`).
//!
//! A dashboard is read by several marketers at once and a stop's page refreshes itself every
//! 5 seconds on the day. A computation reads the counters (a few milliseconds for a tour of
//! 200,000 registrations, see the README); keeping the result a few seconds still makes that
//! cost once per tour and filter per period, whatever the number of readers. The figures shown
//! are at most that old.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// More entries than this (filters × tours × stops) and the cache starts afresh.
const MAX_ENTRIES: usize = 512;

/// Values by key, each for `ttl` after it was computed.
#[derive(Debug)]
pub struct Snapshots<T> {
    ttl: Duration,
    entries: RwLock<HashMap<String, (Instant, Arc<T>)>>,
}

impl<T> Snapshots<T> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The value of `key` if it is recent enough.
    pub fn fresh(&self, key: &str) -> Option<Arc<T>> {
        let entries = self.entries.read().ok()?;
        let (at, value) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| Arc::clone(value))
    }

    /// Forgets every value (a change the reader expects to see at once, such as a picked quote).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// Keeps a value just computed (nothing is kept when the period is zero).
    pub fn keep(&self, key: String, value: Arc<T>) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), value));
        }
    }
}

/// The analytics caches of the application state.
#[derive(Debug)]
pub struct AnalyticsCache {
    pub tours: Snapshots<super::report::TourAnalytics>,
    pub stops: Snapshots<super::report::StopAnalytics>,
}

impl AnalyticsCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            tours: Snapshots::new(ttl),
            stops: Snapshots::new(ttl),
        }
    }
}

/// The cache key of an id seen through a filter.
pub fn key(id: &str, filter: &super::figures::AttendeeFilter) -> String {
    format!(
        "{id}|{}|{}",
        filter.company_size.as_deref().unwrap_or_default(),
        filter.partner_type.as_deref().unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_lives_for_its_period_and_none_without_one() {
        let kept = Snapshots::new(Duration::from_secs(60));
        kept.keep("tour".into(), Arc::new(1));
        assert_eq!(kept.fresh("tour").as_deref(), Some(&1));
        assert!(kept.fresh("other").is_none());
        let none = Snapshots::new(Duration::ZERO);
        none.keep("tour".into(), Arc::new(1));
        assert!(none.fresh("tour").is_none());
    }
}
