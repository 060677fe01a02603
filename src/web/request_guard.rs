//! Refuses, before any handler, a request whose path carries a NUL (`%00`) or whose query
//! string carries a control character: PostgreSQL cannot store or compare NUL, and no id,
//! token, filter or search of roadshow contains a control character.
//! JSON bodies and typed fields have their own checks (`json.rs`, `validation.rs`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::AppError;
use crate::validation::breaks_a_line;

/// A NUL in the path names no resource: 404 (problem+json under `/api`, the error page
/// elsewhere). Under `/api`, a control character in a query value (a NUL, a line break…) fits
/// no filter or search: 400.
pub async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri();
    let path_has_nul = uri.path().contains("%00") || uri.path().contains('\0');
    // Pages read their own query values (a login's `next`) and answer them as pages do.
    let query_has_control = req.path().starts_with("/api/")
        && uri.query().is_some_and(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .any(|(key, value)| key.chars().chain(value.chars()).any(breaks_a_line))
        });
    let error = if path_has_nul {
        AppError::NotFound("resource")
    } else if query_has_control {
        AppError::BadRequest("the query string may not contain control characters".into())
    } else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    // Rendered by actix from the error: problem+json under `/api`, the error page elsewhere.
    Err(if req.path().starts_with("/api/") {
        error.into()
    } else {
        super::PageError::new(req.request(), error).into()
    })
}
