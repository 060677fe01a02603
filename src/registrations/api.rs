//! The public registration API: register, the manage link, badges as QR codes.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{RawRegistration, RegistrationStatus};
use super::messages::manage_url;
use super::service::{self, RegistrationView, Source};
use crate::auth::ApiUser;
use crate::auth::policy::ContactAttendees;
use crate::badge;
use crate::db;
use crate::error::{AppError, Problem};
use crate::openapi::fields;
use crate::state::AppState;
use crate::time::in_zone;
use crate::web::ApiJson;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_registration)
        .service(resend_confirmation)
        .service(get_registration)
        .service(change_workshops)
        .service(cancel_registration)
        .service(badge_svg)
        .service(badge_png)
        .service(remind_stop);
}

/// How many reminders were queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemindersQueued {
    pub queued: usize,
}

/// Send the reminder now to every confirmed attendee of the stop (marketing), to announce a
/// change of room or programme: their badge, programme, address and manage link again. It
/// leaves at once and does not replace the reminders due days before.
#[utoipa::path(
    tag = "registration",
    security(("bearer" = [])),
    responses((status = 202, body = RemindersQueued))
)]
#[post("/api/v1/stops/{stop_id}/reminders")]
pub async fn remind_stop(
    state: web::Data<AppState>,
    marketing: ApiUser<ContactAttendees>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let actor = crate::audit::Actor::from(&marketing.user);
    let queued =
        super::reminders::remind_stop(&state.pool, &state.events, path.into_inner(), actor).await?;
    Ok(HttpResponse::Accepted().json(RemindersQueued { queued }))
}

/// A registration to a stop and its workshops.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "first_name": "Claire", "last_name": "Martin", "email": "claire.martin@example.fr",
    "company": "Alsace Informatique", "company_size": 12, "partner_type": "reseller",
    "consent": true, "workshops": []
}))]
pub struct RegistrationRequest {
    #[schema(schema_with = fields::name::<100>)]
    pub first_name: String,
    #[schema(schema_with = fields::name::<100>)]
    pub last_name: String,
    #[schema(schema_with = fields::email)]
    pub email: String,
    #[schema(schema_with = fields::name::<200>)]
    pub company: String,
    #[schema(schema_with = fields::line::<200>)]
    pub job_title: Option<String>,
    /// The attendee's company: its number of employees, which the server bands, or one of
    /// `1-5`, `6-20`, `21-50`, `51-250`, `250+`.
    #[serde(default, deserialize_with = "company_size")]
    #[schema(schema_with = fields::company_size)]
    pub company_size: Option<String>,
    #[schema(schema_with = fields::line::<50>)]
    pub partner_id: Option<String>,
    /// One of `reseller`, `integrator`, `distributor`, `consultant`, `other`.
    #[schema(schema_with = fields::partner_type)]
    pub partner_type: Option<String>,
    /// `fr` or `en`; defaults to the tour's language.
    #[schema(schema_with = fields::locale)]
    pub locale: Option<String>,
    /// Must be `true`: the attendee agrees to the use of their data for this event.
    #[schema(schema_with = fields::consent, required = true)]
    pub consent: Option<bool>,
    /// Workshop ids of this stop; no two may overlap in time.
    #[serde(default)]
    #[schema(schema_with = fields::ids::<32>)]
    pub workshops: Vec<String>,
}

/// A company size as clients send it: a number of employees, banded here, or a band (checked
/// with the other fields).
fn company_size<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(band)) => Ok(Some(band)),
        Some(serde_json::Value::Number(n)) => crate::web::whole_number(&n)
            .and_then(super::domain::company_size_band)
            .map(|band| Some(band.to_owned()))
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "a number of employees is a whole number from 1 to {}",
                    super::domain::MAX_HEADCOUNT
                ))
            }),
        Some(_) => Err(D::Error::custom(
            "expected a number of employees or a band such as 6-20",
        )),
    }
}

/// A workshop of a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentResponse {
    pub workshop_id: String,
    pub title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// `confirmed` or `waitlisted`.
    pub status: RegistrationStatus,
}

/// The badge of a registration: its token is exactly what the QR code encodes.
#[derive(Debug, Serialize, ToSchema)]
pub struct BadgeResponse {
    pub token: String,
    pub qr_svg_url: String,
    pub qr_png_url: String,
}

/// A registration, as its attendee sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationResponse {
    pub id: String,
    pub stop_id: String,
    /// `confirmed`, `waitlisted` or `cancelled`.
    pub status: RegistrationStatus,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub job_title: String,
    pub company_size: String,
    pub partner_id: String,
    pub partner_type: String,
    pub locale: String,
    pub created_at: DateTime<FixedOffset>,
    pub workshops: Vec<EnrolmentResponse>,
    pub badge: BadgeResponse,
    pub manage_url: String,
}

/// Builds the answer for a registration.
pub fn registration_response(
    state: &AppState,
    view: RegistrationView,
) -> Result<RegistrationResponse, AppError> {
    let tz = view.timezone;
    let r = view.registration;
    let token = state.badges.sign(&r.stop_id, &r.id)?;
    Ok(RegistrationResponse {
        manage_url: manage_url(&state.settings, &state.badges, &r.id),
        badge: BadgeResponse {
            qr_svg_url: state
                .settings
                .url(&format!("/api/v1/badges/{token}/qr.svg")),
            qr_png_url: state
                .settings
                .url(&format!("/api/v1/badges/{token}/qr.png")),
            token,
        },
        workshops: view
            .workshops
            .into_iter()
            .map(|w| EnrolmentResponse {
                workshop_id: w.workshop.id,
                title: w.workshop.title,
                starts_at: in_zone(w.workshop.starts_at, tz),
                ends_at: in_zone(w.workshop.ends_at, tz),
                status: w.status,
            })
            .collect(),
        created_at: in_zone(r.created_at, tz),
        id: r.id.into(),
        stop_id: r.stop_id.into(),
        status: r.status,
        first_name: r.first_name,
        last_name: r.last_name,
        email: r.email,
        company: r.company,
        job_title: r.job_title,
        company_size: r.company_size,
        partner_id: r.partner_id,
        partner_type: r.partner_type,
        locale: r.locale,
    })
}

impl From<RegistrationRequest> for RawRegistration {
    fn from(body: RegistrationRequest) -> Self {
        Self {
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            company: body.company,
            job_title: body.job_title,
            company_size: body.company_size,
            partner_id: body.partner_id,
            partner_type: body.partner_type,
            locale: body.locale,
            consent: body.consent,
            workshops: body.workshops,
        }
    }
}

/// Register for a stop and its workshops (public). `confirmed`, or `waitlisted` when the stop
/// (or a workshop) is full; seats are never overbooked. A confirmation e-mail is queued in the
/// same transaction.
#[utoipa::path(
    tag = "registration",
    request_body = RegistrationRequest,
    responses(
        (status = 201, body = RegistrationResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already registered with this e-mail, registration closed, or the stop is over", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/api/v1/stops/{stop_id}/registrations")]
pub async fn create_registration(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<RegistrationRequest>,
) -> Result<HttpResponse, AppError> {
    let view = service::register_attendee(
        &state.registrar,
        &state.events,
        path.into_inner(),
        body.0.into(),
        Source::Online,
    )
    .await?;
    Ok(HttpResponse::Created().json(registration_response(&state, view)?))
}

/// Who asks for their confirmation again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    #[schema(schema_with = fields::email)]
    pub email: String,
}

/// Send the confirmation e-mail again (public). Always 202, whether or not the address is
/// registered, so that addresses cannot be probed.
#[utoipa::path(
    tag = "registration",
    request_body = ResendRequest,
    responses((status = 202, description = "queued if registered"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[post("/api/v1/stops/{stop_id}/registrations/resend")]
pub async fn resend_confirmation(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ResendRequest>,
) -> Result<HttpResponse, AppError> {
    let stop_id = path.into_inner();
    // Not an address at all is the client's mistake; an unknown one is answered like a known
    // one, so that the answer tells nobody who registered.
    let email = crate::validation::EmailAddress::parse(&body.0.email)
        .ok_or_else(|| AppError::invalid("email", "v.email"))?
        .to_string();
    service::resend_confirmation(&state.pool, &state.events, stop_id, email).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"status": "queued if registered"})))
}

/// The registration behind a manage token, or 404.
pub fn registration_of(state: &AppState, token: &str) -> Result<String, AppError> {
    state
        .badges
        .open_link_token("manage", token)
        .ok_or(AppError::NotFound("registration"))
}

/// The registration of a manage link (public, by its token).
#[utoipa::path(
    tag = "registration",
    responses((status = 200, body = RegistrationResponse), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/api/v1/manage/{token}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = registration_of(&state, &path)?;
    let view = db::run(&state.pool, move |conn| {
        service::registration_view(conn, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(registration_response(&state, view)?))
}

/// The new choice of workshops.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeWorkshopsRequest {
    /// Workshop ids of the registration's stop; no two may overlap in time.
    #[schema(schema_with = fields::ids::<32>)]
    pub workshops: Vec<String>,
}

/// Change the workshops of a registration. Dropped seats go to the next person waiting.
#[utoipa::path(
    tag = "registration", request_body = ChangeWorkshopsRequest,
    responses((status = 200, body = RegistrationResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "cancelled, or the stop is over", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[patch("/api/v1/manage/{token}")]
pub async fn change_workshops(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<ChangeWorkshopsRequest>,
) -> Result<HttpResponse, AppError> {
    let id = registration_of(&state, &path)?;
    let mut errors = crate::error::FieldErrors::new();
    let workshops = crate::registrations::domain::workshop_choice(&mut errors, body.0.workshops);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let view =
        service::change_attendee_workshops(&state.pool, &state.events, id, workshops).await?;
    Ok(HttpResponse::Ok().json(registration_response(&state, view)?))
}

/// Cancel a registration: its seats are freed and the first person waiting is promoted and
/// told by e-mail. Cancelling twice is harmless.
#[utoipa::path(
    tag = "registration",
    responses((status = 200, body = RegistrationResponse), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the stop is over, or the registration changed meanwhile", body = Problem, content_type = "application/problem+json"))
)]
#[delete("/api/v1/manage/{token}")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = registration_of(&state, &path)?;
    let view = service::cancel_registration(&state.pool, &state.events, id).await?;
    Ok(HttpResponse::Ok().json(registration_response(&state, view)?))
}

fn verified(state: &AppState, token: &str) -> Result<(), AppError> {
    state
        .badges
        .verify(token)
        .map(|_| ())
        .ok_or(AppError::NotFound("badge"))
}

/// The badge's QR code as SVG; it decodes to exactly the token.
#[utoipa::path(
    tag = "registration",
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/badges/{token}/qr.svg")]
pub async fn badge_svg(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    verified(&state, &path)?;
    let token = path.into_inner();
    let svg = web::block(move || badge::qr_svg(&token))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))??;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        // The token is what the door accepts: kept by no cache.
        .insert_header(("Cache-Control", "no-store"))
        .body(svg))
}

/// The badge's QR code as PNG.
#[utoipa::path(
    tag = "registration",
    responses((status = 200, content_type = "image/png"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/badges/{token}/qr.png")]
pub async fn badge_png(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    verified(&state, &path)?;
    let token = path.into_inner();
    let png = web::block(move || badge::qr_png(&token))
        .await
        .map_err(|e| AppError::Unexpected(e.into()))??;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        // The token is what the door accepts: kept by no cache.
        .insert_header(("Cache-Control", "no-store"))
        .body(png))
}
