//! Marketing's dashboards: the list of tours, the tour overview (`tour_overview`), a stop's
//! detail refreshed live on the day (`stop_detail`) and the attendee pages (`attendee`).
//! Charts are SVG drawn on the server; every chart has its table.

mod attendee;
mod stop_detail;
mod tour_overview;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::charts::ValueFormat;
use super::figures::AttendeeFilter;
use super::format;
use super::report::Figures;
use super::service;
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES};
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html, redirect_see_other};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(tours_page)
        .service(tour_overview::tour_page)
        .service(stop_detail::stop_page)
        .service(stop_detail::live_fragment)
        .service(pick_quote);
    attendee::routes(cfg);
}

/// The filters and view options of a dashboard, as typed in its query string.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    pub company_size: Option<String>,
    pub partner_type: Option<String>,
    /// The figure of the trend chart.
    pub figure: Option<String>,
    /// The column the stops are sorted by, and `asc`/`desc`.
    pub sort: Option<String>,
    pub dir: Option<String>,
}

impl DashboardQuery {
    /// The attendees counted, checked.
    pub fn filter(&self) -> Result<AttendeeFilter, AppError> {
        AttendeeFilter::parse(self.company_size.as_deref(), self.partner_type.as_deref())
    }

    /// The filter as a query string (`company_size=…&partner_type=…`), for links that keep it.
    fn filter_query(filter: &AttendeeFilter) -> String {
        let mut pairs = Vec::new();
        if let Some(size) = &filter.company_size {
            pairs.push(("company_size", size.as_str()));
        }
        if let Some(kind) = &filter.partner_type {
            pairs.push(("partner_type", kind.as_str()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// A `<select>`'s options: `(value, label, selected)`.
type Options = Vec<(String, String, bool)>;

/// Options of `<select>` for `values`, labelled by `label`, the `current` one selected.
fn options(values: &[&str], current: Option<&str>, label: impl Fn(&str) -> String) -> Options {
    values
        .iter()
        .map(|v| ((*v).to_owned(), label(v), current == Some(*v)))
        .collect()
}

/// The company sizes and kinds of partner a dashboard can be narrowed to.
fn filter_options(filter: &AttendeeFilter, tr: Locale) -> (Options, Options) {
    let sizes = options(COMPANY_SIZES, filter.company_size.as_deref(), |s| {
        format!("{s} {}", tr.t("register.employees"))
    });
    let kinds = options(PARTNER_TYPES, filter.partner_type.as_deref(), |k| {
        tr.t(&format!("partner_type.{k}")).to_owned()
    });
    (sizes, kinds)
}

/// A figure of a row by its key, as a number (sorting, trend); `None` when it has no value.
fn figure_value(f: &Figures, key: &str) -> Option<f64> {
    match key {
        "registered" => Some(f.registered as f64),
        "confirmed" => Some(f.confirmed as f64),
        "checked_in" => Some(f.checked_in as f64),
        "no_show_rate" => f.no_show_rate,
        "specialist_label_share" => f.specialist_label_share,
        "avg_overall" => f.feedback.avg_overall,
        "nps" => f.feedback.nps,
        "response_rate" => f.feedback.response_rate,
        "complaints_open" => Some(f.open_complaints() as f64),
        "complaints_resolved" => Some(f.resolved_complaints() as f64),
        "outcomes" => Some(f.outcomes_total() as f64),
        _ => None,
    }
}

fn figure_format(key: &str) -> ValueFormat {
    match key {
        "no_show_rate" | "specialist_label_share" | "response_rate" => ValueFormat::Percent,
        "avg_overall" => ValueFormat::Decimal,
        _ => ValueFormat::Count,
    }
}

fn format_figure(v: Option<f64>, format: ValueFormat, tr: Locale) -> String {
    match format {
        ValueFormat::Percent => format::percent(v, tr),
        ValueFormat::Decimal => format::decimal(v, 1, tr),
        ValueFormat::Count => {
            v.map_or_else(|| "—".to_owned(), |v| format::count(v.round() as i64, tr))
        }
    }
}

/// An outcome kind in words: known kinds are translated, others shown as typed.
pub fn outcome_label(kind: &str, tr: Locale) -> String {
    let key = format!("outcome.{kind}");
    let text = tr.t(&key);
    if text == key {
        kind.replace('_', " ")
    } else {
        text.to_owned()
    }
}

/// A `(label, value)` line of a chart's data table.
fn table_rows<'a, T: 'a>(
    labels: &[String],
    values: impl IntoIterator<Item = &'a T>,
    value: impl Fn(&T) -> String,
) -> Vec<(String, String)> {
    labels
        .iter()
        .zip(values)
        .map(|(l, v)| (l.clone(), value(v)))
        .collect()
}

/// Serves a page: its errors become the error page.
async fn rendered(
    req: &HttpRequest,
    work: impl Future<Output = Result<HttpResponse, AppError>>,
) -> Result<HttpResponse, PageError> {
    work.await.map_err(|e| PageError::new(req, e))
}

#[derive(Template)]
#[template(path = "analytics/index.html")]
struct ToursIndexPage {
    ctx: PageContext,
    tours: Vec<(String, String)>,
}

#[get("/analytics")]
async fn tours_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    rendered(&req, async {
        let tours = service::list_tours(&state.pool).await?;
        html(StatusCode::OK, &ToursIndexPage { ctx, tours })
    })
    .await
}

#[derive(Deserialize)]
struct QuoteForm {
    /// `yes` to pick the comment as a quote, anything else to drop it.
    pick: String,
    stop_id: String,
}

#[post("/analytics/feedback/{feedback_id}/quote")]
async fn pick_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    form: CsrfForm<QuoteForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let actor = crate::audit::Actor::from(&user.user);
    rendered(&req, async {
        service::pick_quote(&state, path.into_inner(), form.pick == "yes", actor).await?;
        Ok(redirect_see_other(&format!(
            "/analytics/stops/{}#quotes",
            form.stop_id
        )))
    })
    .await
}
