//! Marketing's complaint pages: the list with filters (overdue promises stand out), a
//! complaint's page with its history and the form to work it; staff record one on site.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::domain::{ComplaintStatus, ComplaintTheme};
use super::service::{self, ComplaintChanges, NewComplaint};
use super::store::{self, Complaint, ComplaintEvent, Filter};
use crate::auth::PageUser;
use crate::auth::policy::{RecordComplaints, WorkComplaints};
use crate::db;
use crate::state::AppState;
use crate::time;
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, redirect_see_other};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(new_page)
        .service(record)
        .service(detail_page)
        .service(work);
}

/// A complaint as a row of the list.
struct Row {
    id: String,
    created: String,
    city: String,
    theme: String,
    summary: String,
    company: String,
    owner: String,
    status: String,
    due_on: String,
    overdue: bool,
}

fn is_overdue(c: &Complaint) -> bool {
    c.due_on.is_some_and(|d| d < time::now().date()) && c.status.is_pending()
}

#[derive(Template)]
#[template(path = "complaints/list.html")]
struct ListPage {
    ctx: PageContext,
    rows: Vec<Row>,
    stops: Vec<(String, String)>,
    filter: FormState,
    themes: [ComplaintTheme; 5],
    statuses: [ComplaintStatus; 4],
}

#[derive(Deserialize)]
struct ListQuery {
    stop_id: Option<String>,
    theme: Option<String>,
    status: Option<String>,
    owner: Option<String>,
    overdue: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Every stop, for the filter: `(id, "City — date")`.
fn stop_choices(
    conn: &mut db::DbConnection,
) -> Result<Vec<(String, String)>, crate::error::AppError> {
    let mut out = Vec::new();
    for tour in crate::tours::service::list_tours(conn)? {
        for s in crate::tours::service::tour_view(conn, &tour.id)?.stops {
            out.push((
                s.stop.id.clone(),
                format!("{} — {}", s.stop.city, s.stop.starts_at.date()),
            ));
        }
    }
    Ok(out)
}

#[get("/complaints")]
async fn list_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<WorkComplaints>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let q = query.into_inner();
    let overdue = q.overdue.as_deref() == Some("yes");
    let filter = Filter {
        stop_id: non_empty(q.stop_id.clone()),
        theme: non_empty(q.theme.clone()),
        status: non_empty(q.status.clone()),
        owner: non_empty(q.owner.clone()),
        overdue_on: overdue.then(|| time::now().date()),
    };
    let form = FormState::from_pairs([
        ("stop_id", q.stop_id.unwrap_or_default()),
        ("theme", q.theme.unwrap_or_default()),
        ("status", q.status.unwrap_or_default()),
        ("owner", q.owner.unwrap_or_default()),
        (
            "overdue",
            if overdue {
                "yes".to_owned()
            } else {
                String::new()
            },
        ),
    ]);
    let locale = ctx.tr;
    let (rows, stops) = db::run(&state.pool, move |conn| {
        let stops = stop_choices(conn)?;
        let city = |id: &str| {
            stops
                .iter()
                .find(|(s, _)| s == id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default()
        };
        let rows = store::list(conn, &filter)?
            .into_iter()
            .map(|c| Row {
                overdue: is_overdue(&c),
                id: c.id.clone(),
                created: c.created_at.format("%Y-%m-%d").to_string(),
                city: city(&c.stop_id),
                theme: locale.t(&format!("theme.{}", c.theme)).to_owned(),
                summary: c.summary,
                company: c.company,
                owner: c.owner,
                status: locale
                    .t(&format!("complaint.status.{}", c.status))
                    .to_owned(),
                due_on: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect();
        Ok((rows, stops))
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    let page = ListPage {
        ctx,
        rows,
        stops,
        filter: form,
        themes: ComplaintTheme::ALL,
        statuses: ComplaintStatus::ALL,
    };
    html(StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

#[derive(Template)]
#[template(path = "complaints/detail.html")]
struct DetailPage {
    ctx: PageContext,
    status_label: String,
    c: Complaint,
    city: String,
    theme: String,
    overdue: bool,
    /// Each line with its time on the stop's clock, like every other time of the stop.
    history: Vec<(String, ComplaintEvent)>,
    form: FormState,
    statuses: [ComplaintStatus; 4],
}

/// A complaint, its stop's city and its history with local times.
type Detail = (Complaint, String, Vec<(String, ComplaintEvent)>);

async fn load_detail(req: &HttpRequest, state: &AppState, id: String) -> Result<Detail, PageError> {
    db::run(&state.pool, move |conn| {
        let c = store::find(conn, &id)?.ok_or(crate::error::AppError::NotFound("complaint"))?;
        let stop = crate::tours::store::find_stop(conn, &c.stop_id)?
            .ok_or(crate::error::AppError::NotFound("stop"))?;
        let tz = stop.timezone.tz();
        let history = store::history(conn, &id)?
            .into_iter()
            .map(|e| {
                let at = crate::time::in_zone(e.at, tz).format("%Y-%m-%d %H:%M");
                (at.to_string(), e)
            })
            .collect();
        Ok((c, stop.city, history))
    })
    .await
    .map_err(|e| PageError::new(req, e))
}

fn detail(
    ctx: PageContext,
    c: Complaint,
    city: String,
    history: Vec<(String, ComplaintEvent)>,
    form: FormState,
) -> DetailPage {
    DetailPage {
        status_label: ctx
            .tr
            .t(&format!("complaint.status.{}", c.status))
            .to_owned(),
        theme: ctx.tr.t(&format!("theme.{}", c.theme)).to_owned(),
        overdue: is_overdue(&c),
        ctx,
        c,
        city,
        history,
        form,
        statuses: ComplaintStatus::ALL,
    }
}

#[get("/complaints/{id}")]
async fn detail_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<WorkComplaints>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let (c, city, history) = load_detail(&req, &state, path.into_inner()).await?;
    let form = FormState::from_pairs([
        ("status", c.status.to_string()),
        ("owner", c.owner.clone()),
        (
            "due_on",
            c.due_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("resolution", c.resolution.clone()),
    ]);
    html(StatusCode::OK, &detail(ctx, c, city, history, form)).map_err(|e| PageError::new(&req, e))
}

#[post("/complaints/{id}")]
async fn work(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<WorkComplaints>,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let actor = user.user.clone();
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let mut form = FormState::new(form.0);
    let changes = ComplaintChanges {
        status: form.optional("status").map(ComplaintStatus::try_from),
        owner: Some(form.value("owner").to_owned()),
        resolution: Some(form.value("resolution").to_owned()),
        due_on: Some(form.value("due_on").to_owned()),
        comment: form.optional("comment"),
    };
    let result = service::work_complaint(
        &state.pool,
        &state.events,
        id.clone(),
        changes,
        &actor,
        |_, _| Ok(()),
    )
    .await;
    match result {
        Ok(()) => Ok(redirect_see_other(&format!(
            "/complaints/{id}?{}",
            crate::web::UPDATED
        ))),
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let (c, city, history) = load_detail(&req, &state, id).await?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &detail(ctx, c, city, history, form),
            )
            .map_err(|e| PageError::new(&req, e))
        }
    }
}

#[derive(Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    ctx: PageContext,
    stops: Vec<(String, String)>,
    form: FormState,
    themes: [ComplaintTheme; 5],
}

#[derive(Deserialize)]
struct NewQuery {
    stop_id: Option<String>,
}

#[get("/complaints/new")]
async fn new_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<RecordComplaints>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let stops = db::run(&state.pool, stop_choices)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let form = FormState::from_pairs([("stop_id", query.into_inner().stop_id.unwrap_or_default())]);
    html(
        StatusCode::OK,
        &NewPage {
            ctx,
            stops,
            form,
            themes: ComplaintTheme::ALL,
        },
    )
    .map_err(|e| PageError::new(&req, e))
}

#[post("/complaints")]
async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<RecordComplaints>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let actor = user.user.clone();
    let may_work =
        crate::auth::policy::allows(user.user.role, crate::auth::Permission::WorkComplaints);
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let mut form = FormState::new(form.0);
    let new = NewComplaint {
        stop_id: form.value("stop_id").to_owned(),
        theme: ComplaintTheme::try_from(form.value("theme").to_owned()),
        summary: form.value("summary").to_owned(),
        detail: form.optional("detail"),
        company: form.optional("company"),
        registration_id: None,
        feedback_id: None,
        notify_reseller: false,
    };
    let result =
        service::record_complaint(&state.pool, &state.events, new, &actor, |_, complaint| {
            Ok(complaint)
        })
        .await;
    match result {
        // Staff go back to the door; marketing to the complaint.
        Ok(c) if may_work => Ok(redirect_see_other(&format!("/complaints/{}", c.id))),
        Ok(_) => Ok(redirect_see_other("/scan")),
        Err(e) => {
            form.absorb(e, ctx.tr)
                .map_err(|e| PageError::new(&req, e))?;
            let stops = db::run(&state.pool, stop_choices)
                .await
                .map_err(|e| PageError::new(&req, e))?;
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewPage {
                    ctx,
                    stops,
                    form,
                    themes: ComplaintTheme::ALL,
                },
            )
            .map_err(|e| PageError::new(&req, e))
        }
    }
}
