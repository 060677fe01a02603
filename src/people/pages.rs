//! The admin page of personal data: look a person up by e-mail, see what is held about them
//! across tours, and download it all as JSON (the same use case as the API).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::PageUser;
use crate::auth::policy::ManagePersonalData;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{PageContext, PageError, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(lookup).service(download);
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
        match super::service::export(&state.pool, asked.clone()).await {
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
    html(StatusCode::OK, &PeoplePage { ctx, asked, found }).map_err(|e| PageError::new(&req, e))
}

#[get("/admin/people/export.json")]
async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManagePersonalData>,
    query: web::Query<Lookup>,
) -> Result<HttpResponse, PageError> {
    let held = super::service::export(&state.pool, query.into_inner().email)
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
