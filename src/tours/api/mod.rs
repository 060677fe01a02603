//! JSON API for tours, stops and workshops: admin set-up and the public reads.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, TimeInput,
};
use super::service::{self, StopSummary, StopView, TourView, WorkshopView};
use super::store::Checkpoint;
use crate::audit::Actor;
use crate::auth::ApiUser;
use crate::auth::policy::ManageSetup;
use crate::db;
use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::time::in_zone;
use crate::web::ApiJson;

mod shapes;
pub use shapes::*;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_tours)
        .service(create_tour)
        .service(get_tour)
        .service(update_tour)
        .service(delete_tour)
        .service(create_stop)
        .service(get_stop)
        .service(update_stop)
        .service(delete_stop)
        .service(create_workshop)
        .service(update_workshop)
        .service(delete_workshop);
}

// ---- handlers ----

/// All tours (public).
#[utoipa::path(
    tag = "setup", responses((status = 200, body = [TourListItem])))]
#[get("/api/v1/tours")]
pub async fn list_tours(
    state: web::Data<AppState>,
    admin: Option<ApiUser<ManageSetup>>,
) -> Result<HttpResponse, AppError> {
    let tours = db::run(&state.pool, service::list_tours).await?;
    let items: Vec<TourListItem> = tours
        .into_iter()
        // Drafts are the admins' own.
        .filter(|t| admin.is_some() || t.is_public())
        .map(|t| TourListItem {
            id: t.id,
            slug: t.slug,
            name: t.name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Create a tour (admin).
#[utoipa::path(
    tag = "setup", request_body = CreateTourRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = TourResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "slug already used", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/tours")]
pub async fn create_tour(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    body: ApiJson<CreateTourRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.0;
    let new = NewTour::try_from(RawTour {
        name: body.name,
        slug: body.slug,
        description: body.description,
        default_locale: body.default_locale,
        targets: raw_targets(body.targets.unwrap_or_default()),
        published: !body.draft.unwrap_or(false),
    })?;
    let view = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| service::create_tour(conn, &new, effects),
    )
    .await?;
    tracing::info!(tour_id = %view.tour.id, "tour created");
    Ok(HttpResponse::Created().json(TourResponse::from(view)))
}

/// A tour with its stops, by id or slug (public).
#[utoipa::path(
    tag = "setup",
    params(("tour_id" = String, Path, description = "the tour's id or slug")),
    responses((status = 200, body = TourResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/tours/{tour_id}")]
pub async fn get_tour(
    state: web::Data<AppState>,
    admin: Option<ApiUser<ManageSetup>>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| match admin {
        Some(_) => service::tour_view(conn, &id),
        None => service::public_tour_view(conn, &id),
    })
    .await?;
    Ok(HttpResponse::Ok().json(TourResponse::from(view)))
}

/// Change a tour (admin).
#[utoipa::path(
    tag = "setup", request_body = UpdateTourRequest,
    security(("bearer" = [])),
    responses((status = 200, body = TourResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[patch("/api/v1/tours/{tour_id}")]
pub async fn update_tour(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
    body: ApiJson<UpdateTourRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let body = body.0;
    let view = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| {
            let current = service::tour_view(conn, &id)?;
            let new = NewTour::try_from(RawTour {
                name: body.name.unwrap_or(current.tour.name),
                slug: Some(body.slug.unwrap_or(current.tour.slug)),
                description: Some(body.description.unwrap_or(current.tour.description)),
                default_locale: Some(body.default_locale.unwrap_or(current.tour.default_locale)),
                published: body
                    .published
                    .unwrap_or(current.tour.published_at.is_some()),
                targets: match body.targets {
                    Some(t) => raw_targets(t),
                    None => current
                        .targets
                        .into_iter()
                        .map(|t| RawTarget {
                            outcome: t.outcome,
                            value: i64::from(t.value),
                        })
                        .collect(),
                },
            })?;
            service::update_tour(conn, &current.tour.id, &new, effects)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(TourResponse::from(view)))
}

/// Add a stop to a tour (admin). The stop gets its entrance checkpoint.
#[utoipa::path(
    tag = "setup", request_body = CreateStopRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = StopResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/tours/{tour_id}/stops")]
pub async fn create_stop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
    body: ApiJson<CreateStopRequest>,
) -> Result<HttpResponse, AppError> {
    let tour_id = path.into_inner();
    let body = body.0;
    let raw = RawStop {
        city: body.city,
        venue: body.venue,
        address: body.address,
        timezone: body.timezone,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        capacity: Some(body.capacity),
        registration_closes_at: body.registration_closes_at,
    };
    let view = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| {
            // 404 for an unknown tour comes before field errors.
            service::tour_view(conn, &tour_id)?;
            let new = NewStop::parse(raw, TimeInput::Rfc3339)?;
            service::create_stop(conn, &tour_id, &new, effects)
        },
    )
    .await?;
    tracing::info!(stop_id = %view.summary.stop.id, "stop created");
    Ok(HttpResponse::Created().json(StopResponse::from(view)))
}

/// A stop with its workshops (with seats left), whether registration is open, and its
/// checkpoints (public).
#[utoipa::path(
    tag = "setup",
    responses((status = 200, body = StopResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/stops/{stop_id}")]
pub async fn get_stop(
    state: web::Data<AppState>,
    admin: Option<ApiUser<ManageSetup>>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| match admin {
        Some(_) => service::stop_view(conn, &id),
        None => service::public_stop_view(conn, &id),
    })
    .await?;
    Ok(HttpResponse::Ok().json(StopResponse::from(view)))
}

/// Change a stop (admin).
#[utoipa::path(
    tag = "setup", request_body = UpdateStopRequest,
    security(("bearer" = [])),
    responses((status = 200, body = StopResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[patch("/api/v1/stops/{stop_id}")]
pub async fn update_stop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
    body: ApiJson<UpdateStopRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let body = body.0;
    let view = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| {
            let current = service::stop_view(conn, &id)?;
            let s = StopSummaryResponse::from(current.summary);
            let raw = RawStop {
                city: body.city.unwrap_or(s.city),
                venue: body.venue.unwrap_or(s.venue),
                address: Some(body.address.unwrap_or(s.address)),
                timezone: body.timezone.unwrap_or(s.timezone),
                starts_at: body.starts_at.unwrap_or_else(|| s.starts_at.to_rfc3339()),
                ends_at: body.ends_at.unwrap_or_else(|| s.ends_at.to_rfc3339()),
                capacity: Some(body.capacity.unwrap_or(i64::from(s.capacity))),
                registration_closes_at: body
                    .registration_closes_at
                    .or_else(|| s.registration_closes_at.map(|t| t.to_rfc3339())),
            };
            let new = NewStop::parse(raw, TimeInput::Rfc3339)?;
            service::update_stop(conn, &id, &new, effects)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(StopResponse::from(view)))
}

/// Add a workshop to a stop (admin). The workshop gets its checkpoint.
#[utoipa::path(
    tag = "setup", request_body = CreateWorkshopRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = WorkshopResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/stops/{stop_id}/workshops")]
pub async fn create_workshop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
    body: ApiJson<CreateWorkshopRequest>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    let body = body.0;
    let raw = RawWorkshop {
        title: body.title,
        room: body.room,
        trainer: body.trainer,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        capacity: Some(body.capacity),
        specialist_label: body.specialist_label,
    };
    let (view, tz) = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| {
            let window = service::stop_window(conn, &stop_id)?;
            let new = NewWorkshop::parse(raw, window, TimeInput::Rfc3339)?;
            Ok((
                service::create_workshop(conn, &stop_id, &new, effects)?,
                window.timezone,
            ))
        },
    )
    .await?;
    tracing::info!(workshop_id = %view.workshop.id, "workshop created");
    Ok(HttpResponse::Created().json(workshop_response(view, tz)))
}

/// Change a workshop (admin).
#[utoipa::path(
    tag = "setup", request_body = UpdateWorkshopRequest,
    security(("bearer" = [])),
    responses((status = 200, body = WorkshopResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the capacity asked is below the seats already taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[patch("/api/v1/workshops/{workshop_id}")]
pub async fn update_workshop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
    body: ApiJson<UpdateWorkshopRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let body = body.0;
    let (view, tz) = service::change_setup(
        &state.pool,
        &state.events,
        Actor::from(&admin.user),
        move |conn, effects| {
            let current = service::find_workshop(conn, &id)?;
            let window = service::stop_window(conn, &current.stop_id)?;
            let tz = window.timezone;
            let raw = RawWorkshop {
                title: body.title.unwrap_or(current.title),
                room: Some(body.room.unwrap_or(current.room)),
                trainer: Some(body.trainer.unwrap_or(current.trainer)),
                starts_at: body
                    .starts_at
                    .unwrap_or_else(|| in_zone(current.starts_at, tz).to_rfc3339()),
                ends_at: body
                    .ends_at
                    .unwrap_or_else(|| in_zone(current.ends_at, tz).to_rfc3339()),
                capacity: Some(body.capacity.unwrap_or(i64::from(current.capacity))),
                specialist_label: body.specialist_label.unwrap_or(current.specialist_label),
            };
            let new = NewWorkshop::parse(raw, window, TimeInput::Rfc3339)?;
            Ok((service::update_workshop(conn, &id, &new, effects)?, tz))
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(workshop_response(view, tz)))
}

/// Delete a tour set up by mistake (admin): 204; 409 once any of its stops has registrations or
/// complaints.
#[utoipa::path(
    tag = "setup", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/api/v1/tours/{tour_id}")]
pub async fn delete_tour(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    delete_setup(&state, &admin, move |conn, effects| {
        service::delete_tour(conn, &id, effects)
    })
    .await
}

/// Delete a stop set up by mistake (admin): 204; 409 once it has registrations or complaints.
#[utoipa::path(
    tag = "setup", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/api/v1/stops/{stop_id}")]
pub async fn delete_stop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    delete_setup(&state, &admin, move |conn, effects| {
        service::delete_stop(conn, &id, effects)
    })
    .await
}

/// Delete a workshop set up by mistake (admin): 204; 409 once anyone chose it or was scanned
/// at it.
#[utoipa::path(
    tag = "setup", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/api/v1/workshops/{workshop_id}")]
pub async fn delete_workshop(
    state: web::Data<AppState>,
    admin: ApiUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    delete_setup(&state, &admin, move |conn, effects| {
        service::delete_workshop(conn, &id, effects)
    })
    .await
}

/// A deletion through the set-up use case: 204 once done.
async fn delete_setup<T: Send + 'static>(
    state: &AppState,
    admin: &ApiUser<ManageSetup>,
    delete: impl FnOnce(&mut db::DbConnection, &mut service::Effects) -> Result<T, AppError>
    + Send
    + 'static,
) -> Result<HttpResponse, AppError> {
    service::change_setup(&state.pool, &state.events, Actor::from(&admin.user), delete).await?;
    Ok(HttpResponse::NoContent().finish())
}
