//! The audit API (admins): read the log, newest first, filtered. There is no route that writes,
//! changes or deletes an entry.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Actor, store};
use crate::auth::ApiUser;
use crate::auth::policy::ReadAudit;
use crate::db;
use crate::error::{AppError, FieldErrors};
use crate::openapi::fields;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_entries);
}

/// The most entries one answer holds.
pub const MAX_ENTRIES: i64 = 1000;

/// Filters of the log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// An actor's e-mail or id; `system` for what roadshow did itself.
    #[param(schema_with = fields::filter)]
    pub actor: Option<String>,
    /// An action (`tour.updated`), or a target and a dot for all its actions (`tour.`).
    #[param(schema_with = fields::audit_action)]
    pub action: Option<String>,
    /// From this moment (RFC 3339) or day (`YYYY-MM-DD`, from its midnight UTC).
    #[param(schema_with = fields::since)]
    pub since: Option<String>,
    /// The changes made to one target (its id).
    #[param(schema_with = fields::filter)]
    pub target_id: Option<String>,
    /// At most this many entries, from 1 to 1000 (the default).
    #[param(schema_with = fields::count::<1000>)]
    pub limit: Option<u32>,
}

/// One change: who, when, what, on which target, and what changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// `null` when roadshow made the change itself (a housekeeping job, an attendee's own
    /// request, the command line).
    pub actor: Option<Actor>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    /// The fields changed (`{"field": {"from": …, "to": …}}`) or what was done.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<store::Entry> for AuditEntry {
    fn from(entry: store::Entry) -> Self {
        let details: serde_json::Value =
            serde_json::from_str(&entry.details).unwrap_or(serde_json::Value::Null);
        let device_id = details
            .get("device_id")
            .and_then(|d| d.as_str())
            .map(str::to_owned);
        Self {
            at: entry.at.and_utc(),
            actor: match (entry.actor_id, entry.actor_email, entry.actor_role) {
                (Some(id), Some(email), Some(role)) => Some(Actor {
                    id,
                    email,
                    role,
                    device_id,
                }),
                _ => None,
            },
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id,
            details,
        }
    }
}

/// Turns the query into a store filter, or says which field is wrong.
pub fn parse_query(query: AuditQuery) -> Result<(store::Filter, i64), AppError> {
    let mut errors = FieldErrors::new();
    let blank_is_none =
        |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    // Tokens are read as sent (not trimmed), as their pattern says.
    let action = query.action.filter(|a| !a.is_empty());
    // An action is words and dots: nothing the store's prefix match would read as a wildcard.
    let is_action = |a: &str| {
        a.len() <= 64
            && a.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
    };
    if action.as_deref().is_some_and(|a| !is_action(a)) {
        errors.add("action", "v.audit_action");
    }
    let since = query.since.filter(|s| !s.is_empty()).and_then(|raw| {
        let parsed = DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.naive_utc())
            .or_else(|_| {
                NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                    .map(|d| d.and_time(chrono::NaiveTime::MIN))
            });
        parsed.map_err(|_| errors.add("since", "v.datetime")).ok()
    });
    let limit = match query.limit {
        Some(0) => {
            errors.add("limit", "v.positive");
            0
        }
        Some(n) if i64::from(n) > MAX_ENTRIES => {
            errors.add("limit", "v.too_many");
            0
        }
        Some(n) => i64::from(n),
        None => MAX_ENTRIES,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((
        store::Filter {
            actor: blank_is_none(query.actor),
            action,
            since,
            target_id: blank_is_none(query.target_id),
        },
        limit,
    ))
}

/// The audit log, newest first (admin): every change made by a person or a token, with who
/// made it. Entries cannot be changed or deleted.
#[utoipa::path(
    tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = [AuditEntry]))
)]
#[get("/api/v1/audit")]
pub async fn list_entries(
    state: web::Data<AppState>,
    _admin: ApiUser<ReadAudit>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let (filter, limit) = parse_query(query.into_inner())?;
    let entries = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, &filter, limit)?)
    })
    .await?;
    let entries: Vec<AuditEntry> = entries.into_iter().map(AuditEntry::from).collect();
    Ok(HttpResponse::Ok().json(entries))
}
