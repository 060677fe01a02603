//! The page session: its cookie and who it belongs to. Below the pages, so that the shared web
//! plumbing (page context, CSRF) can ask without depending on a page module.

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
