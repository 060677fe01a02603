//! The feedback form an attendee opens from the e-mail: phone first, no JavaScript.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::service::{self, RawFeedback};
use crate::complaints::domain::ComplaintTheme;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::time;
use crate::web::{CsrfForm, FormState, PageContext, PageError, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(feedback_form)
        .service(submit_feedback_form)
        .service(unsubscribe_page)
        .service(unsubscribe);
}

#[derive(Template)]
#[template(path = "feedback/form.html")]
struct FeedbackPage {
    ctx: PageContext,
    token: String,
    first_name: String,
    city: String,
    form: FormState,
    themes: [ComplaintTheme; 5],
    /// `form`, `thanks` or `already`.
    state: &'static str,
}

async fn who(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
) -> Result<(String, String), PageError> {
    let id = state
        .badges
        .open_link_token("feedback", token)
        .ok_or_else(|| PageError::new(req, AppError::NotFound("feedback link")))?;
    let view = db::run(&state.pool, move |conn| {
        crate::registrations::service::registration_view(conn, &id)
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    Ok((view.registration.first_name, view.stop.city))
}

#[get("/feedback/{token}")]
async fn feedback_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (first_name, city) = who(&req, &state, &token).await?;
    let page_data = FeedbackPage {
        ctx,
        token,
        first_name,
        city,
        form: FormState::default(),
        themes: ComplaintTheme::ALL,
        state: "form",
    };
    html(StatusCode::OK, &page_data).map_err(|e| PageError::new(&req, e))
}

#[post("/feedback/{token}")]
async fn submit_feedback_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (first_name, city) = who(&req, &state, &token).await?;
    // Checkboxes repeat the `themes` field: read the pairs, not a map.
    let pairs = form.0;
    let themes: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "themes")
        .map(|(_, v)| v.clone())
        .collect();
    let values: BTreeMap<String, String> =
        pairs.into_iter().filter(|(k, _)| k != "themes").collect();
    let mut form = FormState::new(values);
    for theme in &themes {
        form.set(&format!("theme_{theme}"), "yes");
    }
    let number = |name: &str| form.optional(name).map(|v| v.parse::<i64>().unwrap_or(-1));
    let raw = RawFeedback {
        overall: number("overall"),
        trainers: number("trainers"),
        content: number("content"),
        nps: number("nps"),
        themes,
        comment: form.optional("comment"),
        notify_me: form.value("notify_me") == "yes",
    };
    let id = state
        .badges
        .open_link_token("feedback", &token)
        .unwrap_or_default();
    let result = service::answer_feedback(&state.pool, &state.events, id, raw).await;
    let (status, page_state) = match result {
        Ok(_) => (StatusCode::CREATED, "thanks"),
        Err(AppError::Conflict(_)) => (StatusCode::CONFLICT, "already"),
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            (StatusCode::UNPROCESSABLE_ENTITY, "form")
        }
    };
    let page_data = FeedbackPage {
        ctx,
        token,
        first_name,
        city,
        form,
        themes: ComplaintTheme::ALL,
        state: page_state,
    };
    html(status, &page_data).map_err(|e| PageError::new(&req, e))
}

#[derive(Template)]
#[template(path = "feedback/unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageContext,
    token: String,
    done: bool,
}

#[get("/feedback/{token}/unsubscribe")]
async fn unsubscribe_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    who(&req, &state, &token).await?;
    html(
        StatusCode::OK,
        &UnsubscribePage {
            ctx,
            token,
            done: false,
        },
    )
    .map_err(|e| PageError::new(&req, e))
}

#[post("/feedback/{token}/unsubscribe")]
async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    _form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let id = state
        .badges
        .open_link_token("feedback", &token)
        .ok_or_else(|| PageError::new(&req, AppError::NotFound("feedback link")))?;
    db::run(&state.pool, move |conn| {
        service::unsubscribe(conn, &id, time::now())
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    html(
        StatusCode::OK,
        &UnsubscribePage {
            ctx,
            token,
            done: true,
        },
    )
    .map_err(|e| PageError::new(&req, e))
}
