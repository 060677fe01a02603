//! The feedback API: marketing asks for feedback; attendees answer through their link.

use crate::openapi::fields;
use actix_web::{HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, RawFeedback};
use crate::auth::ApiUser;
use crate::auth::policy::ReadAnalytics;
use crate::db;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(request_feedback)
        .service(submit_feedback)
        .service(stop_summary)
        .service(tour_summary)
        .service(pick_quote);
}

/// How many feedback e-mails were queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackRequestsResponse {
    pub queued: usize,
}

/// Queue one feedback e-mail per checked-in attendee who has none yet (marketing).
#[utoipa::path(
    tag = "feedback", security(("bearer" = [])),
    responses((status = 202, body = FeedbackRequestsResponse), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/stops/{stop_id}/feedback-requests")]
pub async fn request_feedback(
    state: web::Data<AppState>,
    marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    let link_days = state.settings.feedback_days;
    let actor = crate::audit::Actor::from(&marketing.user);
    let queued =
        service::ask_for_feedback(&state.pool, &state.events, stop_id, link_days, actor).await?;
    Ok(HttpResponse::Accepted().json(FeedbackRequestsResponse { queued }))
}

/// An attendee's feedback.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "overall": 4, "trainers": 3, "content": 5, "nps": 8, "themes": ["licensing"],
    "comment": "Le label PME est clair, mais les licences restent compliquées.", "notify_me": true
}))]
pub struct FeedbackRequest {
    #[schema(schema_with = fields::score::<1, 5>)]
    pub overall: Option<i64>,
    #[schema(schema_with = fields::score::<1, 5>)]
    pub trainers: Option<i64>,
    #[schema(schema_with = fields::score::<1, 5>)]
    pub content: Option<i64>,
    /// Would you recommend these events?
    #[schema(schema_with = fields::score::<0, 10>)]
    pub nps: Option<i64>,
    /// Complaint themes, each opening a complaint. Words, checked with the rest of the answer
    /// so that an unknown one is reported under `themes`.
    #[serde(default)]
    #[schema(value_type = Vec<crate::complaints::domain::ComplaintTheme>)]
    pub themes: Vec<String>,
    #[schema(schema_with = fields::lines::<5000>)]
    pub comment: Option<String>,
    /// Tell the attendee by e-mail when the complaints opened are resolved.
    #[serde(default)]
    pub notify_me: bool,
}

/// The recorded feedback and the complaints it opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResponse {
    pub id: String,
    pub complaints: Vec<String>,
}

/// Send feedback through the one-time link (public). A second submission is 409.
#[utoipa::path(
    tag = "feedback", request_body = FeedbackRequest,
    responses((status = 201, body = FeedbackResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already sent, or the link expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/feedback/{token}")]
pub async fn submit_feedback(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<FeedbackRequest>,
) -> Result<HttpResponse, AppError> {
    let registration_id = state
        .badges
        .open_link_token("feedback", &path)
        .ok_or(AppError::NotFound("feedback link"))?;
    let body = body.0;
    let raw = RawFeedback {
        overall: body.overall,
        trainers: body.trainers,
        content: body.content,
        nps: body.nps,
        themes: body.themes,
        comment: body.comment,
        notify_me: body.notify_me,
    };
    let (id, complaints) =
        service::answer_feedback(&state.pool, &state.events, registration_id, raw).await?;
    Ok(HttpResponse::Created().json(FeedbackResponse { id, complaints }))
}

/// The feedback of a stop summed up (marketing): response rate, averages, recommendation score,
/// complaints by theme and status, picked quotes. Rates are 0 and averages null when nobody
/// answered.
#[utoipa::path(
    tag = "feedback", security(("bearer" = [])),
    responses((status = 200, body = super::summary::StopFeedbackSummary), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/stops/{stop_id}/feedback-summary")]
pub async fn stop_summary(
    state: web::Data<AppState>,
    _marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    let summary = db::run(&state.pool, move |conn| {
        super::summary::for_stop(conn, &stop_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// A tour's feedback theme by theme: complaints by theme and status, and the stops they come
/// from (marketing).
#[utoipa::path(
    tag = "feedback", security(("bearer" = [])),
    responses((status = 200, body = super::summary::TourFeedbackSummary), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/tours/{tour_id}/feedback-summary")]
pub async fn tour_summary(
    state: web::Data<AppState>,
    _marketing: ApiUser<ReadAnalytics>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tour_id = path.into_inner();
    let summary = db::run(&state.pool, move |conn| {
        super::summary::for_tour(conn, &tour_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// Whether an answer's comment is a representative quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub selected: bool,
}

/// Pick (or drop) an answer's comment as a representative quote of its stop (marketing).
#[utoipa::path(
    tag = "feedback", request_body = QuoteRequest, security(("bearer" = [])),
    responses((status = 200), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[put("/api/v1/feedback-answers/{feedback_id}/quote")]
pub async fn pick_quote(
    state: web::Data<AppState>,
    marketing: ApiUser<crate::auth::policy::WorkComplaints>,
    path: web::Path<String>,
    body: ApiJson<QuoteRequest>,
) -> Result<HttpResponse, AppError> {
    let selected = body.0.selected;
    let actor = crate::audit::Actor::from(&marketing.user);
    crate::analytics::service::pick_quote(&state, path.into_inner(), selected, actor).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"selected": selected})))
}
