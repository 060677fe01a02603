//! The check-in API for scanners: scans (one or a batch from an offline device), search,
//! walk-ins, undo, a checkpoint's counters, the data an offline scanner keeps. Devices are in
//! `devices.rs`.

use crate::openapi::fields;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cache::CheckpointCache;
use super::domain::{RawScan, ScanRequest, Verdict};
use super::service::{self, ScanOutcome};
use super::store;
use crate::auth::policy::ScanBadges;
use crate::auth::{ApiUser, CurrentUser};
use crate::db;
use crate::error::{AppError, FieldErrors, Problem};
use crate::registrations::api::{RegistrationRequest, RegistrationResponse, registration_response};
use crate::registrations::domain::RegistrationStatus;
use crate::state::AppState;
use crate::time;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(check_in)
        .service(check_in_batch)
        .service(search_attendees)
        .service(create_walk_in)
        .service(scanner_data)
        .service(undo_scan)
        .service(checkpoint_status);
}

/// A badge seen at a checkpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "token": "rs1.…", "checkpoint_id": "0b8f8c9e-3f41-4c57-9a8e-6c1f0f1d2a10",
    "scan_id": "door-1-000042", "scanned_at": "2026-10-13T09:14:00+02:00"
}))]
pub struct CheckInRequest {
    /// The QR code's text, whatever it is: any string gets a decision.
    #[schema(schema_with = fields::badge_text, required = true)]
    pub token: Option<String>,
    #[schema(schema_with = fields::id, required = true)]
    pub checkpoint_id: Option<String>,
    /// The device's id for this scan, 1 to 64 printable ASCII characters; sending it again
    /// returns the same answer. Absent: the server makes one.
    #[schema(schema_with = fields::scan_id)]
    pub scan_id: Option<String>,
    #[schema(schema_with = fields::optional_id)]
    pub device_id: Option<String>,
    /// When the device saw the badge (RFC 3339); absent, `null` or empty: now.
    #[schema(schema_with = fields::optional_date_time)]
    pub scanned_at: Option<String>,
}

impl From<CheckInRequest> for RawScan {
    fn from(r: CheckInRequest) -> Self {
        Self {
            token: r.token,
            checkpoint_id: r.checkpoint_id,
            scan_id: r.scan_id,
            device_id: r.device_id,
            scanned_at: r.scanned_at,
        }
    }
}

/// A workshop of the person scanned.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannedWorkshop {
    pub workshop_id: String,
    pub title: String,
    pub status: String,
}

/// The person a badge names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannedRegistration {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub status: RegistrationStatus,
    pub workshops: Vec<ScannedWorkshop>,
}

/// The decision on a scan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInResponse {
    /// `ok`, `already_checked_in`, `invalid_token`, `unknown_registration`, `cancelled`,
    /// `waitlisted`, `wrong_stop` or `not_enrolled`.
    pub result: Verdict,
    pub scan_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration: Option<ScannedRegistration>,
    /// For `already_checked_in`: when the check-in that counts was scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_scanned_at: Option<DateTime<FixedOffset>>,
    pub checkpoint_id: String,
    /// For `not_enrolled`: the workshop this checkpoint's room holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workshop: Option<WorkshopPlace>,
    /// For `not_enrolled`: the workshop the person is enrolled in at that time, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrolled_instead: Option<WorkshopPlace>,
    /// For `wrong_stop`: the stop the badge is for, when this service knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge_stop: Option<BadgeStop>,
}

/// A workshop and where it is, for someone turned away at a room.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopPlace {
    pub workshop_id: String,
    pub title: String,
    pub room: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

impl WorkshopPlace {
    fn of(w: crate::tours::store::Workshop, tz: chrono_tz::Tz) -> Self {
        Self {
            workshop_id: w.id,
            title: w.title,
            room: w.room,
            starts_at: time::in_zone(w.starts_at, tz),
            ends_at: time::in_zone(w.ends_at, tz),
        }
    }
}

/// The stop a badge scanned elsewhere is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct BadgeStop {
    pub stop_id: String,
    pub city: String,
    pub starts_at: DateTime<FixedOffset>,
}

/// The API's answer to a decided scan: everything it says was read by the writer, or after
/// it for someone turned away.
fn respond((outcome, elsewhere): (ScanOutcome, service::Elsewhere)) -> CheckInResponse {
    let tz = outcome.timezone;
    let workshops = outcome.workshops;
    CheckInResponse {
        result: outcome.verdict,
        scan_id: outcome.scan_id,
        registration: outcome.registration.map(|r| ScannedRegistration {
            workshops: workshops
                .into_iter()
                .map(|w| ScannedWorkshop {
                    workshop_id: w.workshop_id,
                    title: w.title,
                    status: w.status,
                })
                .collect(),
            id: r.id.into(),
            first_name: r.first_name,
            last_name: r.last_name,
            company: r.company,
            status: r.status,
        }),
        first_scanned_at: outcome.first_scanned_at.map(|t| time::in_zone(t, tz)),
        checkpoint_id: outcome.checkpoint.id.into(),
        workshop: elsewhere.workshop.map(|w| WorkshopPlace::of(w, tz)),
        enrolled_instead: elsewhere.enrolled_instead.map(|w| WorkshopPlace::of(w, tz)),
        badge_stop: elsewhere.badge_stop.map(|stop| BadgeStop {
            starts_at: time::in_zone(stop.starts_at, stop.timezone.tz()),
            stop_id: stop.id,
            city: stop.city,
        }),
    }
}

/// Decide a scan (staff, admin or a scanner device). A decision is always 200; re-sending the
/// same `scan_id` returns the same answer and records nothing new.
#[utoipa::path(
    tag = "check-in", request_body = CheckInRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = CheckInResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "marketing, a device bound to another stop, or a resent scan_id of a stop the caller may not scan at", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown checkpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/checkins")]
pub async fn check_in(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    body: ApiJson<CheckInRequest>,
) -> Result<HttpResponse, AppError> {
    let scan = RawScan::from(body.0).parse_one()?;
    let decided = service::check_in(&service::Door::of(&state), &staff.user, vec![scan])
        .await?
        .pop()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("a scan without an answer")))?;
    Ok(HttpResponse::Ok().json(respond(decided)))
}

/// Scans synced by an offline device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    pub scans: Vec<CheckInRequest>,
}

/// The decisions, in the order of the scans sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<CheckInResponse>,
}

/// Most scans one batch may carry.
const MAX_BATCH: usize = 2000;

/// Decide many scans (an offline scanner's sync), in order. Each is merged idempotently: a scan
/// already known answers as before; the earliest scan of a badge at a checkpoint is the check-in,
/// so a device learns which of its offline `ok`s were in fact duplicates (`already_checked_in`).
#[utoipa::path(
    tag = "check-in", request_body = BatchRequest,
    security(("bearer" = [])),
    responses((status = 200, body = BatchResponse), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "a scan names an unknown checkpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/checkins/batch")]
pub async fn check_in_batch(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    body: ApiJson<BatchRequest>,
) -> Result<HttpResponse, AppError> {
    let raw = body.0.scans;
    if raw.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "scans",
            format!("at most {MAX_BATCH} scans per batch"),
        ));
    }
    let mut errors = FieldErrors::new();
    let scans: Vec<ScanRequest> = raw
        .into_iter()
        .enumerate()
        .filter_map(|(i, scan)| RawScan::from(scan).parse(&format!("scans[{i}]."), &mut errors))
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let results = service::check_in(&service::Door::of(&state), &staff.user, scans)
        .await?
        .into_iter()
        .map(respond)
        .collect();
    Ok(HttpResponse::Ok().json(BatchResponse { results }))
}

/// Search words.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words of a name, a company or an e-mail, each the start of one (`kleb` finds Kléber);
    /// accents and case are ignored. Fewer than 2 characters find no one.
    #[param(schema_with = fields::filter)]
    pub q: Option<String>,
}

/// An attendee found by search, with the badge token to check them in without their badge.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendeeMatch {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub email: String,
    pub status: RegistrationStatus,
    pub badge_token: String,
    /// When they were checked in at the entrance, if they were.
    pub checked_in_at: Option<DateTime<FixedOffset>>,
}

/// Find attendees of a stop by name, company or e-mail (staff).
#[utoipa::path(
    tag = "check-in", params(SearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AttendeeMatch]), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/stops/{stop_id}/attendees")]
pub async fn search_attendees(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    path: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    staff.user.may_scan_at(&stop_id)?;
    let q = query
        .into_inner()
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect::<String>();
    let st = state.clone();
    let found = db::run(&state.pool, move |conn| {
        let tz = st.checkpoints.stop_zone(conn, &stop_id)?;
        super::search::find_attendees(conn, &st.search, &stop_id, &q, 30)?
            .into_iter()
            .map(|(r, checked_in_at)| {
                Ok(AttendeeMatch {
                    badge_token: st.badges.sign(&r.stop_id, &r.id)?,
                    checked_in_at: checked_in_at.map(|t| time::in_zone(t, tz)),
                    id: r.id.to_string(),
                    first_name: r.first_name.clone(),
                    last_name: r.last_name.clone(),
                    company: r.company.clone(),
                    email: r.email.clone(),
                    status: r.status,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Register someone at the door (staff): same body and answer as a registration, already
/// checked in at the entrance. 409 when the stop is full.
#[utoipa::path(
    tag = "check-in", request_body = RegistrationRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RegistrationResponse), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/stops/{stop_id}/walk-ins")]
pub async fn create_walk_in(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    path: web::Path<String>,
    body: ApiJson<RegistrationRequest>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    staff.user.may_scan_at(&stop_id)?;
    let new = crate::registrations::domain::NewRegistration::parse(body.0.into())?;
    let (id, _, _) =
        service::register_walk_in(&service::Door::of(&state), &staff.user, stop_id, new).await?;
    let view = db::run(&state.pool, move |conn| {
        crate::registrations::service::registration_view(conn, &id)
    })
    .await?;
    Ok(HttpResponse::Created().json(registration_response(&state, view)?))
}

/// Undo a mistaken check-in (staff): the scan stays recorded, the check-in goes.
#[utoipa::path(
    tag = "check-in", security(("bearer" = [])),
    responses((status = 200), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the scan is not a check-in", body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/scans/{scan_id}/undo")]
pub async fn undo_scan(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    service::undo_check_in(&service::Door::of(&state), &staff.user, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "undone"})))
}

/// A recent scan at a checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecentScan {
    pub scan_id: String,
    pub result: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub scanned_at: DateTime<FixedOffset>,
    pub undone: bool,
}

/// A checkpoint's counters and last scans.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointStatus {
    pub checkpoint_id: String,
    pub name: String,
    pub kind: String,
    pub checked_in: i64,
    pub expected: i64,
    pub recent: Vec<RecentScan>,
}

/// Counters (checked in / expected) and the last scans at a checkpoint (staff).
#[utoipa::path(
    tag = "check-in", security(("bearer" = [])),
    responses((status = 200, body = CheckpointStatus), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/checkpoints/{checkpoint_id}/status")]
pub async fn checkpoint_status(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = staff.user;
    let checkpoints = state.checkpoints.clone();
    let status = db::run(&state.pool, move |conn| {
        checkpoint_status_of(conn, &checkpoints, &actor, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// The counters and last scans of a checkpoint (shared with the scanner page).
pub fn checkpoint_status_of(
    conn: &mut db::DbConnection,
    checkpoints: &CheckpointCache,
    actor: &CurrentUser,
    id: &str,
) -> Result<CheckpointStatus, AppError> {
    let named = checkpoints.get(conn, id)?;
    actor.may_scan_at(&named.row.stop_id)?;
    // A room's counters follow the clock as its scans do: those of the workshop it holds now.
    let known = checkpoints.in_room_at(conn, named, time::now())?;
    let (checkpoint, tz) = (known.row, known.timezone);
    let id = checkpoint.id.as_str();
    let (checked_in, expected) = service::counts(conn, &checkpoint)?;
    let recent = store::recent_scans(conn, id, 10)?
        .into_iter()
        .map(|(scan, who, undone)| RecentScan {
            scan_id: scan.id,
            result: scan.result,
            name: who.as_ref().map(|(f, l, _)| format!("{f} {l}")),
            company: who.map(|(_, _, c)| c),
            scanned_at: time::in_zone(scan.scanned_at, tz),
            undone: undone.is_some(),
        })
        .collect();
    Ok(CheckpointStatus {
        checkpoint_id: checkpoint.id.into(),
        name: checkpoint.name,
        kind: checkpoint.kind,
        checked_in,
        expected,
        recent,
    })
}

/// A public key that verifies badges.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    pub kid: String,
    /// Base64 of the raw 32-byte Ed25519 public key.
    pub public_key: String,
}

/// A checkpoint, for an offline scanner.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannerCheckpoint {
    pub id: String,
    pub kind: String,
    pub workshop_id: Option<String>,
    pub name: String,
    /// For a room: its workshop, so that an offline `not_enrolled` can name it and say where
    /// the person is expected instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workshop: Option<WorkshopPlace>,
}

/// A registration, compact, for an offline scanner.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannerAttendee {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub status: RegistrationStatus,
    /// Workshops with a confirmed seat.
    pub workshops: Vec<String>,
}

/// Everything a scanner needs to decide offline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannerData {
    pub stop_id: String,
    /// The first 8 bytes of the stop id, as in badges.
    pub stop_prefix: String,
    pub keys: Vec<PublicKey>,
    pub checkpoints: Vec<ScannerCheckpoint>,
    pub attendees: Vec<ScannerAttendee>,
    /// `[checkpoint_id, registration_id, scanned_at]` of the check-ins already made.
    #[schema(value_type = Vec<Vec<String>>)]
    pub checked_in: Vec<(String, String, DateTime<FixedOffset>)>,
    pub generated_at: DateTime<FixedOffset>,
}

/// The stop's public keys, checkpoints, a compact attendee list and current check-ins, so that
/// a scanner can decide offline (staff or device).
#[utoipa::path(
    tag = "check-in", security(("bearer" = [])),
    responses((status = 200, body = ScannerData), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/stops/{stop_id}/scanner-data")]
pub async fn scanner_data(
    state: web::Data<AppState>,
    staff: ApiUser<ScanBadges>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    staff.user.may_scan_at(&stop_id)?;
    let keys = state.badges.public_keys();
    let data = db::run(&state.pool, move |conn| {
        let view = crate::tours::service::stop_view(conn, &stop_id)?;
        let tz = view.summary.timezone;
        let mut workshops: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for (registration, workshop) in store::confirmed_enrolments_of_stop(conn, &stop_id)? {
            workshops.entry(registration).or_default().push(workshop);
        }
        let attendees = crate::registrations::store::list_for_stop(conn, &stop_id, 100_000)?
            .into_iter()
            .map(|r| ScannerAttendee {
                workshops: workshops.remove(r.id.as_str()).unwrap_or_default(),
                id: r.id.into(),
                first_name: r.first_name,
                last_name: r.last_name,
                company: r.company,
                status: r.status,
            })
            .collect();
        Ok(ScannerData {
            stop_prefix: crate::badge::stop_prefix(&stop_id),
            keys: keys
                .into_iter()
                .map(|(kid, public_key)| PublicKey { kid, public_key })
                .collect(),
            checkpoints: view
                .checkpoints
                .into_iter()
                .map(|c| ScannerCheckpoint {
                    workshop: c.workshop_id.as_ref().and_then(|id| {
                        view.workshops
                            .iter()
                            .find(|w| &w.workshop.id == id)
                            .map(|w| WorkshopPlace::of(w.workshop.clone(), tz))
                    }),
                    id: c.id,
                    kind: c.kind,
                    workshop_id: c.workshop_id,
                    name: c.name,
                })
                .collect(),
            attendees,
            checked_in: store::check_ins_of_stop(conn, &stop_id)?
                .into_iter()
                .map(|(checkpoint, registration, at)| {
                    (checkpoint, registration, time::in_zone(at, tz))
                })
                .collect(),
            generated_at: time::in_zone(time::now(), tz),
            stop_id,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(data))
}
