//! Rate limiting of anonymous writes (public registration, manage links, login) per client
//! address (the peer's, or the one a trusted proxy names: `web::client`), with `governor`'s keyed GCRA limiter. Only a request whose bearer token or session
//! has been verified is exempt: a made-up `Authorization` header or cookie counts as anonymous.
//! `ROADSHOW_RATE_LIMIT=0` turns it off.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::AppError;
use crate::state::AppState;

/// Refuses anonymous writes beyond the limit with 429.
pub async fn limit_public_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let client = state
        .as_ref()
        .and_then(|s| super::client::client_ip(req.request(), &s.settings.trusted_proxies));
    let limited = match (&state, client) {
        (Some(state), Some(client)) if !req.method().is_safe() && state.rate_limit.is_on() => {
            // Asked only for writes, and answered from the token cache for scanners.
            !crate::auth::session::has_verified_credential(state, req.request()).await
                && !state.rate_limit.allows(client)
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
