//! Headers every answer carries (CSP, framing, caching, HSTS), and problem+json for every API
//! error, whichever layer produced it.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};

use crate::error::{AppError, Problem};
use crate::state::AppState;

/// The Content-Security-Policy of every answer. No inline script or style anywhere: scripts
/// and styles are files under `/static`. The scanner needs the rest: qr-scanner decodes in a
/// Web Worker made from a `blob:` URL, the camera preview is a media stream, badges and the
/// decoder's canvases may use `data:`/`blob:` images, and the offline service worker is
/// `/scan/sw.js`. The charts are inline SVG with presentation attributes only (no `style=`).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; \
worker-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One year; sent only when the service is reached over https (`ROADSHOW_BASE_URL`, or a
/// trusted proxy's `X-Forwarded-Proto`).
const HSTS: &str = "max-age=31536000";

/// Adds the security headers (a handler's own value wins) and `Cache-Control: no-store` on
/// everything but static files: pages and API answers carry personal data, which must not stay
/// in a shared or a back-button cache.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| super::client::is_https(req.request(), &s.settings));
    let is_static = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let mut add = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    add(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    add(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    add(header::REFERRER_POLICY, "same-origin");
    add(header::X_FRAME_OPTIONS, "DENY");
    if https {
        add(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if !is_static {
        add(header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}

/// Under `/api`, an error answer that is not problem+json (actix's own extractors and guards
/// answer in plain text: a body over its limit, a bad payload) is rewritten as one, so that
/// clients get one error format from every layer.
pub async fn api_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    if !req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    // Errors returned by inner middleware (not handlers) become responses further out; the
    // ones under `/api` (rate limit) are AppErrors already.
    let res = next.call(req).await?.map_into_left_body();
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let mut problem = problem_for(status);
    // Keep what the first answer said beyond its body (`Allow` on a 405, say).
    for (name, value) in res.headers() {
        let body_header = name == header::CONTENT_TYPE
            || name == header::CONTENT_LENGTH
            || name == header::CONTENT_ENCODING;
        if !body_header && !problem.headers().contains_key(name) {
            problem.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(res.into_response(problem.map_into_right_body()))
}

/// The problem+json answer for a bare status.
fn problem_for(status: StatusCode) -> HttpResponse {
    let known = match status {
        StatusCode::BAD_REQUEST => {
            Some(AppError::BadRequest("the request could not be read".into()))
        }
        StatusCode::UNAUTHORIZED => Some(AppError::Unauthorized("login required".into())),
        StatusCode::FORBIDDEN => Some(AppError::Forbidden),
        StatusCode::NOT_FOUND => Some(AppError::NotFound("resource")),
        StatusCode::PAYLOAD_TOO_LARGE => Some(AppError::PayloadTooLarge),
        StatusCode::TOO_MANY_REQUESTS => Some(AppError::TooManyRequests),
        _ => None,
    };
    if let Some(error) = known {
        return error.error_response();
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    let slug = reason.to_ascii_lowercase().replace(' ', "-");
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(Problem {
            kind: format!("https://roadshow.example/problems/{slug}"),
            title: reason.to_owned(),
            status: status.as_u16(),
            detail: reason.to_lowercase(),
            errors: None,
        })
}
