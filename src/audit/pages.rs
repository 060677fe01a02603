//! The admin page of the audit log: the newest changes, filtered by actor, action, target and
//! date (the API's query, read the same way).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::api::{AuditEntry, AuditQuery, parse_query};
use super::store;
use crate::auth::PageUser;
use crate::auth::policy::ReadAudit;
use crate::db;
use crate::state::AppState;
use crate::web::{PageContext, PageError, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(audit_page);
}

/// The most entries the page shows at once.
const PAGE_ENTRIES: i64 = 200;

struct Row {
    at: String,
    actor: String,
    action: String,
    target: String,
    details: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageContext,
    actor: String,
    action: String,
    since: String,
    target_id: String,
    actions: Vec<String>,
    rows: Vec<Row>,
    limit: i64,
}

#[get("/admin/audit")]
async fn audit_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ReadAudit>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (actor, action, since, target_id) = (
        text(&query.actor),
        text(&query.action),
        text(&query.since),
        text(&query.target_id),
    );
    let (filter, _) = parse_query(query).map_err(|e| PageError::new(&req, e))?;
    let (entries, actions) = db::run(&state.pool, move |conn| {
        Ok((
            store::list(conn, &filter, PAGE_ENTRIES)?,
            store::actions(conn)?,
        ))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let rows = entries
        .into_iter()
        .map(AuditEntry::from)
        .map(|e| Row {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor.map_or_else(
                || "roadshow".to_owned(),
                |a| format!("{} ({})", a.email, a.role),
            ),
            action: e.action,
            target: format!("{} {}", e.target_type, e.target_id),
            details: e.details.to_string(),
        })
        .collect();
    let ctx = PageContext::anonymous(&req).with_user(Some(admin.user));
    let page = AuditPage {
        ctx,
        actor,
        action,
        since,
        target_id,
        actions,
        rows,
        limit: PAGE_ENTRIES,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}
