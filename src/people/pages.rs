//! The admin page of personal data: look a person up by e-mail, see what is held about them
//! across tours, and download it all as JSON (the same use case as the API).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::erasure::Erased;
use crate::audit::Actor;
use crate::auth::PageUser;
use crate::auth::policy::ManagePersonalData;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(lookup).service(download).service(erase);
}

#[derive(Debug, Deserialize)]
struct Lookup {
    #[serde(default)]
    email: String,
}

/// How many of each kind are held, in the page's order.
struct Counts {
    email: String,
    kinds: Vec<(&'static str, usize)>,
}

#[derive(Template)]
#[template(path = "admin/people.html")]
struct PeoplePage {
    ctx: PageContext,
    asked: String,
    found: Option<Counts>,
    /// The erasure just made, or the tick it waits for.
    erased: Option<Erased>,
    erase_unconfirmed: bool,
}

const KINDS: [&str; 7] = [
    "registrations",
    "scans",
    "check_ins",
    "feedback",
    "complaints",
    "outcomes",
    "emails",
];

#[get("/admin/people")]
async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManagePersonalData>,
    query: web::Query<Lookup>,
) -> Result<HttpResponse, PageError> {
    let asked = query.into_inner().email.trim().to_owned();
    let found = if asked.is_empty() {
        None
    } else {
        match super::service::look_up(&state.pool, asked.clone()).await {
            Ok(held) => Some(Counts {
                email: held["email"].as_str().unwrap_or_default().to_owned(),
                kinds: KINDS
                    .iter()
                    .map(|k| (*k, held[*k].as_array().map_or(0, Vec::len)))
                    .collect(),
            }),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(PageError::new(&req, e)),
        }
    };
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    let page = PeoplePage {
        ctx,
        asked,
        found,
        erased: None,
        erase_unconfirmed: false,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

#[derive(Debug, Deserialize)]
struct EraseForm {
    email: String,
    confirm: Option<String>,
}

/// Erases the person looked up (the API's use case), once the admin ticked the confirmation.
#[post("/admin/people/erase")]
async fn erase(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManagePersonalData>,
    form: CsrfForm<EraseForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let confirmed = form.confirm.as_deref() == Some("yes");
    let erased = if confirmed {
        Some(
            super::erasure::erase_person(
                &state.pool,
                &state.events,
                form.email.clone(),
                Some(Actor::from(&admin.user)),
            )
            .await
            .map_err(|e| PageError::new(&req, e))?,
        )
    } else {
        None
    };
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    let page = PeoplePage {
        ctx,
        asked: form.email.trim().to_owned(),
        found: None,
        erase_unconfirmed: !confirmed,
        erased,
    };
    let status = if confirmed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(status, &page).map_err(|e| PageError::new(&req, e))
}

#[get("/admin/people/export.json")]
async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManagePersonalData>,
    query: web::Query<Lookup>,
) -> Result<HttpResponse, PageError> {
    let held = super::service::export(
        &state.pool,
        query.into_inner().email,
        Actor::from(&admin.user),
    )
    .await
    .map_err(|e| PageError::new(&req, e))?;
    tracing::info!(user_id = %admin.user.id, "personal data downloaded");
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"personal-data.json\"",
        ))
        .json(held))
}
