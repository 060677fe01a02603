//! Admin pages to set a tour up: tours, stops, workshops. Forms post, then redirect (303);
//! invalid input comes back with every value kept and each error beside its field.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;

use super::domain::{
    NewStop, NewTour, NewWorkshop, RawStop, RawTarget, RawTour, RawWorkshop, TimeInput,
};
use super::service::{self, Effects, StopView, TourView};
use super::store::Tour;
use crate::audit::Actor;
use crate::auth::PageUser;
use crate::auth::policy::ManageSetup;
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::{display_date, display_time, to_local_input};
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, round_trip};

mod stops;
mod tours;
mod workshops;

use stops::*;
use tours::*;
use workshops::*;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(admin_home)
        .service(new_tour)
        .service(create_tour)
        .service(show_tour)
        .service(edit_tour)
        .service(update_tour)
        .service(delete_tour)
        .service(delete_stop)
        .service(delete_workshop)
        .service(new_stop)
        .service(create_stop)
        .service(show_stop)
        .service(edit_stop)
        .service(update_stop)
        .service(new_workshop)
        .service(create_workshop)
        .service(edit_workshop)
        .service(update_workshop);
}

type Form = CsrfForm<BTreeMap<String, String>>;

/// Page context of a signed-in admin.
pub(super) fn context(req: &HttpRequest, admin: PageUser<ManageSetup>) -> PageContext {
    PageContext::anonymous(req).with_user(Some(admin.user))
}

pub(super) fn page(
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

#[get("/")]
async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
) -> Result<HttpResponse, PageError> {
    let tours = db::run(&state.pool, service::list_tours)
        .await
        .map_err(|e| PageError::new(&req, e))?
        .into_iter()
        .filter(Tour::is_public)
        .collect();
    page(&req, StatusCode::OK, &HomePage { ctx, tours })
}

/// Saves what a set-up form holds: parsed first, then changed through the set-up use case.
pub(super) async fn save<N, T>(
    state: &AppState,
    actor: Actor,
    parsed: Result<N, AppError>,
    change: impl FnOnce(&mut DbConnection, N, &mut Effects) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError>
where
    N: Send + 'static,
    T: Send + 'static,
{
    let new = parsed?;
    service::change_setup(&state.pool, &state.events, actor, move |conn, effects| {
        change(conn, new, effects)
    })
    .await
}

pub(super) async fn load_stop(
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

/// Deletes through the set-up use case once the admin ticked "yes, delete"; then `back` to the
/// page above. Refusals (people registered) and a missing tick are error pages saying why.
async fn delete_confirmed<T: Send + 'static>(
    req: &HttpRequest,
    state: &AppState,
    admin: &PageUser<ManageSetup>,
    form: Form,
    delete: impl FnOnce(&mut DbConnection, &mut Effects) -> Result<T, AppError> + Send + 'static,
    back: impl FnOnce(T) -> String,
) -> Result<HttpResponse, PageError> {
    if form.0.get("confirm").map(String::as_str) != Some("yes") {
        let mut errors = crate::error::FieldErrors::new();
        errors.add("confirm", "v.confirm_delete");
        return Err(PageError::new(req, AppError::Invalid(errors)));
    }
    let actor = Actor::from(&admin.user);
    let deleted = service::change_setup(&state.pool, &state.events, actor, delete)
        .await
        .map_err(|e| PageError::new(req, e))?;
    Ok(crate::web::redirect_see_other(&back(deleted)))
}

#[post("/admin/tours/{tour_id}/delete")]
async fn delete_tour(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    delete_confirmed(
        &req,
        &state,
        &admin,
        form,
        move |conn, effects| service::delete_tour(conn, &id, effects),
        |()| format!("/admin?{}", crate::web::UPDATED),
    )
    .await
}

#[post("/admin/stops/{stop_id}/delete")]
async fn delete_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    delete_confirmed(
        &req,
        &state,
        &admin,
        form,
        move |conn, effects| service::delete_stop(conn, &id, effects),
        |tour_id| format!("/admin/tours/{tour_id}?{}", crate::web::UPDATED),
    )
    .await
}

#[post("/admin/workshops/{workshop_id}/delete")]
async fn delete_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    delete_confirmed(
        &req,
        &state,
        &admin,
        form,
        move |conn, effects| service::delete_workshop(conn, &id, effects),
        |stop_id| format!("/admin/stops/{stop_id}?{}", crate::web::UPDATED),
    )
    .await
}
