//! The admin pages of a stop: its form, its page with workshops, checkpoints and devices.

use super::*;
use crate::registrations::domain::RegistrationStatus;
use crate::tours::checkpoints::{CheckpointChoice, checkpoint_choices};
use crate::web::UPDATED;
use actix_web::{get, post};
#[derive(Template)]
#[template(path = "admin/stop_form.html")]
pub(super) struct StopFormPage {
    ctx: PageContext,
    form: FormState,
    tour: Tour,
    /// `None` for a new stop.
    stop_id: Option<String>,
    /// Every IANA zone, to choose from rather than to type.
    timezones: Vec<&'static str>,
}

impl StopFormPage {
    fn new(ctx: PageContext, form: FormState, tour: Tour, stop_id: Option<String>) -> Self {
        Self {
            ctx,
            form,
            tour,
            stop_id,
            timezones: crate::time::zone_names(),
        }
    }
}

pub(super) fn stop_from_form(form: &FormState) -> Result<NewStop, AppError> {
    NewStop::parse(
        RawStop {
            city: form.value("city").to_owned(),
            venue: form.value("venue").to_owned(),
            address: form.optional("address"),
            timezone: form.value("timezone").to_owned(),
            starts_at: form.value("starts_at").to_owned(),
            ends_at: form.value("ends_at").to_owned(),
            capacity: form.number("capacity"),
            registration_closes_at: form.optional("registration_closes_at"),
        },
        TimeInput::Local,
    )
}

pub(super) async fn find_tour(
    req: &HttpRequest,
    state: &AppState,
    id: String,
) -> Result<Tour, PageError> {
    db::run(&state.pool, move |conn| {
        Ok(service::tour_view(conn, &id)?.tour)
    })
    .await
    .map_err(|e| PageError::new(req, e))
}

#[get("/admin/tours/{tour_id}/stops/new")]
pub(super) async fn new_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let tour = find_tour(&req, &state, path.into_inner()).await?;
    let form = FormState::from_pairs([("timezone", "Europe/Paris".to_owned())]);
    let ctx = context(&req, admin);
    page(
        &req,
        StatusCode::OK,
        &StopFormPage::new(ctx, form, tour, None),
    )
}

#[post("/admin/tours/{tour_id}/stops")]
pub(super) async fn create_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let tour = find_tour(&req, &state, path.into_inner()).await?;
    let actor = Actor::from(&admin.user);
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let tour_id = tour.id.clone();
    let result = save(
        &state,
        actor,
        stop_from_form(&form),
        move |conn, new, effects| service::create_stop(conn, &tour_id, &new, effects),
    )
    .await;
    let back = format!("/admin/tours/{}?{UPDATED}", tour.id);
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| StopFormPage::new(ctx, form, tour, None),
    )
}

/// A workshop as a row of the stop page.
pub(super) struct WorkshopRow {
    id: String,
    time: String,
    title: String,
    room: String,
    trainer: String,
    capacity: i32,
    seats_left: i64,
    specialist_label: bool,
}

#[derive(Template)]
#[template(path = "admin/stop.html")]
pub(super) struct StopPage {
    ctx: PageContext,
    tour: Tour,
    stop_id: String,
    city: String,
    venue: String,
    address: String,
    date: String,
    hours: String,
    timezone: String,
    capacity: i32,
    seats_left: i64,
    registration_open: bool,
    /// `(confirmed, waitlisted, cancelled)` registrations.
    counts: (i64, i64, i64),
    /// Scanner devices: `(id, name, whose, revoked)`.
    devices: Vec<(String, String, String, bool)>,
    workshops: Vec<WorkshopRow>,
    checkpoints: Vec<CheckpointChoice>,
}

#[get("/admin/stops/{stop_id}")]
pub(super) async fn show_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (view, tour) = load_stop(&req, &state, path.into_inner()).await?;
    let stop_id = view.summary.stop.id.clone();
    let (by_status, devices) = db::run(&state.pool, move |conn| {
        Ok((
            crate::registrations::store::count_by_status(conn, &stop_id)?,
            crate::auth::store::list_devices(conn, &stop_id)?,
        ))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let count = |status: RegistrationStatus| {
        by_status
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let counts = (
        count(RegistrationStatus::Confirmed),
        count(RegistrationStatus::Waitlisted),
        count(RegistrationStatus::Cancelled),
    );
    let ctx = context(&req, admin);
    let tz = view.summary.timezone;
    let s = &view.summary.stop;
    let workshops = view
        .workshops
        .iter()
        .map(|w| WorkshopRow {
            id: w.workshop.id.clone(),
            time: format!(
                "{}–{}",
                display_time(w.workshop.starts_at, tz),
                display_time(w.workshop.ends_at, tz)
            ),
            title: w.workshop.title.clone(),
            room: w.workshop.room.clone(),
            trainer: w.workshop.trainer.clone(),
            capacity: w.workshop.capacity,
            seats_left: w.seats_left,
            specialist_label: w.workshop.specialist_label,
        })
        .collect();
    let checkpoints = checkpoint_choices(&view, crate::time::now(), ctx.tr);
    let page_data = StopPage {
        tour,
        stop_id: s.id.clone(),
        city: s.city.clone(),
        venue: s.venue.clone(),
        address: s.address.clone(),
        date: display_date(s.starts_at, tz, ctx.tr),
        hours: format!(
            "{}–{}",
            display_time(s.starts_at, tz),
            display_time(s.ends_at, tz)
        ),
        timezone: s.timezone.to_string(),
        capacity: s.capacity,
        seats_left: view.summary.seats_left,
        registration_open: view.summary.registration_open,
        counts,
        devices: devices
            .into_iter()
            .map(|d| (d.id, d.name, d.user_name, d.revoked_at.is_some()))
            .collect(),
        workshops,
        checkpoints,
        ctx,
    };
    page(&req, StatusCode::OK, &page_data)
}

#[get("/admin/stops/{stop_id}/edit")]
pub(super) async fn edit_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (view, tour) = load_stop(&req, &state, path.into_inner()).await?;
    let tz = view.summary.timezone;
    let s = view.summary.stop;
    let form = FormState::from_pairs([
        ("city", s.city),
        ("venue", s.venue),
        ("address", s.address),
        ("timezone", s.timezone.into()),
        ("starts_at", to_local_input(s.starts_at, tz)),
        ("ends_at", to_local_input(s.ends_at, tz)),
        ("capacity", s.capacity.to_string()),
        (
            "registration_closes_at",
            s.registration_closes_at
                .map(|t| to_local_input(t, tz))
                .unwrap_or_default(),
        ),
    ]);
    let ctx = context(&req, admin);
    page(
        &req,
        StatusCode::OK,
        &StopFormPage::new(ctx, form, tour, Some(s.id)),
    )
}

#[post("/admin/stops/{stop_id}")]
pub(super) async fn update_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let (view, tour) = load_stop(&req, &state, path.into_inner()).await?;
    let stop_id = view.summary.stop.id;
    let actor = Actor::from(&admin.user);
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let id = stop_id.clone();
    let result = save(
        &state,
        actor,
        stop_from_form(&form),
        move |conn, new, effects| service::update_stop(conn, &id, &new, effects),
    )
    .await;
    let back = format!("/admin/stops/{stop_id}?{UPDATED}");
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| StopFormPage::new(ctx, form, tour, Some(stop_id)),
    )
}
