//! The extractors that enforce the policy: a handler names the permission it needs in its
//! signature (`ApiUser<ManageSetup>`, `PageUser<ScanBadges>`), and the request is refused
//! before the handler runs (401/403, or the login page).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::policy::{CurrentUser, Requirement};
pub use super::session::bearer_token;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::PageError;

/// An API caller authenticated by bearer token and allowed `P`; otherwise 401 or 403.
#[derive(Debug)]
pub struct ApiUser<P: Requirement> {
    pub user: CurrentUser,
    _permission: PhantomData<P>,
}

impl<P: Requirement + 'static> FromRequest for ApiUser<P> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let bearer = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let token = bearer.ok_or_else(|| {
                AppError::Unauthorized(
                    "a bearer token is required (Authorization: Bearer …)".into(),
                )
            })?;
            let user = super::service::user_for_token(&state, token)
                .await?
                .ok_or_else(|| {
                    AppError::Unauthorized("the token is invalid or has expired".into())
                })?;
            if !user.allows(P::PERMISSION) {
                return Err(AppError::Forbidden);
            }
            Ok(Self {
                user,
                _permission: PhantomData,
            })
        })
    }
}

/// A page visitor signed in with a cookie session and allowed `P`; otherwise the login page or
/// a "forbidden" page.
#[derive(Debug)]
pub struct PageUser<P: Requirement> {
    pub user: CurrentUser,
    _permission: PhantomData<P>,
}

impl<P: Requirement + 'static> FromRequest for PageUser<P> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = super::session::session_user(&req)
                .await
                .map_err(|e| PageError::new(&req, e))?
                .ok_or_else(|| PageError::login_required(&req))?;
            if !user.allows(P::PERMISSION) {
                return Err(PageError::new(&req, AppError::Forbidden));
            }
            Ok(Self {
                user,
                _permission: PhantomData,
            })
        })
    }
}
