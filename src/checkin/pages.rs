//! The scanner pages for staff, phone first. Without JavaScript they already work with a
//! handheld scanner (the focused input is a form that posts the badge text); `scanner.js` adds
//! the camera, instant verdicts, a device token and the offline queue on top of the same markup.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::api::{CheckpointStatus, checkpoint_status_of};
use super::devices::create_device_for;
use super::domain::RawScan;
use super::service;
use super::store;
use super::verdict_words::{VerdictView, texts_json, verdict_view};
use crate::auth::policy::ScanBadges;
use crate::auth::{CurrentUser, PageUser};
use crate::db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::registrations::domain::RawRegistration;
use crate::state::AppState;
use crate::time::{self, display_date};
use crate::tours::checkpoints::{CheckpointChoice, checkpoint_choices};
use crate::web::{
    CsrfForm, FormState, PageContext, PageError, html, redirect_see_other, round_trip,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(choose_stop)
        .service(choose_checkpoint)
        .service(register_device)
        .service(walk_in_form)
        .service(submit_walk_in)
        .service(scanner)
        .service(submit_scan)
        .service(undo)
        .service(revoke_device);
}

type Form = CsrfForm<BTreeMap<String, String>>;

fn page(
    req: &HttpRequest,
    status: StatusCode,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    html(status, template).map_err(|e| PageError::new(req, e))
}

fn context(req: &HttpRequest, staff: &PageUser<ScanBadges>) -> PageContext {
    PageContext::anonymous(req).with_user(Some(staff.user.clone()))
}

// ---- choosing a stop and a checkpoint ----

struct StopChoice {
    id: String,
    city: String,
    date: String,
    tour: String,
    today: bool,
}

#[derive(Template)]
#[template(path = "checkin/choose_stop.html")]
struct ChooseStopPage {
    ctx: PageContext,
    stops: Vec<StopChoice>,
}

#[get("/scan")]
async fn choose_stop(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
) -> Result<HttpResponse, PageError> {
    let ctx = context(&req, &staff);
    let locale = ctx.tr;
    let stops = db::run(&state.pool, move |conn| {
        let mut out = Vec::new();
        let now = time::now();
        for tour in crate::tours::service::list_tours(conn)? {
            for s in crate::tours::service::tour_view(conn, &tour.id)?.stops {
                let today = display_date(now, s.timezone, locale)
                    == display_date(s.stop.starts_at, s.timezone, locale);
                out.push((
                    s.stop.starts_at,
                    StopChoice {
                        id: s.stop.id.clone(),
                        city: s.stop.city.clone(),
                        date: display_date(s.stop.starts_at, s.timezone, locale),
                        tour: tour.name.clone(),
                        today,
                    },
                ));
            }
        }
        // Today's stop first, then the coming ones, then the past.
        out.sort_by_key(|(starts, choice)| (!choice.today, *starts < now, *starts));
        Ok(out.into_iter().map(|(_, c)| c).collect::<Vec<_>>())
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    page(&req, StatusCode::OK, &ChooseStopPage { ctx, stops })
}

#[derive(Template)]
#[template(path = "checkin/choose_checkpoint.html")]
struct ChooseCheckpointPage {
    ctx: PageContext,
    stop_id: String,
    city: String,
    date: String,
    checkpoints: Vec<CheckpointChoice>,
}

#[get("/scan/stops/{stop_id}")]
async fn choose_checkpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let stop_id = path.into_inner();
    staff
        .user
        .may_scan_at(&stop_id)
        .map_err(|e| PageError::new(&req, e))?;
    let view = db::run(&state.pool, move |conn| {
        crate::tours::service::stop_view(conn, &stop_id)
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let ctx = context(&req, &staff);
    let s = &view.summary;
    let checkpoints = checkpoint_choices(&view, crate::time::now(), ctx.tr);
    let page_data = ChooseCheckpointPage {
        stop_id: s.stop.id.clone(),
        city: s.stop.city.clone(),
        date: display_date(s.stop.starts_at, s.timezone, ctx.tr),
        checkpoints,
        ctx,
    };
    page(&req, StatusCode::OK, &page_data)
}

/// Registers this browser as a scanner device (answers JSON to `scanner.js`).
#[post("/scan/stops/{stop_id}/device")]
async fn register_device(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let stop_id = path.into_inner();
    let name = form
        .0
        .get("name")
        .cloned()
        .unwrap_or_else(|| "Scanner".to_owned());
    let device = create_device_for(&state, staff.user, stop_id, name)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(HttpResponse::Created().json(device))
}

// ---- the scanner ----

/// A search result on the scanner page.
struct Found {
    name: String,
    company: String,
    status: String,
    badge_token: String,
    checked_in: bool,
}

#[derive(Template)]
#[template(path = "checkin/scanner.html")]
struct ScannerPage {
    ctx: PageContext,
    stop_id: String,
    city: String,
    status: CheckpointStatus,
    recent: Vec<(String, String, String, String, bool)>,
    verdict: Option<VerdictView>,
    q: String,
    found: Vec<Found>,
    /// The verdict words for `scanner.js`, in the page's language (JSON).
    texts_json: String,
    /// "Accueil", or "Salle 1 — 09:00 Cloud".
    label: String,
    /// When this room now holds another workshop than this checkpoint's, that one: scans here
    /// are decided for it.
    room_now: Option<String>,
}

/// This checkpoint's label, and the workshop its room holds now when that is another one.
fn room_naming(
    view: &crate::tours::service::StopView,
    checkpoint_id: &str,
    locale: Locale,
) -> (String, Option<String>) {
    let choices = checkpoint_choices(view, crate::time::now(), locale);
    let Some(this) = choices.iter().find(|c| c.id == checkpoint_id) else {
        return (String::new(), None);
    };
    let now_here = choices
        .iter()
        .find(|c| c.now && c.id != this.id && !this.time.is_empty() && c.place == this.place)
        .map(|c| format!("{} {}", c.time, locale.quote(&c.title)));
    (this.label(), now_here)
}

#[derive(Deserialize)]
struct ScannerQuery {
    q: Option<String>,
    walked_in: Option<String>,
}

async fn render_scanner(
    req: &HttpRequest,
    state: &AppState,
    ctx: PageContext,
    actor: CurrentUser,
    checkpoint_id: String,
    verdict: Option<VerdictView>,
    q: String,
) -> Result<HttpResponse, PageError> {
    let query = q.clone();
    let badges = state.badges.clone();
    let checkpoints = state.checkpoints.clone();
    let index = state.search.clone();
    let locale = ctx.tr;
    let (status, city, stop_id, (label, room_now), found) = db::run(&state.pool, move |conn| {
        let status = checkpoint_status_of(conn, &checkpoints, &actor, &checkpoint_id)?;
        let checkpoint = store::find_checkpoint(conn, &checkpoint_id)?
            .ok_or(AppError::NotFound("checkpoint"))?;
        let view = crate::tours::service::stop_view(conn, &checkpoint.stop_id)?;
        let naming = room_naming(&view, &checkpoint_id, locale);
        let stop = view.summary.stop;
        let mut found = Vec::new();
        for (r, checked_in_at) in super::search::find_attendees(conn, &index, &stop.id, &query, 20)?
        {
            found.push(Found {
                name: format!("{} {}", r.first_name, r.last_name),
                company: r.company.clone(),
                status: locale.t(&format!("status.{}", r.status)).to_owned(),
                badge_token: badges.sign(&r.stop_id, &r.id)?,
                checked_in: checked_in_at.is_some(),
            });
        }
        Ok((status, stop.city, stop.id, naming, found))
    })
    .await
    .map_err(|e| PageError::new(req, e))?;
    let recent = status
        .recent
        .iter()
        .map(|r| {
            (
                r.scan_id.clone(),
                r.scanned_at.format("%H:%M:%S").to_string(),
                r.name.clone().unwrap_or_else(|| "—".to_owned()),
                ctx.tr.t(&format!("verdict.{}", r.result)).to_owned(),
                r.undone,
            )
        })
        .collect();
    let page_data = ScannerPage {
        texts_json: texts_json(ctx.tr),
        label,
        room_now,
        ctx,
        stop_id,
        city,
        status,
        recent,
        verdict,
        q,
        found,
    };
    page(req, StatusCode::OK, &page_data)
}

#[get("/scan/checkpoints/{checkpoint_id}")]
async fn scanner(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
    query: web::Query<ScannerQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = context(&req, &staff);
    let query = query.into_inner();
    let verdict = query.walked_in.map(|name| VerdictView {
        tone: "ok",
        result: "ok",
        title: format!("{} {name}", ctx.tr.t("scan.welcome")),
        detail: ctx.tr.t("scan.walk_in_done").to_owned(),
    });
    let q = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    render_scanner(&req, &state, ctx, staff.user, path.into_inner(), verdict, q).await
}

/// The no-JavaScript path: a handheld scanner types the badge and Enter into the focused input.
#[post("/scan/checkpoints/{checkpoint_id}")]
async fn submit_scan(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let checkpoint_id = path.into_inner();
    let ctx = context(&req, &staff);
    let raw = RawScan {
        token: Some(form.0.get("code").cloned().unwrap_or_default()),
        checkpoint_id: Some(checkpoint_id.clone()),
        ..RawScan::default()
    };
    let scan = raw.parse_one().map_err(|e| PageError::new(&req, e))?;
    let outcome = service::check_in(&service::Door::of(&state), &staff.user, vec![scan])
        .await
        .map_err(|e| PageError::new(&req, e))?
        .pop()
        .ok_or_else(|| {
            let e = AppError::Unexpected(anyhow::anyhow!("a scan without an answer"));
            PageError::new(&req, e)
        })?;
    let (outcome, elsewhere) = outcome;
    let verdict = verdict_view(ctx.tr, &outcome, &elsewhere, outcome.timezone);
    render_scanner(
        &req,
        &state,
        ctx,
        staff.user,
        checkpoint_id,
        Some(verdict),
        String::new(),
    )
    .await
}

#[post("/scan/scans/{scan_id}/undo")]
async fn undo(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let back = form.0.get("checkpoint_id").cloned().unwrap_or_default();
    service::undo_check_in(&service::Door::of(&state), &staff.user, path.into_inner())
        .await
        .map_err(|e| PageError::new(&req, e))?;
    Ok(redirect_see_other(&format!("/scan/checkpoints/{back}")))
}

// ---- walk-ins ----

#[derive(Template)]
#[template(path = "checkin/walk_in.html")]
struct WalkInPage {
    ctx: PageContext,
    stop_id: String,
    form: FormState,
}

#[get("/scan/stops/{stop_id}/walk-in")]
async fn walk_in_form(
    req: HttpRequest,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = context(&req, &staff);
    let form = FormState::from_pairs([("locale", ctx.tr.code().to_owned())]);
    page(
        &req,
        StatusCode::OK,
        &WalkInPage {
            ctx,
            stop_id: path.into_inner(),
            form,
        },
    )
}

#[post("/scan/stops/{stop_id}/walk-in")]
async fn submit_walk_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: PageUser<ScanBadges>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let stop_id = path.into_inner();
    let ctx = context(&req, &staff);
    let form = FormState::new(form.0);
    let raw = RawRegistration {
        first_name: form.value("first_name").to_owned(),
        last_name: form.value("last_name").to_owned(),
        email: form.value("email").to_owned(),
        company: form.value("company").to_owned(),
        job_title: form.optional("job_title"),
        locale: form.optional("locale"),
        // Staff ask the person on the spot; the form says so.
        consent: Some(form.value("consent") == "yes"),
        ..RawRegistration::default()
    };
    let result = match crate::registrations::domain::NewRegistration::parse(raw) {
        Ok(new) => {
            let door = service::Door::of(&state);
            service::register_walk_in(&door, &staff.user, stop_id.clone(), new).await
        }
        Err(e) => Err(e),
    };
    round_trip(
        &req,
        form,
        ctx.tr,
        result,
        |(_, entrance, name): (String, String, String)| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("walked_in", &name)
                .finish();
            format!("/scan/checkpoints/{entrance}?{query}")
        },
        |form| WalkInPage { ctx, stop_id, form },
    )
}

/// An admin cuts a lost device off; its token is refused from the next request on.
#[post("/admin/devices/{device_id}/revoke")]
async fn revoke_device(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: PageUser<crate::auth::policy::ManageSetup>,
    path: web::Path<String>,
    form: Form,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let stop_id = form.0.get("stop_id").cloned().unwrap_or_default();
    let actor = crate::audit::Actor::from(&admin.user);
    crate::auth::service::revoke_device(&state.pool, &state.events, actor, id)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    // Back to the stop page; the id comes from the form, so only an id-shaped one is followed.
    let back = if !stop_id.is_empty() && stop_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
    {
        format!("/admin/stops/{stop_id}")
    } else {
        "/admin".to_owned()
    };
    Ok(redirect_see_other(&back))
}
