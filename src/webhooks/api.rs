//! The webhooks API (admins): register, list and remove endpoints; see an endpoint's
//! deliveries, send it a test event, retry a delivery.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{EventType, service, store};
use crate::audit::Actor;
use crate::auth::ApiUser;
use crate::auth::policy::ManageIntegrations;
use crate::db;
use crate::error::AppError;
use crate::openapi::fields;
use crate::state::AppState;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(delete_webhook)
        .service(list_deliveries)
        .service(test_webhook)
        .service(retry_delivery);
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://crm.example.com/hooks/roadshow",
    "events": ["registration.created", "checkin.created"]
}))]
pub struct CreateWebhookRequest {
    /// An `http` or `https` URL of a public host (loopback and private addresses are refused
    /// unless the server allows them).
    #[schema(schema_with = fields::webhook_url)]
    pub url: String,
    /// The event types to receive, at least one (a type listed twice counts once).
    #[schema(min_items = 1)]
    pub events: Vec<EventType>,
    /// `whsec_` followed by the base64 of a key of 24 to 64 bytes; made when absent or empty.
    #[schema(schema_with = fields::webhook_secret)]
    pub secret: Option<String>,
}

/// An endpoint. `secret` is shown only in the answer that created it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Deliveries waiting to be sent or retried.
    pub pending: i64,
    /// Deliveries given up after every attempt.
    pub failed: i64,
}

/// One event sent, or to be sent, to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// The `webhook-id` header: the same on every attempt, for the receiver to dedupe.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The message queued by a test or a retry.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedResponse {
    pub id: String,
}

fn webhook_response(
    conn: &mut db::DbConnection,
    endpoint: store::Endpoint,
    secret: Option<String>,
) -> Result<WebhookResponse, AppError> {
    Ok(WebhookResponse {
        pending: store::count_by_status(conn, &endpoint.id, "pending")?,
        failed: store::count_by_status(conn, &endpoint.id, "failed")?,
        events: endpoint.events.split(' ').map(str::to_owned).collect(),
        created_at: endpoint.created_at.and_utc(),
        id: endpoint.id,
        url: endpoint.url,
        secret,
    })
}

/// Register an endpoint (admin). Its secret is returned once.
#[utoipa::path(
    tag = "integrations", request_body = CreateWebhookRequest, security(("bearer" = [])),
    responses((status = 201, body = WebhookResponse))
)]
#[post("/api/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    admin: ApiUser<ManageIntegrations>,
    body: ApiJson<CreateWebhookRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let new = service::NewEndpoint {
        url: body.url,
        events: body.events,
        secret: body.secret,
    };
    let endpoint = service::register_endpoint(
        &state.pool,
        state.settings.webhook_allow_private,
        Actor::from(&admin.user),
        new,
    )
    .await?;
    let response = db::run(&state.pool, move |conn| {
        let secret = Some(endpoint.secret.clone());
        webhook_response(conn, endpoint, secret)
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}

/// The endpoints, oldest first (admin), without their secrets.
#[utoipa::path(
    tag = "integrations", security(("bearer" = [])),
    responses((status = 200, body = [WebhookResponse]))
)]
#[get("/api/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    _admin: ApiUser<ManageIntegrations>,
) -> Result<HttpResponse, AppError> {
    let list = db::run(&state.pool, |conn| {
        store::list_endpoints(conn)?
            .into_iter()
            .map(|endpoint| webhook_response(conn, endpoint, None))
            .collect::<Result<Vec<_>, AppError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Remove an endpoint and its deliveries (admin): nothing more is sent to it.
#[utoipa::path(
    tag = "integrations", security(("bearer" = [])),
    params(("webhook_id" = String, Path)),
    responses((status = 204, description = "removed"))
)]
#[delete("/api/v1/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    admin: ApiUser<ManageIntegrations>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    service::remove_endpoint(&state.pool, path.into_inner(), Actor::from(&admin.user)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's deliveries, newest first, at most 100 (admin).
#[utoipa::path(
    tag = "integrations", security(("bearer" = [])),
    params(("webhook_id" = String, Path)),
    responses((status = 200, body = [DeliveryResponse]))
)]
#[get("/api/v1/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    _admin: ApiUser<ManageIntegrations>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let list = db::run(&state.pool, move |conn| {
        store::find_endpoint(conn, &id)?.ok_or(AppError::NotFound("webhook"))?;
        Ok(store::list_deliveries(conn, &id, 100)?)
    })
    .await?;
    let list: Vec<DeliveryResponse> = list
        .into_iter()
        .map(|d| DeliveryResponse {
            next_attempt_at: (d.status == "pending").then(|| d.next_attempt_at.and_utc()),
            id: d.id,
            kind: d.event_type,
            status: d.status,
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at.and_utc(),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Send the endpoint a `webhook.test` event now (admin), to try the receiver.
#[utoipa::path(
    tag = "integrations", security(("bearer" = [])),
    params(("webhook_id" = String, Path)),
    responses((status = 202, body = QueuedResponse))
)]
#[post("/api/v1/webhooks/{webhook_id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    admin: ApiUser<ManageIntegrations>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = service::send_test(&state.pool, path.into_inner(), Actor::from(&admin.user)).await?;
    Ok(HttpResponse::Accepted().json(QueuedResponse { id }))
}

/// Try a delivery again now, whatever its state (admin); the same message id is sent.
#[utoipa::path(
    tag = "integrations", security(("bearer" = [])),
    params(("webhook_id" = String, Path), ("delivery_id" = String, Path)),
    responses((status = 202, body = QueuedResponse))
)]
#[post("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    admin: ApiUser<ManageIntegrations>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (webhook_id, delivery_id) = path.into_inner();
    let actor = Actor::from(&admin.user);
    service::retry_delivery(&state.pool, webhook_id, delivery_id.clone(), actor).await?;
    Ok(HttpResponse::Accepted().json(QueuedResponse { id: delivery_id }))
}
