//! The complaints API: staff and marketing record, marketing works them.

use crate::openapi::fields;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{ComplaintStatus, ComplaintTheme};
use super::service::{self, ComplaintChanges, NewComplaint};
use super::store::{self, Complaint, ComplaintEvent};
use crate::auth::ApiUser;
use crate::auth::policy::{RecordComplaints, WorkComplaints};
use crate::db;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::time;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_complaint)
        .service(list_complaints)
        .service(get_complaint)
        .service(update_complaint);
}

/// A complaint heard on site or on the phone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "stop_id": "0b8f8c9e-3f41-4c57-9a8e-6c1f0f1d2a10", "theme": "licensing",
    "summary": "Licences PME : le revendeur ne sait pas quelle offre proposer",
    "company": "Alsace Informatique"
}))]
pub struct CreateComplaintRequest {
    #[schema(schema_with = fields::id)]
    pub stop_id: String,
    pub theme: ComplaintTheme,
    #[schema(schema_with = fields::name::<300>)]
    pub summary: String,
    #[schema(schema_with = fields::lines::<5000>)]
    pub detail: Option<String>,
    #[schema(schema_with = fields::line::<200>)]
    pub company: Option<String>,
    #[schema(schema_with = fields::optional_id)]
    pub registration_id: Option<String>,
    /// The reseller wants to be told of the outcome (needs `registration_id`).
    #[serde(default)]
    pub notify_reseller: bool,
}

/// Changes to a complaint; `resolved` needs a `resolution`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateComplaintRequest {
    pub status: Option<ComplaintStatus>,
    #[schema(schema_with = fields::line::<200>)]
    pub owner: Option<String>,
    /// Required (not blank) once the status is `resolved`.
    #[schema(schema_with = fields::lines::<5000>)]
    pub resolution: Option<String>,
    /// The date a promise falls due, `YYYY-MM-DD`; empty clears it.
    #[schema(schema_with = fields::optional_date)]
    pub due_on: Option<String>,
    /// A note for the history.
    #[schema(schema_with = fields::lines::<2000>)]
    pub comment: Option<String>,
}

/// One change in a complaint's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `created`, `status`, `owner` or `resolution`.
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// A complaint with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintResponse {
    pub id: String,
    pub stop_id: String,
    pub theme: ComplaintTheme,
    pub summary: String,
    pub detail: String,
    pub company: String,
    pub registration_id: Option<String>,
    pub feedback_id: Option<String>,
    pub status: ComplaintStatus,
    pub owner: String,
    pub resolution: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_on: Option<chrono::NaiveDate>,
    /// Past its due date and neither resolved nor closed.
    pub overdue: bool,
    pub notify_reseller: bool,
    pub history: Vec<HistoryEntry>,
}

/// Builds the answer for a complaint and its history.
pub fn complaint_response(c: Complaint, history: Vec<ComplaintEvent>) -> ComplaintResponse {
    let overdue = c.due_on.is_some_and(|d| d < time::now().date()) && c.status.is_pending();
    ComplaintResponse {
        overdue,
        id: c.id,
        stop_id: c.stop_id,
        theme: c.theme,
        summary: c.summary,
        detail: c.detail,
        company: c.company,
        registration_id: c.registration_id,
        feedback_id: c.feedback_id,
        status: c.status,
        owner: c.owner,
        resolution: c.resolution,
        created_by: c.created_by,
        created_at: c.created_at.and_utc(),
        updated_at: c.updated_at.and_utc(),
        due_on: c.due_on,
        notify_reseller: c.notify_reseller,
        history: history
            .into_iter()
            .map(|e| HistoryEntry {
                at: e.at.and_utc(),
                actor: e.actor,
                field: e.field,
                old_value: e.old_value,
                new_value: e.new_value,
            })
            .collect(),
    }
}

/// Record a complaint (staff or marketing).
#[utoipa::path(
    tag = "feedback", request_body = CreateComplaintRequest, security(("bearer" = [])),
    responses((status = 201, body = ComplaintResponse), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/complaints")]
pub async fn create_complaint(
    state: web::Data<AppState>,
    user: ApiUser<RecordComplaints>,
    body: ApiJson<CreateComplaintRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let new = NewComplaint {
        stop_id: body.stop_id,
        theme: Ok(body.theme),
        summary: body.summary,
        detail: body.detail,
        company: body.company,
        registration_id: body.registration_id,
        feedback_id: None,
        notify_reseller: body.notify_reseller,
    };
    let response = service::record_complaint(
        &state.pool,
        &state.events,
        new,
        &user.user,
        |conn, complaint| {
            let history = store::history(conn, &complaint.id)?;
            Ok(complaint_response(complaint, history))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(response))
}

/// Filters of the complaint list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ComplaintFilter {
    #[param(schema_with = fields::filter)]
    pub stop_id: Option<String>,
    pub theme: Option<ComplaintTheme>,
    pub status: Option<ComplaintStatus>,
    #[param(schema_with = fields::filter)]
    pub owner: Option<String>,
    /// `true`: only promises past their due date, still open or acknowledged.
    pub overdue: Option<bool>,
}

/// Complaints, newest first, by stop, theme and status (marketing).
#[utoipa::path(
    tag = "feedback", params(ComplaintFilter), security(("bearer" = [])),
    responses((status = 200, body = [ComplaintResponse]), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/complaints")]
pub async fn list_complaints(
    state: web::Data<AppState>,
    _marketing: ApiUser<WorkComplaints>,
    query: web::Query<ComplaintFilter>,
) -> Result<HttpResponse, AppError> {
    let filter = query.into_inner();
    let list = db::run(&state.pool, move |conn| {
        let query = store::Filter {
            stop_id: filter.stop_id,
            theme: filter.theme.map(|t| t.to_string()),
            status: filter.status.map(|s| s.to_string()),
            owner: filter.owner,
            overdue_on: filter.overdue.unwrap_or(false).then(|| time::now().date()),
        };
        store::list(conn, &query)?
            .into_iter()
            .map(|c| {
                let history = store::history(conn, &c.id)?;
                Ok(complaint_response(c, history))
            })
            .collect::<Result<Vec<_>, AppError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// A complaint with its history (marketing).
#[utoipa::path(
    tag = "feedback", security(("bearer" = [])),
    responses((status = 200, body = ComplaintResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/complaints/{id}")]
pub async fn get_complaint(
    state: web::Data<AppState>,
    _marketing: ApiUser<WorkComplaints>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let response = db::run(&state.pool, move |conn| {
        let complaint = store::find(conn, &id)?.ok_or(AppError::NotFound("complaint"))?;
        let history = store::history(conn, &id)?;
        Ok(complaint_response(complaint, history))
    })
    .await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Work a complaint (marketing): status, owner, resolution; each change joins the history.
#[utoipa::path(
    tag = "feedback", request_body = UpdateComplaintRequest, security(("bearer" = [])),
    responses((status = 200, body = ComplaintResponse), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "unknown status, or resolved without a resolution", body = Problem, content_type = "application/problem+json"))
)]
#[patch("/api/v1/complaints/{id}")]
pub async fn update_complaint(
    state: web::Data<AppState>,
    marketing: ApiUser<WorkComplaints>,
    path: web::Path<String>,
    body: ApiJson<UpdateComplaintRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let body = body.0;
    let changes = ComplaintChanges {
        status: body.status.map(Ok),
        owner: body.owner,
        resolution: body.resolution,
        due_on: body.due_on,
        comment: body.comment,
    };
    let response = service::work_complaint(
        &state.pool,
        &state.events,
        id,
        changes,
        &marketing.user,
        |conn, complaint| {
            let history = store::history(conn, &complaint.id)?;
            Ok(complaint_response(complaint, history))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(response))
}
