//! CSRF protection for HTML forms. Every page visitor gets a signed `csrf` cookie (a random
//! nonce and its HMAC; HttpOnly, SameSite=Strict); every form carries a `csrf_token` that the
//! server derives, never reads back from the client:
//!
//! - signed in: the HMAC of the session id, so a token is worth nothing in another session,
//!   and logging in (a new session) changes it;
//! - anonymous: the HMAC of the cookie's nonce (signed double submit), so that someone who can
//!   plant a cookie cannot make up a matching pair, and the token in the page is not the cookie.
//!
//! A cross-site page can neither read the cookie nor make the browser send it.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::page::{CsrfToken, PageError};
use crate::auth::secret;
use crate::auth::session::SESSION_COOKIE;
use crate::badge::BadgeKeys;
use crate::error::AppError;
use crate::state::AppState;

/// Name of the CSRF cookie.
pub const CSRF_COOKIE: &str = "csrf";

/// A new signed cookie value: `nonce.mac`.
pub(crate) fn new_cookie_value(keys: &BadgeKeys) -> String {
    let nonce = secret::random_token();
    let mac = keys.tag("csrf-cookie", &nonce);
    format!("{nonce}.{mac}")
}

/// The nonce of a cookie value we signed, `None` for anything else.
fn cookie_nonce<'a>(keys: &BadgeKeys, value: &'a str) -> Option<&'a str> {
    let (nonce, mac) = value.split_once('.')?;
    (nonce.len() >= 32 && secret::constant_time_eq(keys.tag("csrf-cookie", nonce), mac))
        .then_some(nonce)
}

/// The form token for a request with these cookies: bound to the session when there is one,
/// to the signed cookie's nonce otherwise. The same rule renders and checks, so they agree.
fn expected_token(
    keys: &BadgeKeys,
    session: Option<&str>,
    csrf_cookie: Option<&str>,
) -> Option<String> {
    match session.filter(|s| !s.is_empty()) {
        Some(session) => Some(keys.tag("csrf-session", session)),
        None => csrf_cookie
            .and_then(|v| cookie_nonce(keys, v))
            .map(|nonce| keys.tag("csrf-anon", nonce)),
    }
}

/// The `csrf` cookie as set on a response.
pub(crate) fn csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Gives every page visitor a signed CSRF cookie and puts the page's form token in the request
/// (the API, which uses bearer tokens, is left alone).
pub async fn ensure_csrf_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The API authenticates with bearer tokens: no cookie, and no random token to make.
    if req.path().starts_with("/api/") {
        return next.call(req).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let keys = &state.badges;
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| cookie_nonce(keys, v).is_some());
    let (cookie, fresh) = match existing {
        Some(value) => (value, false),
        None => (new_cookie_value(keys), true),
    };
    let session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    if let Some(token) = expected_token(keys, session.as_deref(), Some(&cookie)) {
        req.extensions_mut().insert(CsrfToken(token));
    }
    let https = super::client::is_https(req.request(), &state.settings);
    let mut res = next.call(req).await?;
    // A handler that set the cookie itself (login, logout) has rotated it: leave that one.
    let rotated = res.response().cookies().any(|c| c.name() == CSRF_COOKIE);
    if fresh && !rotated {
        res.response_mut().add_cookie(&csrf_cookie(cookie, https))?;
    }
    Ok(res)
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// An urlencoded form whose `csrf_token` matched the visitor's cookie.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = body
                .await
                .map_err(|_| PageError::new(&req, AppError::PayloadTooLarge))?;
            let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| PageError::new(&req, AppError::BadRequest(e.to_string())))?;
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| {
                PageError::new(&req, AppError::Unexpected(anyhow::anyhow!("no app state")))
            })?;
            let session = req.cookie(SESSION_COOKIE);
            let cookie = req.cookie(CSRF_COOKIE);
            let expected = expected_token(
                &state.badges,
                session.as_ref().map(|c| c.value()),
                cookie.as_ref().map(|c| c.value()),
            );
            match expected {
                Some(expected) if secret::constant_time_eq(&expected, &field.csrf_token) => {}
                _ => return Err(PageError::csrf(&req)),
            }
            let form = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| PageError::new(&req, AppError::BadRequest(e.to_string())))?;
            Ok(CsrfForm(form))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_the_session_or_to_a_signed_cookie() {
        let keys = BadgeKeys::from_seed([7; 32]);
        let cookie = new_cookie_value(&keys);
        let anon = expected_token(&keys, None, Some(&cookie)).expect("signed cookie");
        let a = expected_token(&keys, Some("session-a"), Some(&cookie)).expect("session");
        let b = expected_token(&keys, Some("session-b"), Some(&cookie)).expect("session");
        assert_ne!(a, b);
        assert_ne!(a, anon);
        assert_ne!(anon, cookie, "the page never shows the cookie");
        // Another key (another server's secret) gives other tokens.
        let other = BadgeKeys::from_seed([8; 32]);
        assert_ne!(expected_token(&other, Some("session-a"), None), Some(a));
        // A planted, unsigned or re-signed cookie yields no token at all.
        let planted = "x".repeat(43);
        assert_eq!(expected_token(&keys, None, Some(&planted)), None);
        let (nonce, _) = cookie.split_once('.').expect("nonce.mac");
        let forged = format!("{nonce}.{}", other.tag("csrf-cookie", nonce));
        assert_eq!(expected_token(&keys, None, Some(&forged)), None);
        assert_eq!(expected_token(&keys, None, None), None);
    }
}
