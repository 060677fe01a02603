//! The outcomes API of API.md "Outcomes" (marketing).

use crate::openapi::fields;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, ImportReport};
use super::store::{self, Outcome};
use crate::audit::Actor;
use crate::auth::ApiUser;
use crate::auth::policy::ReadAnalytics;
use crate::db;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::web::{ApiBytes, ApiJson};

/// The largest CSV file accepted (about 100,000 lines).
pub const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(record_outcome)
        .service(
            web::resource("/api/v1/outcomes/import")
                .app_data(web::PayloadConfig::new(IMPORT_BODY_LIMIT))
                .route(web::post().to(import_outcomes))
                // The resource answers every method of its path: the others get the API's 405.
                .default_service(web::to(|req: HttpRequest| async move {
                    Err::<HttpResponse, _>(crate::openapi::unrouted(req.path()))
                })),
        )
        .service(delete_outcome)
        .service(list_outcomes);
}

/// An outcomes file, as the document describes it: text whose first line is the header.
pub struct OutcomesFile;

impl utoipa::PartialSchema for OutcomesFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        fields::text_starting_with(&service::CSV_HEADER)
    }
}

impl ToSchema for OutcomesFile {}

/// An outcome to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    #[schema(schema_with = fields::id)]
    pub registration_id: String,
    /// Lowercase letters, digits and `_`, as in the tour's targets (`certification_started`).
    #[schema(schema_with = fields::recorded_outcome_kind)]
    pub kind: String,
    /// `YYYY-MM-DD`, not after tomorrow.
    #[schema(schema_with = fields::date)]
    pub occurred_on: String,
}

/// A recorded outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResponse {
    pub id: String,
    pub registration_id: String,
    pub stop_id: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Outcome> for OutcomeResponse {
    fn from(o: Outcome) -> Self {
        Self {
            id: o.id,
            registration_id: o.registration_id,
            stop_id: o.stop_id,
            kind: o.kind,
            occurred_on: o.occurred_on,
            recorded_by: o.recorded_by,
            created_at: o.created_at.and_utc(),
        }
    }
}

/// Record an outcome for an attendee; 409 when they already have one of that kind.
#[utoipa::path(
    tag = "outcomes", request_body = OutcomeRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = OutcomeResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/outcomes")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    marketing: ApiUser<ReadAnalytics>,
    body: ApiJson<OutcomeRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let actor = Actor::from(&marketing.user);
    let outcome = service::record_outcome(
        &state.pool,
        body.registration_id,
        body.kind,
        body.occurred_on,
        actor,
    )
    .await?;
    Ok(HttpResponse::Created().json(OutcomeResponse::from(outcome)))
}

/// Import outcomes from CSV (`email,stop_id,kind,occurred_on`, header on line 1; `,` or `;`).
/// Good lines are kept, each bad one is reported with its line number.
#[utoipa::path(
    post, path = "/api/v1/outcomes/import", tag = "outcomes",
    request_body(content = inline(OutcomesFile), content_type = "text/csv",
        description = "UTF-8 text (a byte-order mark is skipped) whose first line is the header `email,stop_id,kind,occurred_on` (or with `;`).",
        example = "email,stop_id,kind,occurred_on\nclaire.dupont@example.fr,STOP_ID,certification_started,2026-11-02\n"),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ImportReport),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "not sent as `text/csv` (or `text/plain`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the first line is not the header: nothing was read", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_outcomes(
    req: HttpRequest,
    state: web::Data<AppState>,
    marketing: ApiUser<ReadAnalytics>,
    body: ApiBytes,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(content_type.starts_with("text/csv") || content_type.starts_with("text/plain")) {
        return Err(AppError::UnsupportedMediaType(
            "send the file with Content-Type: text/csv".into(),
        ));
    }
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        AppError::BadRequest(format!(
            "the file is not UTF-8 (byte {}): save it as \"CSV UTF-8\"",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let actor = Actor::from(&marketing.user);
    let report = service::import_outcomes(&state.pool, text, actor).await?;
    // A file without its header was not read at all: the request is wrong, not some lines.
    if let [only] = report.errors.as_slice()
        && only.line == 1
        && report.imported == 0
    {
        return Err(AppError::invalid("header", only.message.clone()));
    }
    tracing::info!(
        imported = report.imported,
        rejected = report.errors.len(),
        "outcomes imported"
    );
    Ok(HttpResponse::Ok().json(report))
}

/// An attendee's outcomes.
#[utoipa::path(
    tag = "outcomes",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<OutcomeResponse>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/registrations/{registration_id}/outcomes")]
pub async fn list_outcomes(
    state: web::Data<AppState>,
    _marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let list = db::run(&state.pool, move |conn| {
        crate::registrations::store::find_registration(conn, &id)?
            .ok_or(AppError::NotFound("registration"))?;
        Ok(store::list_for_registration(conn, &id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(OutcomeResponse::from)
            .collect::<Vec<_>>(),
    ))
}

/// Remove an outcome recorded by mistake.
#[utoipa::path(
    tag = "outcomes",
    security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api/v1/outcomes/{id}")]
pub async fn delete_outcome(
    state: web::Data<AppState>,
    marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = Actor::from(&marketing.user);
    service::delete_outcome(&state.pool, path.into_inner(), actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
