//! The attendee's side of erasure: the page the e-mailed link opens, which asks once more and
//! then erases (the admin's use case, with roadshow as the actor).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::erasure::{self, ERASED_DOMAIN};
use super::messages::ERASE_LINK;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(confirm_page).service(confirm);
}

#[derive(Template)]
#[template(path = "public/erase.html")]
struct ErasePage {
    ctx: PageContext,
    token: String,
    /// The address to erase, shown so that the person knows what goes.
    email: String,
    /// `asking`, `done` or `already`.
    state: &'static str,
}

fn registration_of(state: &AppState, token: &str) -> Result<String, AppError> {
    state
        .badges
        .open_link_token(ERASE_LINK, token)
        .ok_or(AppError::NotFound("registration"))
}

#[get("/erase/{token}")]
async fn confirm_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let id = registration_of(&state, &token).map_err(|e| PageError::new(&req, e))?;
    let email = db::run(&state.pool, move |conn| {
        crate::registrations::store::find_registration(conn, &id)?
            .map(|r| r.email)
            .ok_or(AppError::NotFound("registration"))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let already = email.ends_with(ERASED_DOMAIN);
    let page = ErasePage {
        ctx,
        token,
        email: if already { String::new() } else { email },
        state: if already { "already" } else { "asking" },
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

#[post("/erase/{token}")]
async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    _form: CsrfForm<std::collections::BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let id = registration_of(&state, &token).map_err(|e| PageError::new(&req, e))?;
    let state_word = match erasure::erase_confirmed(&state.pool, &state.events, id).await {
        Ok(_) => "done",
        Err(AppError::Conflict(_)) => "already",
        Err(e) => return Err(PageError::new(&req, e)),
    };
    let page = ErasePage {
        ctx,
        token,
        email: String::new(),
        state: state_word,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}
