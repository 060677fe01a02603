//! Refuses, before any handler, a request whose path or query string carries a NUL (`%00`):
//! PostgreSQL cannot store or compare it, and no id, token or search of roadshow contains one.
//! JSON bodies and typed fields have their own checks (`json.rs`, `validation.rs`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::AppError;

/// 400 for a NUL in the path or the query string, as problem+json under `/api` and as the
/// error page elsewhere.
pub async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let has_nul = |s: &str| s.contains("%00") || s.contains('\0');
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        let error = AppError::BadRequest("the address may not contain NUL characters".into());
        // Rendered by actix from the error: problem+json under `/api`, the error page elsewhere.
        return Err(if req.path().starts_with("/api/") {
            error.into()
        } else {
            super::PageError::new(req.request(), error).into()
        });
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
