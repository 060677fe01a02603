//! Rate limiting of anonymous writes (public registration, manage links, login) per client
//! address, with `governor`'s keyed GCRA limiter. Only a request whose bearer token or session
//! has been verified is exempt: a made-up `Authorization` header or cookie counts as anonymous.
//! `ROADSHOW_RATE_LIMIT=0` turns it off.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::state::AppState;

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

    fn is_on(&self) -> bool {
        self.0.is_some()
    }

    fn allows(&self, client: IpAddr) -> bool {
        match &self.0 {
            Some(limiter) => limiter.check_key(&client).is_ok(),
            None => true,
        }
    }
}

/// Refuses anonymous writes beyond the limit with 429.
pub async fn limit_public_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let limited = match (&state, req.peer_addr()) {
        (Some(state), Some(peer)) if !req.method().is_safe() && state.rate_limit.is_on() => {
            // Asked only for writes, and answered from the token cache for scanners.
            !crate::auth::service::has_verified_credential(state, req.request()).await
                && !state.rate_limit.allows(peer.ip())
        }
        _ => false,
    };
    if limited {
        tracing::warn!("public write rate-limited");
        let response = AppError::TooManyRequests.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
