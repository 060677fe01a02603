//! The pages a reseller uses, phone first and without JavaScript: the tour, a stop's programme,
//! the registration form, and the private manage page with the badge.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
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

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tours/{slug}", web::get().to(tour_page))
        .route("/stops/{stop_id}", web::get().to(stop_page))
        .route(
            "/stops/{stop_id}/register",
            web::get().to(registration_form),
        )
        .route(
            "/stops/{stop_id}/register",
            web::post().to(submit_registration),
        )
        .route("/manage/{token}", web::get().to(manage_page))
        .route(
            "/manage/{token}/workshops",
            web::post().to(submit_workshops),
        )
        .route("/manage/{token}/cancel", web::post().to(submit_cancel))
        .route("/manage/{token}/badge", web::get().to(badge_page))
        .route("/manage/{token}/calendar.ics", web::get().to(calendar_file));
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    html(status, template).map_err(|e| PageError::new(req, e))
}

// ---- tour ----

struct PublicStop {
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
struct TourPage {
    ctx: PageContext,
    name: String,
    description: String,
    stops: Vec<PublicStop>,
}

async fn tour_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let view: TourView = db::run(&state.pool, move |conn| {
        crate::tours::service::tour_view(conn, &slug)
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
struct PublicWorkshop {
    id: String,
    title: String,
    room: String,
    trainer: String,
    time: String,
    seats_left: i64,
}

/// Workshops at overlapping times: one choice at most per slot.
struct Slot {
    index: usize,
    time: String,
    workshops: Vec<PublicWorkshop>,
}

fn slots_of(workshops: &[(Workshop, i64)], tz: chrono_tz::Tz) -> Vec<Slot> {
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

struct StopInfo {
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

async fn load_stop(
    req: &HttpRequest,
    state: &AppState,
    id: String,
    ctx: &PageContext,
) -> Result<StopInfo, PageError> {
    let (view, tour): (StopView, TourView) = db::run(&state.pool, move |conn| {
        let view = crate::tours::service::stop_view(conn, &id)?;
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
struct StopPage {
    ctx: PageContext,
    stop: StopInfo,
}

async fn stop_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    page(&req, StatusCode::OK, &StopPage { ctx, stop })
}

// ---- registration form ----

#[derive(Template)]
#[template(path = "public/register.html")]
struct RegisterPage {
    ctx: PageContext,
    stop: StopInfo,
    form: FormState,
    company_sizes: &'static [&'static str],
    partner_types: &'static [&'static str],
    /// Set when the e-mail is already registered: offer to send the confirmation again.
    already_registered: bool,
}

async fn registration_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    let form = FormState::from_pairs([("locale", ctx.tr.code().to_owned())]);
    let page_data = RegisterPage {
        ctx,
        stop,
        form,
        company_sizes: COMPANY_SIZES,
        partner_types: PARTNER_TYPES,
        already_registered: false,
    };
    page(&req, StatusCode::OK, &page_data)
}

/// The workshop ids chosen on a form: one field per time slot (`slot_0`, `slot_1`…).
fn chosen_workshops(form: &FormState, slots: &[Slot]) -> Vec<String> {
    slots
        .iter()
        .filter_map(|slot| form.optional(&format!("slot_{}", slot.index)))
        .collect()
}

async fn submit_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let stop = load_stop(&req, &state, path.into_inner(), &ctx).await?;
    let mut form = FormState::new(form.0);
    if form.value("action") == "resend" {
        let (stop_id, email) = (stop.id.clone(), form.value("email").to_owned());
        service::resend_confirmation(&state.pool, &state.events, stop_id, email)
            .await
            .map_err(|e| PageError::new(&req, e))?;
        form.alert = Some(ctx.tr.t("register.resent").to_owned());
        let page_data = RegisterPage {
            ctx,
            stop,
            form,
            company_sizes: COMPANY_SIZES,
            partner_types: PARTNER_TYPES,
            already_registered: false,
        };
        return page(&req, StatusCode::OK, &page_data);
    }
    let raw = RawRegistration {
        first_name: form.value("first_name").to_owned(),
        last_name: form.value("last_name").to_owned(),
        email: form.value("email").to_owned(),
        company: form.value("company").to_owned(),
        job_title: form.optional("job_title"),
        company_size: form.optional("company_size"),
        partner_id: form.optional("partner_id"),
        partner_type: form.optional("partner_type"),
        locale: form.optional("locale"),
        consent: Some(form.value("consent") == "yes"),
        workshops: chosen_workshops(&form, &stop.slots),
    };
    match service::register_attendee(
        &state.pool,
        &state.events,
        stop.id.clone(),
        raw,
        Source::Online,
    )
    .await
    {
        Ok(view) => {
            let token = state.badges.link_token("manage", &view.registration.id);
            Ok(redirect_see_other(&format!("/manage/{token}?welcome=1")))
        }
        Err(AppError::Conflict(message)) => {
            let already_registered = message.starts_with("this e-mail is already registered");
            form.alert = Some(
                if already_registered {
                    ctx.tr.t("register.already")
                } else {
                    ctx.tr.t("register.closed")
                }
                .to_owned(),
            );
            let page_data = RegisterPage {
                ctx,
                stop,
                form,
                company_sizes: COMPANY_SIZES,
                partner_types: PARTNER_TYPES,
                already_registered,
            };
            page(&req, StatusCode::CONFLICT, &page_data)
        }
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let page_data = RegisterPage {
                ctx,
                stop,
                form,
                company_sizes: COMPANY_SIZES,
                partner_types: PARTNER_TYPES,
                already_registered: false,
            };
            page(&req, StatusCode::UNPROCESSABLE_ENTITY, &page_data)
        }
    }
}

// ---- manage ----

struct ManageInfo {
    token: String,
    first_name: String,
    last_name: String,
    company: String,
    email: String,
    status: RegistrationStatus,
    status_label: String,
    badge_token: String,
    open: bool,
    workshops: Vec<(String, String, String)>,
}

fn manage_info(
    state: &AppState,
    token: &str,
    view: &RegistrationView,
    ctx: &PageContext,
) -> Result<ManageInfo, AppError> {
    let r = &view.registration;
    let tz = view.timezone;
    Ok(ManageInfo {
        token: token.to_owned(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        company: r.company.clone(),
        email: r.email.clone(),
        status: r.status,
        status_label: ctx.tr.t(&format!("status.{}", r.status)).to_owned(),
        badge_token: state.badges.sign(&r.stop_id, &r.id)?,
        open: r.status != RegistrationStatus::Cancelled && time::now() < view.stop.ends_at,
        workshops: view
            .workshops
            .iter()
            .map(|w| {
                (
                    format!(
                        "{}–{}",
                        display_time(w.workshop.starts_at, tz),
                        display_time(w.workshop.ends_at, tz)
                    ),
                    w.workshop.title.clone(),
                    ctx.tr.t(&format!("status.{}", w.status)).to_owned(),
                )
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "public/manage.html")]
struct ManagePage {
    ctx: PageContext,
    stop: StopInfo,
    me: ManageInfo,
    /// A message about what just happened (registered, saved, cancelled).
    notice: Option<String>,
    form: FormState,
    /// The cancel button was pressed without ticking the confirmation.
    cancel_unconfirmed: bool,
}

/// What the page says after a redirect: `?welcome`, `?saved`, `?cancelled`.
#[derive(serde::Deserialize)]
struct NoticeQuery {
    welcome: Option<String>,
    saved: Option<String>,
    cancelled: Option<String>,
}

impl NoticeQuery {
    fn notice(&self, ctx: &PageContext, me: &ManageInfo) -> Option<String> {
        let key = if self.welcome.is_some() {
            if me.status == RegistrationStatus::Confirmed {
                "manage.welcome_confirmed"
            } else {
                "manage.welcome_waitlisted"
            }
        } else if self.saved.is_some() {
            "mail.event.updated"
        } else if self.cancelled.is_some() {
            "manage.cancelled_notice"
        } else {
            return None;
        };
        Some(ctx.tr.t(key).to_owned())
    }
}

async fn load_manage(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
    ctx: &PageContext,
) -> Result<(RegistrationView, StopInfo, ManageInfo), PageError> {
    let id = registration_of(state, token).map_err(|e| PageError::new(req, e))?;
    let view = db::run(&state.pool, move |conn| {
        service::registration_view(conn, &id)
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    let stop = load_stop(req, state, view.stop.id.clone(), ctx).await?;
    let me = manage_info(state, token, &view, ctx).map_err(|e| PageError::new(req, e))?;
    Ok((view, stop, me))
}

fn chosen_form(view: &RegistrationView, stop: &StopInfo) -> FormState {
    let mut values = BTreeMap::new();
    for slot in &stop.slots {
        if let Some(w) = slot
            .workshops
            .iter()
            .find(|w| view.workshops.iter().any(|e| e.workshop.id == w.id))
        {
            values.insert(format!("slot_{}", slot.index), w.id.clone());
        }
    }
    FormState::new(values)
}

async fn manage_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
    let form = chosen_form(&view, &stop);
    let notice = query.notice(&ctx, &me);
    let page_data = ManagePage {
        ctx,
        stop,
        me,
        notice,
        form,
        cancel_unconfirmed: false,
    };
    page(&req, StatusCode::OK, &page_data)
}

async fn submit_workshops(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, stop, _) = load_manage(&req, &state, &token, &ctx).await?;
    let mut form = FormState::new(form.0);
    let chosen = chosen_workshops(&form, &stop.slots);
    let id = view.registration.id.clone();
    let result = service::change_attendee_workshops(&state.pool, &state.events, id, chosen).await;
    match result {
        Ok(_) => Ok(redirect_see_other(&format!("/manage/{token}?saved=1"))),
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let (_, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
            let page_data = ManagePage {
                ctx,
                stop,
                me,
                notice: None,
                form,
                cancel_unconfirmed: false,
            };
            page(&req, StatusCode::UNPROCESSABLE_ENTITY, &page_data)
        }
    }
}

async fn submit_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    if form.0.get("confirm").map(String::as_str) != Some("yes") {
        // Giving up a seat cannot be undone: ask for the tick first.
        let (view, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
        let form = chosen_form(&view, &stop);
        let page_data = ManagePage {
            ctx,
            stop,
            me,
            notice: None,
            form,
            cancel_unconfirmed: true,
        };
        return page(&req, StatusCode::UNPROCESSABLE_ENTITY, &page_data);
    }
    let id = registration_of(&state, &token).map_err(|e| PageError::new(&req, e))?;
    service::cancel_registration(&state.pool, &state.events, id)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!("/manage/{token}?cancelled=1")))
}

#[derive(Template)]
#[template(path = "public/badge.html")]
struct BadgePage {
    ctx: PageContext,
    stop: StopInfo,
    me: ManageInfo,
}

async fn badge_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (_, stop, me) = load_manage(&req, &state, &token, &ctx).await?;
    page(&req, StatusCode::OK, &BadgePage { ctx, stop, me })
}

async fn calendar_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: PageContext,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = path.into_inner();
    let (view, _, _) = load_manage(&req, &state, &token, &ctx).await?;
    let ics = messages::calendar(&view, &state.settings.url(&format!("/manage/{token}")));
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"rencontre.ics\"",
        ))
        .body(ics))
}
