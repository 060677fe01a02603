//! Marketing's view of attendees: a stop's list (search by name, company or e-mail) and an
//! attendee's page with what happened to them (check-ins, feedback, complaints) and their
//! outcomes, where a follow-up such as "certification started" is recorded.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::{outcome_label, rendered};
use crate::analytics::service::{self, Attendee, AttendeeList};
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::registrations::store::Registration;
use crate::state::AppState;
use crate::time::{display_day, display_time};
use crate::web::{CsrfForm, FormState, PageContext, PageError, html, redirect_see_other};

/// At most this many attendees are listed; a search narrows the rest.
const LIST_LIMIT: i64 = 300;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_page)
        .service(attendee_page)
        .service(record_outcome);
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

#[get("/analytics/stops/{stop_id}/attendees")]
async fn list_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let q: String = query
        .q
        .clone()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    rendered(&req, async {
        let found = service::search_attendees(
            &state.pool,
            state.search.clone(),
            path.into_inner(),
            q.clone(),
            LIST_LIMIT + 1,
        )
        .await?;
        html(StatusCode::OK, &list_view(ctx, found, q))
    })
    .await
}

/// The attendees found, the first `LIST_LIMIT` of them.
fn list_view(ctx: PageContext, list: AttendeeList, q: String) -> ListPage {
    let tr = ctx.tr;
    let AttendeeList {
        stop,
        found,
        arrivals,
    } = list;
    let tz = stop.timezone.tz();
    let capped = found.len() as i64 > LIST_LIMIT;
    let rows = found
        .into_iter()
        .take(usize::try_from(LIST_LIMIT).unwrap_or(300))
        .map(|r| ListRow {
            arrived: arrivals
                .get(r.id.as_str())
                .map(|t| display_time(*t, tz))
                .unwrap_or_default(),
            name: format!("{} {}", r.last_name, r.first_name),
            status: tr.t(&format!("analytics.status.{}", r.status)).to_owned(),
            id: r.id.to_string(),
            company: r.company.clone(),
        })
        .collect();
    ListPage {
        ctx,
        stop_id: stop.id,
        city: stop.city,
        q,
        rows,
        capped,
    }
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

/// The attendee's registration details: `(label, value)`, a dash for what was not given.
fn details(r: &Registration, tr: Locale) -> Vec<(String, String)> {
    let or_dash = |s: &str| {
        if s.is_empty() {
            "—".to_owned()
        } else {
            s.to_owned()
        }
    };
    let partner_type = if r.partner_type.is_empty() {
        "—".to_owned()
    } else {
        tr.t(&format!("partner_type.{}", r.partner_type)).to_owned()
    };
    [
        ("register.email", r.email.clone()),
        ("register.company", r.company.clone()),
        ("register.job_title", or_dash(&r.job_title)),
        ("register.company_size", or_dash(&r.company_size)),
        ("register.partner_type", partner_type),
        ("register.partner_id", or_dash(&r.partner_id)),
        (
            "analytics.status",
            tr.t(&format!("analytics.status.{}", r.status)).to_owned(),
        ),
    ]
    .into_iter()
    .map(|(label, value)| (tr.t(label).to_owned(), value))
    .collect()
}

/// The attendee's feedback on one line: the ratings, then the comment if any.
fn feedback_line(a: &crate::analytics::store::Answer, tr: Locale) -> String {
    format!(
        "{} {}/5 · {} {}/5 · {} {}/5 · {} {}/10{}",
        tr.t("analytics.avg_overall"),
        a.overall,
        tr.t("analytics.avg_trainers"),
        a.trainers,
        tr.t("analytics.avg_content"),
        a.content,
        tr.t("analytics.nps"),
        a.nps,
        if a.comment.is_empty() {
            String::new()
        } else {
            format!(" — « {} »", a.comment)
        }
    )
}

fn attendee_view(ctx: PageContext, a: Attendee, form: FormState, saved: bool) -> AttendeePage {
    let tr = ctx.tr;
    let tz = a.stop.timezone.tz();
    let r = &a.registration;
    AttendeePage {
        id: r.id.to_string(),
        stop_id: a.stop.id.clone(),
        city: a.stop.city.clone(),
        day: display_day(crate::time::in_zone(a.stop.starts_at, tz).date_naive(), tr),
        name: format!("{} {}", r.first_name, r.last_name),
        details: details(r, tr),
        scans: a
            .scans
            .iter()
            .map(|s| (display_time(s.scanned_at, tz), s.checkpoint.clone()))
            .collect(),
        feedback: a.answer.as_ref().map(|answer| feedback_line(answer, tr)),
        complaints: a
            .complaints
            .iter()
            .map(|c| {
                let status = tr.t(&format!("complaint.status.{}", c.status)).to_owned();
                (c.id.clone(), format!("{} ({status})", c.summary))
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

#[get("/analytics/registrations/{id}")]
async fn attendee_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<AttendeeQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    rendered(&req, async {
        let attendee = service::attendee(&state.pool, path.into_inner()).await?;
        let today = crate::time::now().date().to_string();
        let form = FormState::from_pairs([("occurred_on", today)]);
        let page = attendee_view(ctx, attendee, form, query.saved.is_some());
        html(StatusCode::OK, &page)
    })
    .await
}

#[post("/analytics/registrations/{id}/outcomes")]
async fn record_outcome(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    form: CsrfForm<BTreeMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let actor = crate::audit::Actor::from(&user.user);
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let mut form = FormState::new(form.0);
    let (kind, date) = (
        form.value("kind").to_owned(),
        form.value("occurred_on").to_owned(),
    );
    rendered(&req, async {
        let Err(error) =
            crate::outcomes::service::record_outcome(&state.pool, id.clone(), kind, date, actor)
                .await
        else {
            return Ok(redirect_see_other(&format!(
                "/analytics/registrations/{id}?saved=1#outcomes"
            )));
        };
        let status = match &error {
            AppError::Conflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        form.absorb(error, ctx.tr)?;
        let attendee = service::attendee(&state.pool, id).await?;
        html(status, &attendee_view(ctx, attendee, form, false))
    })
    .await
}
