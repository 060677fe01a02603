//! `POST /api/v1/auth/tokens`: trade an e-mail and password for a bearer token.

use crate::openapi::fields;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::policy::Role;
use super::service;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_token);
}

/// Credentials of a staff, marketing or admin account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@roadshow.example", "password": "demo-admin"}))]
pub struct CreateTokenRequest {
    /// Any text: an unknown e-mail gets the same 401 as a wrong password.
    #[schema(schema_with = fields::any_text)]
    pub email: String,
    #[schema(schema_with = fields::any_text)]
    pub password: String,
}

/// A new bearer token; the secret is shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// Log in: returns a bearer token for the API.
#[utoipa::path(
    tag = "accounts",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, body = TokenResponse),
        (status = 401, description = "wrong e-mail or password (same answer for both)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/auth/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    body: ApiJson<CreateTokenRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let user = service::authenticate(&state, &body.email, &body.password)
        .await?
        .ok_or_else(|| AppError::Unauthorized("wrong e-mail or password".into()))?;
    let (token, expires_at) = service::issue_token(&state, &user).await?;
    tracing::info!(user_id = %user.id, "api token issued");
    Ok(HttpResponse::Created().json(TokenResponse {
        token,
        role: user.role,
        expires_at: expires_at.and_utc(),
    }))
}
