//! The credentials a request carries — the page session cookie, a bearer token — and who they
//! belong to. Below the pages and the extractors, so that the shared web plumbing (page
//! context, CSRF, rate limit) can ask without depending on them.

use actix_web::{HttpRequest, web};

use super::policy::CurrentUser;
use super::service;
use crate::error::AppError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "roadshow_session";

/// The signed-in user of a page request, if its session cookie is live.
pub async fn session_user(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
    service::user_for_session(state, cookie.value().to_owned()).await
}

/// The token of an `Authorization: Bearer …` header, if any (not yet checked).
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let value = header.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// True when the request carries a credential that is live: a bearer token or a page session.
/// A header or cookie that merely looks like one is not enough (the rate limit asks this).
pub async fn has_verified_credential(state: &AppState, req: &actix_web::HttpRequest) -> bool {
    let found = if let Some(token) = bearer_token(req) {
        service::user_for_token(state, token).await
    } else if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        service::user_for_session(state, cookie.value().to_owned()).await
    } else {
        return false;
    };
    matches!(found, Ok(Some(_)))
}
