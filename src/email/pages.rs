//! The admin page of the e-mail queue: what waits, what failed and why, and "retry now".

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::outbox;
use crate::auth::PageUser;
use crate::auth::policy::ManageSetup;
use crate::db;
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html, redirect_see_other};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(outbox_page).service(retry);
}

struct Row {
    id: String,
    kind: String,
    recipient: String,
    status: String,
    attempts: i32,
    next_attempt_at: String,
    last_error: String,
    created_at: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    ctx: PageContext,
    pending: i64,
    failed: i64,
    rows: Vec<Row>,
}

#[get("/admin/outbox")]
async fn outbox_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
) -> Result<HttpResponse, PageError> {
    let (pending, failed, rows) = db::run(&state.pool, |conn| {
        Ok((
            outbox::count_pending(conn)?,
            outbox::count_failed(conn)?,
            outbox::list_unsent(conn, 200)?,
        ))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let rows = rows
        .into_iter()
        .map(|r| Row {
            next_attempt_at: fmt(r.next_attempt_at),
            created_at: fmt(r.created_at),
            last_error: r.last_error.unwrap_or_default(),
            id: r.id,
            kind: r.kind,
            recipient: r.recipient,
            status: r.status,
            attempts: r.attempts,
        })
        .collect();
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    html(
        StatusCode::OK,
        &OutboxPage {
            ctx,
            pending,
            failed,
            rows,
        },
    )
    .map_err(|e| PageError::new(&req, e))
}

#[post("/admin/outbox/{id}/retry")]
async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    _form: CsrfForm<std::collections::BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let actor = crate::audit::Actor::from(&admin.user);
    super::service::retry_message(&state.pool, &state.events, path.into_inner(), actor)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other("/admin/outbox"))
}
