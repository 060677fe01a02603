//! The per-client-address limit of anonymous writes (`governor`'s keyed GCRA limiter), kept in
//! the state; the middleware that applies it is `rate_limit.rs`.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per minute per client address, or no limit.
pub struct PublicRateLimit(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl std::fmt::Debug for PublicRateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "PublicRateLimit(on)"
        } else {
            "PublicRateLimit(off)"
        })
    }
}

impl PublicRateLimit {
    /// `per_minute` = 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    pub fn allows(&self, client: IpAddr) -> bool {
        match &self.0 {
            Some(limiter) => limiter.check_key(&client).is_ok(),
            None => true,
        }
    }
}
