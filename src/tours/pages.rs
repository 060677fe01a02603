//! Admin pages to set a tour up: tours, stops, workshops. Forms post, then redirect (303);
//! invalid input comes back with every value kept and each error beside its field.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, TimeInput,
};
use super::service::{self, StopView, TourView};
use super::store::Tour;
use crate::auth::PageUser;
use crate::auth::policy::ManageSetup;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::{display_date, display_time, to_local_input};
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, round_trip};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/admin", web::get().to(admin_home))
        .route("/admin/tours/new", web::get().to(new_tour))
        .route("/admin/tours", web::post().to(create_tour))
        .route("/admin/tours/{tour_id}", web::get().to(show_tour))
        .route("/admin/tours/{tour_id}/edit", web::get().to(edit_tour))
        .route("/admin/tours/{tour_id}", web::post().to(update_tour))
        .route("/admin/tours/{tour_id}/stops/new", web::get().to(new_stop))
        .route("/admin/tours/{tour_id}/stops", web::post().to(create_stop))
        .route("/admin/stops/{stop_id}", web::get().to(show_stop))
        .route("/admin/stops/{stop_id}/edit", web::get().to(edit_stop))
        .route("/admin/stops/{stop_id}", web::post().to(update_stop))
        .route(
            "/admin/stops/{stop_id}/workshops/new",
            web::get().to(new_workshop),
        )
        .route(
            "/admin/stops/{stop_id}/workshops",
            web::post().to(create_workshop),
        )
        .route(
            "/admin/workshops/{workshop_id}/edit",
            web::get().to(edit_workshop),
        )
        .route(
            "/admin/workshops/{workshop_id}",
            web::post().to(update_workshop),
        );
}

type Form = CsrfForm<BTreeMap<String, String>>;

/// Page context of a signed-in admin.
fn context(req: &HttpRequest, admin: PageUser<ManageSetup>) -> PageContext {
    PageContext::anonymous(req).with_user(Some(admin.user))
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    html(status, template).map_err(|e| PageError::new(req, e))
}

// ---- public home ----

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageContext,
    tours: Vec<Tour>,
}

async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
) -> Result<HttpResponse, PageError> {
    let tours = db::run(&state.pool, service::list_tours)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    page(&req, StatusCode::OK, &HomePage { ctx, tours })
}

// ---- tours ----

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminHome {
    ctx: PageContext,
    tours: Vec<Tour>,
}

async fn admin_home(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
) -> Result<HttpResponse, PageError> {
    let tours = db::run(&state.pool, service::list_tours)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    page(
        &req,
        StatusCode::OK,
        &AdminHome {
            ctx: context(&req, admin),
            tours,
        },
    )
}

#[derive(Template)]
#[template(path = "admin/tour_form.html")]
struct TourFormPage {
    ctx: PageContext,
    form: FormState,
    /// `None` for a new tour.
    tour_id: Option<String>,
}

fn tour_from_form(form: &FormState) -> Result<NewTour, AppError> {
    let targets = match form.number("target_certifications") {
        Some(value) => vec![RawTarget {
            outcome: "certification_started".into(),
            value,
        }],
        None => Vec::new(),
    };
    NewTour::try_from(RawTour {
        name: form.value("name").to_owned(),
        slug: form.optional("slug"),
        description: form.optional("description"),
        default_locale: form.optional("default_locale"),
        targets,
    })
    .map_err(|e| match e {
        // The page has one target field; point its errors there.
        AppError::Invalid(errors) => {
            let mut mapped = crate::error::FieldErrors::new();
            for (field, message) in errors.iter() {
                let field = if field.starts_with("targets") {
                    "target_certifications"
                } else {
                    field
                };
                mapped.add(field, message.clone());
            }
            AppError::Invalid(mapped)
        }
        other => other,
    })
}

/// A slug conflict belongs beside the slug field on the page.
/// A taken slug is the only conflict a tour form meets: shown beside the slug.
fn slug_taken(error: AppError) -> AppError {
    match error {
        AppError::Conflict(_) => AppError::invalid("slug", "v.slug_taken"),
        other => other,
    }
}

/// Saves what a set-up form holds: parsed first, then changed through the set-up use case.
async fn save<N, T>(
    state: &AppState,
    parsed: Result<N, AppError>,
    change: impl FnOnce(&mut DbConnection, N) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError>
where
    N: Send + 'static,
    T: Send + 'static,
{
    let new = parsed?;
    service::change_setup(&state.pool, &state.events, move |conn| change(conn, new)).await
}

async fn new_tour(
    req: HttpRequest,
    admin: PageUser<ManageSetup>,
) -> Result<HttpResponse, PageError> {
    let form = FormState::from_pairs([("default_locale", "fr".to_owned())]);
    let ctx = context(&req, admin);
    page(
        &req,
        StatusCode::OK,
        &TourFormPage {
            ctx,
            form,
            tour_id: None,
        },
    )
}

async fn create_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let result = save(&state, tour_from_form(&form), |conn, new| {
        service::create_tour(conn, &new)
    })
    .await;
    round_trip(
        &req,
        form,
        ctx.tr,
        result.map_err(slug_taken),
        |view| format!("/admin/tours/{}", view.tour.id),
        |form| TourFormPage {
            ctx,
            form,
            tour_id: None,
        },
    )
}

/// A stop as a row of the tour page.
struct StopRow {
    id: String,
    date: String,
    city: String,
    venue: String,
    capacity: i32,
    seats_left: i64,
    registration_open: bool,
}

#[derive(Template)]
#[template(path = "admin/tour.html")]
struct TourPage {
    ctx: PageContext,
    tour: Tour,
    target: Option<i32>,
    stops: Vec<StopRow>,
}

fn stop_rows(view: &TourView, locale: Locale) -> Vec<StopRow> {
    view.stops
        .iter()
        .map(|s| StopRow {
            id: s.stop.id.clone(),
            date: display_date(s.stop.starts_at, s.timezone, locale),
            city: s.stop.city.clone(),
            venue: s.stop.venue.clone(),
            capacity: s.stop.capacity,
            seats_left: s.seats_left,
            registration_open: s.registration_open,
        })
        .collect()
}

async fn show_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| service::tour_view(conn, &id))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let ctx = context(&req, admin);
    let stops = stop_rows(&view, ctx.tr);
    let target = view
        .targets
        .iter()
        .find(|t| t.outcome == "certification_started")
        .map(|t| t.value);
    page(
        &req,
        StatusCode::OK,
        &TourPage {
            ctx,
            tour: view.tour,
            target,
            stops,
        },
    )
}

async fn edit_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let view = db::run(&state.pool, move |conn| service::tour_view(conn, &id))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let target = view
        .targets
        .iter()
        .find(|t| t.outcome == "certification_started")
        .map(|t| t.value.to_string())
        .unwrap_or_default();
    let form = FormState::from_pairs([
        ("name", view.tour.name.clone()),
        ("slug", view.tour.slug.clone()),
        ("description", view.tour.description.clone()),
        ("default_locale", view.tour.default_locale.clone()),
        ("target_certifications", target),
    ]);
    let ctx = context(&req, admin);
    page(
        &req,
        StatusCode::OK,
        &TourFormPage {
            ctx,
            form,
            tour_id: Some(view.tour.id),
        },
    )
}

async fn update_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let tour_id = id.clone();
    let result = save(&state, tour_from_form(&form), move |conn, mut new| {
        // Targets other than the one on the form are kept.
        let current = service::tour_view(conn, &tour_id)?;
        for t in current
            .targets
            .iter()
            .filter(|t| t.outcome != "certification_started")
        {
            new.targets.push((t.outcome.clone(), t.value));
        }
        service::update_tour(conn, &tour_id, &new)
    })
    .await;
    round_trip(
        &req,
        form,
        ctx.tr,
        result.map_err(slug_taken),
        |view| format!("/admin/tours/{}", view.tour.id),
        |form| TourFormPage {
            ctx,
            form,
            tour_id: Some(id),
        },
    )
}

// ---- stops ----

#[derive(Template)]
#[template(path = "admin/stop_form.html")]
struct StopFormPage {
    ctx: PageContext,
    form: FormState,
    tour: Tour,
    /// `None` for a new stop.
    stop_id: Option<String>,
}

fn stop_from_form(form: &FormState) -> Result<NewStop, AppError> {
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

async fn find_tour(req: &HttpRequest, state: &AppState, id: String) -> Result<Tour, PageError> {
    db::run(&state.pool, move |conn| {
        Ok(service::tour_view(conn, &id)?.tour)
    })
    .await
    .map_err(|e| PageError::new(req, e))
}

async fn new_stop(
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
        &StopFormPage {
            ctx,
            form,
            tour,
            stop_id: None,
        },
    )
}

async fn create_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let tour = find_tour(&req, &state, path.into_inner()).await?;
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let tour_id = tour.id.clone();
    let result = save(&state, stop_from_form(&form), move |conn, new| {
        service::create_stop(conn, &tour_id, &new)
    })
    .await;
    let back = format!("/admin/tours/{}", tour.id);
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| StopFormPage {
            ctx,
            form,
            tour,
            stop_id: None,
        },
    )
}

/// A workshop as a row of the stop page.
struct WorkshopRow {
    id: String,
    time: String,
    title: String,
    room: String,
    trainer: String,
    capacity: i32,
    seats_left: i64,
}

/// A checkpoint as a row of the stop page.
struct CheckpointRow {
    id: String,
    kind: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/stop.html")]
struct StopPage {
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
    checkpoints: Vec<CheckpointRow>,
}

async fn load_stop(
    req: &HttpRequest,
    state: &AppState,
    id: String,
) -> Result<(StopView, Tour), PageError> {
    db::run(&state.pool, move |conn| {
        let view = service::stop_view(conn, &id)?;
        let tour = service::tour_view(conn, &view.summary.stop.tour_id)?.tour;
        Ok((view, tour))
    })
    .await
    .map_err(|e| PageError::new(req, e))
}

async fn show_stop(
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
    let count = |status: &str| {
        by_status
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let counts = (count("confirmed"), count("waitlisted"), count("cancelled"));
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
        })
        .collect();
    let checkpoints = view
        .checkpoints
        .iter()
        .map(|c| CheckpointRow {
            id: c.id.clone(),
            kind: ctx.tr.t(&format!("checkpoint.{}", c.kind)).to_owned(),
            name: c.name.clone(),
        })
        .collect();
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
        timezone: s.timezone.clone(),
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

async fn edit_stop(
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
        ("timezone", s.timezone),
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
        &StopFormPage {
            ctx,
            form,
            tour,
            stop_id: Some(s.id),
        },
    )
}

async fn update_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let (view, tour) = load_stop(&req, &state, path.into_inner()).await?;
    let stop_id = view.summary.stop.id;
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let id = stop_id.clone();
    let result = save(&state, stop_from_form(&form), move |conn, new| {
        service::update_stop(conn, &id, &new)
    })
    .await;
    let back = format!("/admin/stops/{stop_id}");
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| StopFormPage {
            ctx,
            form,
            tour,
            stop_id: Some(stop_id),
        },
    )
}

// ---- workshops ----

#[derive(Template)]
#[template(path = "admin/workshop_form.html")]
struct WorkshopFormPage {
    ctx: PageContext,
    form: FormState,
    stop_id: String,
    stop_city: String,
    /// `None` for a new workshop.
    workshop_id: Option<String>,
}

fn workshop_from_form(form: &FormState, view: &StopView) -> Result<NewWorkshop, AppError> {
    let s = &view.summary;
    NewWorkshop::parse(
        RawWorkshop {
            title: form.value("title").to_owned(),
            room: form.optional("room"),
            trainer: form.optional("trainer"),
            starts_at: form.value("starts_at").to_owned(),
            ends_at: form.value("ends_at").to_owned(),
            capacity: form.number("capacity"),
            specialist_label: form.value("specialist_label") == "on",
        },
        super::domain::StopWindow {
            timezone: s.timezone,
            starts_at: s.stop.starts_at,
            ends_at: s.stop.ends_at,
        },
        TimeInput::Local,
    )
}

async fn new_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (view, _) = load_stop(&req, &state, path.into_inner()).await?;
    let s = view.summary.stop;
    let tz = view.summary.timezone;
    let form = FormState::from_pairs([
        ("starts_at", to_local_input(s.starts_at, tz)),
        (
            "ends_at",
            to_local_input(s.starts_at + chrono::Duration::hours(1), tz),
        ),
    ]);
    let ctx = context(&req, admin);
    let page_data = WorkshopFormPage {
        ctx,
        form,
        stop_id: s.id,
        stop_city: s.city,
        workshop_id: None,
    };
    page(&req, StatusCode::OK, &page_data)
}

async fn create_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let (view, _) = load_stop(&req, &state, path.into_inner()).await?;
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let stop_id = view.summary.stop.id.clone();
    let id = stop_id.clone();
    let result = save(
        &state,
        workshop_from_form(&form, &view),
        move |conn, new| service::create_workshop(conn, &id, &new),
    )
    .await;
    let back = format!("/admin/stops/{stop_id}");
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| WorkshopFormPage {
            ctx,
            form,
            stop_id,
            stop_city: view.summary.stop.city,
            workshop_id: None,
        },
    )
}

async fn edit_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let workshop = db::run(&state.pool, move |conn| service::find_workshop(conn, &id))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let (view, _) = load_stop(&req, &state, workshop.stop_id.clone()).await?;
    let tz = view.summary.timezone;
    let form = FormState::from_pairs([
        ("title", workshop.title),
        ("room", workshop.room),
        ("trainer", workshop.trainer),
        ("starts_at", to_local_input(workshop.starts_at, tz)),
        ("ends_at", to_local_input(workshop.ends_at, tz)),
        ("capacity", workshop.capacity.to_string()),
        (
            "specialist_label",
            if workshop.specialist_label { "on" } else { "" }.to_owned(),
        ),
    ]);
    let ctx = context(&req, admin);
    let page_data = WorkshopFormPage {
        ctx,
        form,
        stop_id: view.summary.stop.id,
        stop_city: view.summary.stop.city,
        workshop_id: Some(workshop.id),
    };
    page(&req, StatusCode::OK, &page_data)
}

async fn update_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let lookup = id.clone();
    let workshop = db::run(&state.pool, move |conn| {
        service::find_workshop(conn, &lookup)
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let (view, _) = load_stop(&req, &state, workshop.stop_id).await?;
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let stop_id = view.summary.stop.id.clone();
    let workshop_id = id.clone();
    let result = save(
        &state,
        workshop_from_form(&form, &view),
        move |conn, new| service::update_workshop(conn, &workshop_id, &new),
    )
    .await;
    let back = format!("/admin/stops/{stop_id}");
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |_| back,
        |form| WorkshopFormPage {
            ctx,
            form,
            stop_id,
            stop_city: view.summary.stop.city,
            workshop_id: Some(id),
        },
    )
}
