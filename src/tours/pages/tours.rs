//! The admin pages of a tour: its form, its page with the stops.

use super::*;
use crate::web::UPDATED;
use actix_web::{get, post};
#[derive(Template)]
#[template(path = "admin/index.html")]
pub(super) struct AdminHome {
    ctx: PageContext,
    tours: Vec<Tour>,
}

#[get("/admin")]
pub(super) async fn admin_home(
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
pub(super) struct TourFormPage {
    ctx: PageContext,
    form: FormState,
    /// `None` for a new tour.
    tour_id: Option<String>,
}

pub(super) fn tour_from_form(form: &FormState) -> Result<NewTour, AppError> {
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
        published: form.value("published") == "yes",
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
pub(super) fn slug_taken(error: AppError) -> AppError {
    match error {
        AppError::Conflict(_) => AppError::invalid("slug", "v.slug_taken"),
        other => other,
    }
}

#[get("/admin/tours/new")]
pub(super) async fn new_tour(
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

#[post("/admin/tours")]
pub(super) async fn create_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let actor = Actor::from(&admin.user);
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let result = save(
        &state,
        actor,
        tour_from_form(&form),
        |conn, new, effects| service::create_tour(conn, &new, effects),
    )
    .await;
    round_trip(
        &req,
        form,
        ctx.tr,
        result.map_err(slug_taken),
        |view| format!("/admin/tours/{}?{UPDATED}", view.tour.id),
        |form| TourFormPage {
            ctx,
            form,
            tour_id: None,
        },
    )
}

/// A stop as a row of the tour page.
pub(super) struct StopRow {
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
pub(super) struct TourPage {
    ctx: PageContext,
    tour: Tour,
    target: Option<i32>,
    stops: Vec<StopRow>,
}

pub(super) fn stop_rows(view: &TourView, locale: Locale) -> Vec<StopRow> {
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

#[get("/admin/tours/{tour_id}")]
pub(super) async fn show_tour(
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

#[get("/admin/tours/{tour_id}/edit")]
pub(super) async fn edit_tour(
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
        (
            "published",
            if view.tour.is_public() { "yes" } else { "" }.to_owned(),
        ),
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

#[post("/admin/tours/{tour_id}")]
pub(super) async fn update_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let actor = Actor::from(&admin.user);
    let ctx = context(&req, admin);
    let form = FormState::new(form.0);
    let tour_id = id.clone();
    let result = save(
        &state,
        actor,
        tour_from_form(&form),
        move |conn, mut new, effects| {
            // Targets other than the one on the form are kept.
            let current = service::tour_view(conn, &tour_id)?;
            for t in current
                .targets
                .iter()
                .filter(|t| t.outcome != "certification_started")
            {
                new.targets.push((t.outcome.clone(), t.value));
            }
            service::update_tour(conn, &tour_id, &new, effects)
        },
    )
    .await;
    round_trip(
        &req,
        form,
        ctx.tr,
        result.map_err(slug_taken),
        |view| format!("/admin/tours/{}?{UPDATED}", view.tour.id),
        |form| TourFormPage {
            ctx,
            form,
            tour_id: Some(id),
        },
    )
}
