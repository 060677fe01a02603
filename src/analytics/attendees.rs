//! Marketing's view of attendees: a stop's list (search by name, company or e-mail) and an
//! attendee's page with what happened to them (check-ins, feedback, complaints) and their
//! outcomes, where a follow-up such as "certification started" is recorded.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use super::pages::outcome_label;
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::db::schema::{check_ins, checkpoints, complaints, feedback};
use crate::db::{self, DbConnection};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::{display_day, display_time, parse_timezone};
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, redirect_see_other};

/// At most this many attendees are listed; a search narrows the rest.
const LIST_LIMIT: i64 = 300;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/analytics/stops/{stop_id}/attendees",
        web::get().to(list_page),
    )
    .route(
        "/analytics/registrations/{id}",
        web::get().to(attendee_page),
    )
    .route(
        "/analytics/registrations/{id}/outcomes",
        web::post().to(record_outcome),
    );
}

struct ListRow {
    id: String,
    name: String,
    company: String,
    status: String,
    arrived: String,
}

#[derive(Template)]
#[template(path = "analytics/attendees.html")]
struct ListPage {
    ctx: PageContext,
    stop_id: String,
    city: String,
    q: String,
    rows: Vec<ListRow>,
    capped: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
}

async fn list_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let tr = ctx.tr;
    let stop_id = path.into_inner();
    let q: String = query
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    let search = q.clone();
    let (stop, found, arrivals) = db::run(&state.pool, move |conn| {
        let stop =
            crate::tours::store::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))?;
        let found =
            crate::checkin::store::search_registrations(conn, &stop.id, &search, LIST_LIMIT + 1)?;
        let arrivals: std::collections::HashMap<String, chrono::NaiveDateTime> =
            crate::checkin::store::entrance_times(conn, &stop.id)?
                .into_iter()
                .collect();
        Ok((stop, found, arrivals))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let tz = parse_timezone(&stop.timezone).unwrap_or(chrono_tz::Tz::UTC);
    let capped = found.len() as i64 > LIST_LIMIT;
    let rows = found
        .into_iter()
        .take(usize::try_from(LIST_LIMIT).unwrap_or(300))
        .map(|r| ListRow {
            arrived: arrivals
                .get(&r.id)
                .map(|t| display_time(*t, tz))
                .unwrap_or_default(),
            name: format!("{} {}", r.last_name, r.first_name),
            status: tr.t(&format!("analytics.status.{}", r.status)).to_owned(),
            id: r.id,
            company: r.company,
        })
        .collect();
    let page = ListPage {
        ctx,
        stop_id: stop.id,
        city: stop.city,
        q,
        rows,
        capped,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

/// One line of what happened to an attendee: `(when, what)`.
type Line = (String, String);

#[derive(Template)]
#[template(path = "analytics/attendee.html")]
struct AttendeePage {
    ctx: PageContext,
    id: String,
    stop_id: String,
    city: String,
    day: String,
    name: String,
    details: Vec<(String, String)>,
    scans: Vec<Line>,
    feedback: Option<String>,
    complaints: Vec<(String, String)>,
    outcomes: Vec<Line>,
    kinds: Vec<(String, String)>,
    form: FormState,
    saved: bool,
}

/// Everything the attendee page shows.
struct Attendee {
    registration: crate::registrations::store::Registration,
    stop: crate::tours::store::Stop,
    scans: Vec<(String, chrono::NaiveDateTime)>,
    answer: Option<(i32, i32, i32, i32, String)>,
    complaints: Vec<(String, String, String)>,
    outcomes: Vec<crate::outcomes::store::Outcome>,
    targets: Vec<String>,
}

fn load(conn: &mut DbConnection, id: &str) -> Result<Attendee, AppError> {
    let registration = crate::registrations::store::find_registration(conn, id)?
        .ok_or(AppError::NotFound("registration"))?;
    let stop = crate::tours::store::find_stop(conn, &registration.stop_id)?
        .ok_or(AppError::NotFound("stop"))?;
    let scans = check_ins::table
        .inner_join(checkpoints::table)
        .filter(check_ins::registration_id.eq(id))
        .order(check_ins::scanned_at.asc())
        .select((checkpoints::name, check_ins::scanned_at))
        .load(conn)?;
    let answer = feedback::table
        .filter(feedback::registration_id.eq(id))
        .select((
            feedback::overall,
            feedback::trainers,
            feedback::content,
            feedback::nps,
            feedback::comment,
        ))
        .first(conn)
        .optional()?;
    let complaints = complaints::table
        .filter(complaints::registration_id.eq(id))
        .order(complaints::created_at.asc())
        .select((complaints::id, complaints::summary, complaints::status))
        .load(conn)?;
    let outcomes = crate::outcomes::store::list_for_registration(conn, id)?;
    let targets = super::figures::targets(conn, &stop.tour_id)?
        .into_iter()
        .map(|(kind, _)| kind)
        .collect();
    Ok(Attendee {
        registration,
        stop,
        scans,
        answer,
        complaints,
        outcomes,
        targets,
    })
}

/// Outcome kinds offered in the form: the tour's targets first, then the usual ones.
fn kind_choices(targets: &[String], tr: Locale) -> Vec<(String, String)> {
    let mut kinds: Vec<String> = targets.to_vec();
    for usual in ["certification_started", "certified", "label_obtained"] {
        if !kinds.iter().any(|k| k == usual) {
            kinds.push(usual.to_owned());
        }
    }
    kinds
        .into_iter()
        .map(|k| {
            let label = outcome_label(&k, tr);
            (k, label)
        })
        .collect()
}

fn attendee_view(ctx: PageContext, a: Attendee, form: FormState, saved: bool) -> AttendeePage {
    let tr = ctx.tr;
    let tz = parse_timezone(&a.stop.timezone).unwrap_or(chrono_tz::Tz::UTC);
    let r = &a.registration;
    let or_dash = |s: &str| {
        if s.is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    let details = vec![
        (tr.t("register.email").to_owned(), r.email.clone()),
        (tr.t("register.company").to_owned(), r.company.clone()),
        (tr.t("register.job_title").to_owned(), or_dash(&r.job_title)),
        (
            tr.t("register.company_size").to_owned(),
            or_dash(&r.company_size),
        ),
        (
            tr.t("register.partner_type").to_owned(),
            if r.partner_type.is_empty() {
                "—".to_owned()
            } else {
                tr.t(&format!("partner_type.{}", r.partner_type)).to_owned()
            },
        ),
        (
            tr.t("register.partner_id").to_owned(),
            or_dash(&r.partner_id),
        ),
        (
            tr.t("analytics.status").to_owned(),
            tr.t(&format!("analytics.status.{}", r.status)).to_owned(),
        ),
    ];
    AttendeePage {
        id: r.id.clone(),
        stop_id: a.stop.id.clone(),
        city: a.stop.city.clone(),
        day: display_day(crate::time::in_zone(a.stop.starts_at, tz).date_naive(), tr),
        name: format!("{} {}", r.first_name, r.last_name),
        details,
        scans: a
            .scans
            .iter()
            .map(|(name, at)| (display_time(*at, tz), name.clone()))
            .collect(),
        feedback: a.answer.as_ref().map(|(o, t, c, n, comment)| {
            format!(
                "{} {o}/5 · {} {t}/5 · {} {c}/5 · {} {n}/10{}",
                tr.t("analytics.avg_overall"),
                tr.t("analytics.avg_trainers"),
                tr.t("analytics.avg_content"),
                tr.t("analytics.nps"),
                if comment.is_empty() {
                    String::new()
                } else {
                    format!(" — « {comment} »")
                }
            )
        }),
        complaints: a
            .complaints
            .iter()
            .map(|(id, summary, status)| {
                (
                    id.clone(),
                    format!(
                        "{summary} ({})",
                        tr.t(&format!("complaint.status.{status}"))
                    ),
                )
            })
            .collect(),
        outcomes: a
            .outcomes
            .iter()
            .map(|o| {
                (
                    display_day(o.occurred_on, tr),
                    format!("{} — {}", outcome_label(&o.kind, tr), o.recorded_by),
                )
            })
            .collect(),
        kinds: kind_choices(&a.targets, tr),
        form,
        saved,
        ctx,
    }
}

#[derive(Deserialize)]
struct AttendeeQuery {
    saved: Option<String>,
}

async fn attendee_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<AttendeeQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let id = path.into_inner();
    let attendee = db::run(&state.pool, move |conn| load(conn, &id))
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let form = FormState::from_pairs([("occurred_on", crate::time::now().date().to_string())]);
    let page = attendee_view(ctx, attendee, form, query.saved.is_some());
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

async fn record_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let actor = user.user.email.clone();
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let mut form = FormState::new(form.0);
    let (registration_id, kind, date) = (
        id.clone(),
        form.value("kind").to_owned(),
        form.value("occurred_on").to_owned(),
    );
    let result = db::transaction(&state.pool, move |conn| {
        crate::outcomes::service::record(conn, &registration_id, &kind, &date, &actor)
    })
    .await;
    match result {
        Ok(_) => Ok(redirect_see_other(&format!(
            "/analytics/registrations/{id}?saved=1#outcomes"
        ))),
        Err(error) => {
            let status = match &error {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            form.absorb(error, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let attendee = db::run(&state.pool, move |conn| load(conn, &id))
                .await
                .map_err(|e| PageError::new(&req, e))?;
            let page = attendee_view(ctx, attendee, form, false);
            html(status, &page).map_err(|e| PageError::new(&req, e))
        }
    }
}
