//! What the authentication keeps in memory: bearer tokens recently checked (a scanner sends
//! its token with every scan) and recent failed logins per account. Below the state and the
//! services, which hold and use them.

use super::policy::CurrentUser;

/// Failed logins allowed per account within [`FAILED_LOGIN_WINDOW`]; then every attempt on
/// that account is refused with 429 until the oldest failure is out of the window.
pub const MAX_FAILED_LOGINS: usize = 10;
/// The window of [`MAX_FAILED_LOGINS`].
pub const FAILED_LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Recent failed logins by the e-mail typed (known or not, so that a lock says nothing about
/// whether an account exists). The per-address limit caps how fast anyone can guess from one
/// address; this caps guessing one account's password from many addresses.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: std::sync::Mutex<
        std::collections::HashMap<String, std::collections::VecDeque<std::time::Instant>>,
    >,
}

impl LoginThrottle {
    /// True when `email` has used up its failed attempts.
    pub fn locked(&self, email: &str, now: std::time::Instant) -> bool {
        let Ok(mut failures) = self.failures.lock() else {
            return false;
        };
        match failures.get_mut(email) {
            Some(times) => {
                while times
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= FAILED_LOGIN_WINDOW)
                {
                    times.pop_front();
                }
                times.len() >= MAX_FAILED_LOGINS
            }
            None => false,
        }
    }

    /// Records a failed attempt for `email`.
    pub fn failed(&self, email: &str, now: std::time::Instant) {
        if let Ok(mut failures) = self.failures.lock() {
            // Bounded: past this many accounts, those without a recent failure are forgotten.
            if failures.len() >= 100_000 {
                failures.retain(|_, times| {
                    times
                        .back()
                        .is_some_and(|t| now.duration_since(*t) < FAILED_LOGIN_WINDOW)
                });
            }
            let times = failures.entry(email.to_owned()).or_default();
            times.push_back(now);
            if times.len() > MAX_FAILED_LOGINS {
                times.pop_front();
            }
        }
    }

    /// A good password clears the account's failures.
    pub fn succeeded(&self, email: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(email);
        }
    }
}

/// How long a token once checked is trusted without asking the database again. Revoking a
/// device clears this process's cache at once; other processes notice within this delay.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// Bearer tokens recently seen (by their hash): a scanner sends its token with every scan.
#[derive(Debug, Default)]
pub struct TokenCache {
    seen: std::sync::Mutex<std::collections::HashMap<String, (CurrentUser, std::time::Instant)>>,
}

impl TokenCache {
    pub fn get(&self, token_hash: &str) -> Option<CurrentUser> {
        let seen = self.seen.lock().ok()?;
        let (user, until) = seen.get(token_hash)?;
        (std::time::Instant::now() < *until).then(|| user.clone())
    }

    pub fn put(&self, token_hash: String, user: CurrentUser, until: std::time::Instant) {
        if let Ok(mut seen) = self.seen.lock() {
            // Bounded: a flood of distinct tokens only empties it.
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(token_hash, (user, until));
        }
    }

    /// Forgets every token (a device was revoked).
    pub fn clear(&self) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
        }
    }
}
