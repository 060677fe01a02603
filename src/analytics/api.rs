//! The analytics API of API.md "Analytics" (marketing).

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::openapi::fields;

use super::figures::AttendeeFilter;
use super::report::{StopAnalytics, TourAnalytics};
use super::service;
use crate::auth::ApiUser;
use crate::auth::policy::ReadAnalytics;
use crate::error::{AppError, Problem};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(stop_analytics).service(tour_analytics);
}

/// Who is counted; absent or empty means everyone.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AttendeeQuery {
    /// Only attendees of this company size (`1-5`, `6-20`, `21-50`, `51-250`, `250+`).
    #[param(schema_with = fields::company_size_band)]
    pub company_size: Option<String>,
    /// Only this kind of partner (`reseller`, `integrator`, `distributor`, `consultant`, `other`).
    #[param(schema_with = fields::partner_type)]
    pub partner_type: Option<String>,
}

impl AttendeeQuery {
    fn filter(&self) -> Result<AttendeeFilter, AppError> {
        AttendeeFilter::parse(self.company_size.as_deref(), self.partner_type.as_deref())
    }
}

/// A stop's figures: registrations, check-ins, no-shows, workshops, arrivals per quarter hour
/// (local time), feedback and complaints. Rates are null when their denominator is zero.
#[utoipa::path(
    tag = "analytics",
    params(("stop_id" = String, Path), AttendeeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = StopAnalytics),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/analytics/stops/{stop_id}")]
pub async fn stop_analytics(
    state: web::Data<AppState>,
    _marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<AttendeeQuery>,
) -> Result<HttpResponse, AppError> {
    let body = service::cached_stop(&state, path.into_inner(), query.filter()?).await?;
    Ok(HttpResponse::Ok().json(&*body))
}

/// A tour's overview: a row per stop, totals, the funnel registered → checked in → attended a
/// workshop → outcomes, and progress against the tour's targets.
#[utoipa::path(
    tag = "analytics",
    params(("tour_id" = String, Path), AttendeeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TourAnalytics),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api/v1/analytics/tours/{tour_id}")]
pub async fn tour_analytics(
    state: web::Data<AppState>,
    _marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<AttendeeQuery>,
) -> Result<HttpResponse, AppError> {
    let body = service::cached_tour(&state, path.into_inner(), query.filter()?).await?;
    Ok(HttpResponse::Ok().json(&*body))
}
