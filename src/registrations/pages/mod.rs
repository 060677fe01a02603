//! The pages a reseller uses, phone first and without JavaScript: the tour, a stop's programme,
//! the registration form, and the private manage page with the badge.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::api::registration_of;
use super::domain::RegistrationStatus;
use super::domain::{COMPANY_SIZES, PARTNER_TYPES, RawRegistration};
use super::messages;
use super::service::{self, RegistrationView, Source};
use crate::db;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{self, display_date, display_time};
use crate::tours::service::{StopView, TourView};
use crate::tours::store::Workshop;
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, redirect_see_other};

mod manage;
mod register;

use manage::*;
use register::*;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(tour_page)
        .service(stop_page)
        .service(registration_form)
        .service(submit_registration)
        .service(manage_page)
        .service(submit_workshops)
        .service(submit_cancel)
        .service(ask_erasure)
        .service(badge_page)
        .service(calendar_file);
}

pub(super) fn page(
    req: &HttpRequest,
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    html(status, template).map_err(|e| PageError::new(req, e))
}

// ---- tour ----

pub(super) struct PublicStop {
    id: String,
    city: String,
    venue: String,
    date: String,
    seats_left: i64,
    /// `open`, `full` (waitlist) or `closed`.
    state: &'static str,
}

#[derive(Template)]
#[template(path = "public/tour.html")]
pub(super) struct TourPage {
    ctx: PageContext,
    name: String,
    description: String,
    stops: Vec<PublicStop>,
}

#[get("/tours/{slug}")]
pub(super) async fn tour_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let view: TourView = db::run(&state.pool, move |conn| {
        crate::tours::service::public_tour_view(conn, &slug)
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let stops = view
        .stops
        .iter()
        .map(|s| PublicStop {
            id: s.stop.id.clone(),
            city: s.stop.city.clone(),
            venue: s.stop.venue.clone(),
            date: display_date(s.stop.starts_at, s.timezone, ctx.tr),
            seats_left: s.seats_left,
            state: match (s.registration_open, s.seats_left) {
                (false, _) => "closed",
                (true, 0) => "full",
                (true, _) => "open",
            },
        })
        .collect();
    let page_data = TourPage {
        ctx,
        name: view.tour.name,
        description: view.tour.description,
        stops,
    };
    page(&req, StatusCode::OK, &page_data)
}

// ---- stop ----

/// A workshop as shown to attendees.
pub(super) struct PublicWorkshop {
    id: String,
    title: String,
    room: String,
    trainer: String,
    time: String,
    seats_left: i64,
}

/// Workshops at overlapping times: one choice at most per slot.
pub(super) struct Slot {
    index: usize,
    time: String,
    workshops: Vec<PublicWorkshop>,
}

pub(super) fn slots_of(workshops: &[(Workshop, i64)], tz: chrono_tz::Tz) -> Vec<Slot> {
    let mut sorted: Vec<&(Workshop, i64)> = workshops.iter().collect();
    sorted.sort_by_key(|(w, _)| (w.starts_at, w.ends_at));
    // (slot start, slot end, its workshops)
    type Group<'a> = (
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        Vec<&'a (Workshop, i64)>,
    );
    let mut slots: Vec<Group<'_>> = Vec::new();
    for item in sorted {
        match slots.last_mut() {
            Some((start, end, members)) if item.0.starts_at < *end => {
                *end = (*end).max(item.0.ends_at);
                *start = (*start).min(item.0.starts_at);
                members.push(item);
            }
            _ => slots.push((item.0.starts_at, item.0.ends_at, vec![item])),
        }
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(index, (start, end, members))| Slot {
            index,
            time: format!("{}–{}", display_time(start, tz), display_time(end, tz)),
            workshops: members
                .into_iter()
                .map(|(w, seats_left)| PublicWorkshop {
                    id: w.id.clone(),
                    title: w.title.clone(),
                    room: w.room.clone(),
                    trainer: w.trainer.clone(),
                    time: format!(
                        "{}–{}",
                        display_time(w.starts_at, tz),
                        display_time(w.ends_at, tz)
                    ),
                    seats_left: *seats_left,
                })
                .collect(),
        })
        .collect()
}

pub(super) struct StopInfo {
    id: String,
    tour_name: String,
    tour_slug: String,
    city: String,
    venue: String,
    address: String,
    date: String,
    hours: String,
    seats_left: i64,
    registration_open: bool,
    slots: Vec<Slot>,
}

pub(super) async fn load_stop(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    ctx: &PageContext,
) -> Result<StopInfo, PageError> {
    let (view, tour): (StopView, TourView) = db::run(&state.pool, move |conn| {
        let view = crate::tours::service::public_stop_view(conn, &id)?;
        let tour = crate::tours::service::tour_view(conn, &view.summary.stop.tour_id)?;
        Ok((view, tour))
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    let tz = view.summary.timezone;
    let s = &view.summary.stop;
    let workshops: Vec<(Workshop, i64)> = view
        .workshops
        .iter()
        .map(|w| (w.workshop.clone(), w.seats_left))
        .collect();
    Ok(StopInfo {
        id: s.id.clone(),
        tour_name: tour.tour.name,
        tour_slug: tour.tour.slug,
        city: s.city.clone(),
        venue: s.venue.clone(),
        address: s.address.clone(),
        date: display_date(s.starts_at, tz, ctx.tr),
        hours: format!(
            "{}–{}",
            display_time(s.starts_at, tz),
            display_time(s.ends_at, tz)
        ),
        seats_left: view.summary.seats_left,
        registration_open: view.summary.registration_open,
        slots: slots_of(&workshops, tz),
    })
}

#[derive(Template)]
#[template(path = "public/stop.html")]
pub(super) struct StopPage {
    ctx: PageContext,
    stop: StopInfo,
}

#[get("/stops/{stop_id}")]
pub(super) async fn stop_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    page(&req, StatusCode::OK, &StopPage { ctx, stop })
}
