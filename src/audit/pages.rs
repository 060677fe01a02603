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
    /// What changed, a line per field: `capacity: 100 → 150`.
    details: Vec<String>,
}

/// A JSON value as a reader sees it: text without its quotes, the rest compact.
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} {}", shown(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The details of an entry, a line per field; a change reads `from → to`.
fn detail_lines(details: &serde_json::Value) -> Vec<String> {
    let Some(fields) = details.as_object() else {
        return vec![shown(details)];
    };
    fields
        .iter()
        .map(
            |(field, value)| match (value.get("from"), value.get("to")) {
                (Some(from), Some(to)) => format!("{field}: {} → {}", shown(from), shown(to)),
                _ => format!("{field}: {}", shown(value)),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_a_line_per_field() {
        let details = serde_json::json!({
            "capacity": {"from": 100, "to": 150},
            "city": {"from": "Lille", "to": "Nancy"},
            "erased": {"emails": 2, "registrations": 1},
        });
        assert_eq!(
            detail_lines(&details),
            vec![
                "capacity: 100 → 150",
                "city: Lille → Nancy",
                "erased: emails 2, registrations 1"
            ]
        );
    }
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
            details: detail_lines(&e.details),
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
