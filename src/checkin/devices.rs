//! Scanner devices: a phone or laptop registered for one stop gets a token with the scanner
//! scope there; admins list and revoke them.

use crate::openapi::fields;
use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::{ManageSetup, ScanBadges};
use crate::auth::{ApiUser, CurrentUser};
use crate::db;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_devices)
        .service(create_device)
        .service(revoke_device);
}

/// A scanner device to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stop_id": "0b8f8c9e-3f41-4c57-9a8e-6c1f0f1d2a10", "name": "Accueil 1"}))]
pub struct CreateDeviceRequest {
    #[schema(schema_with = fields::id)]
    pub stop_id: String,
    /// A name staff recognise ("Accueil 1", "Sophie's phone").
    #[schema(schema_with = fields::name::<80>)]
    pub name: String,
}

/// A new device and its token (shown once; scanner scope at its stop, expires after the stop).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceResponse {
    pub id: String,
    pub stop_id: String,
    pub name: String,
    pub token: String,
}

/// Register this phone or laptop as a scanner for a stop (staff, signed in with their own
/// token): returns a device token with the scanner scope at that stop only, until an admin
/// revokes it or `ROADSHOW_DEVICE_TOKEN_DAYS_AFTER_STOP` days after the stop ends.
#[utoipa::path(
    tag = "check-in", request_body = CreateDeviceRequest, security(("bearer" = [])),
    responses((status = 201, body = DeviceResponse), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/devices")]
pub async fn create_device(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    body: ApiJson<CreateDeviceRequest>,
) -> Result<HttpResponse, AppError> {
    if staff.user.device.is_some() {
        // A device cannot mint more devices: a person signs in for that.
        return Err(AppError::Forbidden);
    }
    let body = body.0;
    let response = create_device_for(&state, staff.user, body.stop_id, body.name).await?;
    Ok(HttpResponse::Created().json(response))
}

/// Registers a device through the use case and answers with its token (shared with the
/// scanner set-up page, which answers the same JSON to its script).
pub async fn create_device_for(
    state: &AppState,
    user: CurrentUser,
    stop_id: String,
    name: String,
) -> Result<DeviceResponse, AppError> {
    let device = super::service::register_scanner(&state.pool, user, stop_id, name).await?;
    Ok(DeviceResponse {
        id: device.id,
        stop_id: device.stop_id,
        name: device.name,
        token: device.token,
    })
}

/// A scanner device, for admins.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceSummary {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub revoked: bool,
}

/// The scanner devices of a stop (admin).
#[utoipa::path(
    tag = "check-in", security(("bearer" = [])),
    responses((status = 200, body = [DeviceSummary]))
)]
#[get("/api/v1/stops/{stop_id}/devices")]
pub async fn list_devices(
    state: web::Data<AppState>,
    _admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    let devices = db::run(&state.pool, move |conn| {
        Ok(crate::auth::store::list_devices(conn, &stop_id)?)
    })
    .await?;
    let devices: Vec<DeviceSummary> = devices
        .into_iter()
        .map(|d| DeviceSummary {
            id: d.id,
            name: d.name,
            user_name: d.user_name,
            revoked: d.revoked_at.is_some(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(devices))
}

/// Cut a device off (admin): its token answers 401 from now on.
#[utoipa::path(
    tag = "check-in", security(("bearer" = [])),
    responses((status = 200), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/api/v1/devices/{device_id}")]
pub async fn revoke_device(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = crate::audit::Actor::from(&admin.user);
    crate::auth::service::revoke_device(&state.pool, &state.events, actor, path.into_inner())
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "revoked"})))
}
