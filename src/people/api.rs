//! The personal data API (admins).

use actix_web::{HttpResponse, delete, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::erasure::Erased;
use crate::audit::Actor;
use crate::auth::ApiUser;
use crate::auth::policy::ManagePersonalData;
use crate::error::AppError;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(person).service(erase_person);
}

/// Everything held about one e-mail address, across tours.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonData {
    pub email: String,
    /// Each registration with the attendee's fields, its consent time and its workshops.
    #[schema(value_type = Vec<Object>)]
    pub registrations: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub scans: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub check_ins: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub feedback: Vec<serde_json::Value>,
    /// Complaints tied to the person's registrations.
    #[schema(value_type = Vec<Object>)]
    pub complaints: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub outcomes: Vec<serde_json::Value>,
    /// E-mails queued to the address: kind and dates, not their text.
    #[schema(value_type = Vec<Object>)]
    pub emails: Vec<serde_json::Value>,
}

/// What roadshow holds about an e-mail address (admin), for a request under GDPR article 15;
/// 404 when nothing is held. The address's case and surrounding spaces are ignored.
#[utoipa::path(
    tag = "personal data", security(("bearer" = [])),
    params(("email" = String, Path)),
    responses((status = 200, body = PersonData))
)]
#[get("/api/v1/people/{email}")]
pub async fn person(
    state: web::Data<AppState>,
    admin: ApiUser<ManagePersonalData>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let held =
        super::service::export(&state.pool, path.into_inner(), Actor::from(&admin.user)).await?;
    tracing::info!(user_id = %admin.user.id, "personal data exported");
    Ok(HttpResponse::Ok().json(held))
}

/// Erase everything held about an e-mail address, across tours (admin), for a request under
/// GDPR article 17. Registrations for stops not started yet are cancelled first (seats freed,
/// the waitlist promoted); then names, address, company, job title and the person's free text
/// are replaced by a pseudonym everywhere. Every analytics figure of past stops stays the same.
/// Afterwards `GET` answers 404.
#[utoipa::path(
    tag = "personal data", security(("bearer" = [])),
    params(("email" = String, Path)),
    responses((status = 200, body = Erased))
)]
#[delete("/api/v1/people/{email}")]
pub async fn erase_person(
    state: web::Data<AppState>,
    admin: ApiUser<ManagePersonalData>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let erased = super::erasure::erase_person(
        &state.pool,
        &state.events,
        path.into_inner(),
        Some(Actor::from(&admin.user)),
    )
    .await?;
    Ok(HttpResponse::Ok().json(erased))
}
