//! CSRF protection for HTML forms: the double-submit pattern. Every page visitor gets a random
//! `csrf` cookie (HttpOnly, SameSite=Strict); every form carries the same value in a hidden
//! `csrf_token` field; a POST whose field does not match its cookie is refused. A cross-site
//! page can neither read the cookie nor make the browser send it.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::page::PageError;
use crate::auth::secret;
use crate::error::AppError;
use crate::startup::AppState;

/// Name of the CSRF cookie (and the value forms must echo in `csrf_token`).
pub const CSRF_COOKIE: &str = "csrf";

/// The token of this request, placed in the extensions by [`ensure_csrf_cookie`].
#[derive(Debug, Clone)]
pub(crate) struct CsrfToken(pub String);

/// Gives every page visitor a CSRF cookie (the API, which uses bearer tokens, is left alone).
pub async fn ensure_csrf_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The API authenticates with bearer tokens: no cookie, and no random token to make.
    if req.path().starts_with("/api/") {
        return next.call(req).await;
    }
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);
    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (secret::random_token(), true),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.secure_cookies());
    let mut res = next.call(req).await?;
    if fresh {
        let cookie = Cookie::build(CSRF_COOKIE, token)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
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
            let cookie = req
                .cookie(CSRF_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_default();
            if cookie.is_empty() || !secret::constant_time_eq(&cookie, &field.csrf_token) {
                return Err(PageError::csrf(&req));
            }
            let form = serde_urlencoded::from_bytes(&bytes)
                .map_err(|e| PageError::new(&req, AppError::BadRequest(e.to_string())))?;
            Ok(CsrfForm(form))
        })
    }
}
