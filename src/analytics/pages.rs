//! Marketing's dashboards: the tour overview (a row per stop, funnel, targets, trends) and a
//! stop's detail (arrivals, workshops, registrations over time, feedback, complaints, quotes),
//! refreshed live on the day. Charts are SVG drawn on the server; every chart has its table.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::charts::{self, ChartSpec, Series, ValueFormat};
use super::figures::AttendeeFilter;
use super::format;
use super::report::{self, Figures, StopAnalytics, TourAnalytics};
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::db;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::registrations::domain::{COMPANY_SIZES, PARTNER_TYPES};
use crate::state::AppState;
use crate::web::{CsrfForm, PageContext, PageError, html, redirect_see_other};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/analytics", web::get().to(tours_page))
        .route("/analytics/tours/{tour_id}", web::get().to(tour_page))
        .route("/analytics/stops/{stop_id}", web::get().to(stop_page))
        .route(
            "/analytics/stops/{stop_id}/live",
            web::get().to(live_fragment),
        )
        .route(
            "/analytics/feedback/{feedback_id}/quote",
            web::post().to(pick_quote),
        );
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
    fn filter(&self) -> Result<AttendeeFilter, AppError> {
        report::parse_filter(self.company_size.as_deref(), self.partner_type.as_deref())
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

fn filter_options(filter: &AttendeeFilter, tr: Locale) -> (Options, Options) {
    let sizes = COMPANY_SIZES
        .iter()
        .map(|s| {
            (
                (*s).to_owned(),
                format!("{s} {}", tr.t("register.employees")),
                filter.company_size.as_deref() == Some(*s),
            )
        })
        .collect();
    let kinds = PARTNER_TYPES
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                tr.t(&format!("partner_type.{k}")).to_owned(),
                filter.partner_type.as_deref() == Some(*k),
            )
        })
        .collect();
    (sizes, kinds)
}

/// The figures a marketer compares across stops, in the order of the trend chart's menu.
const TREND_FIGURES: &[&str] = &[
    "checked_in",
    "no_show_rate",
    "specialist_label_share",
    "avg_overall",
    "nps",
    "response_rate",
    "registered",
];

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
        "complaints_open" => Some(open_complaints(f) as f64),
        "complaints_resolved" => {
            Some(f.complaints_by_status.get("resolved").copied().unwrap_or(0) as f64)
        }
        "outcomes" => Some(f.outcomes.values().sum::<i64>() as f64),
        _ => None,
    }
}

fn open_complaints(f: &Figures) -> i64 {
    ["open", "acknowledged"]
        .iter()
        .map(|s| f.complaints_by_status.get(*s).copied().unwrap_or(0))
        .sum()
}

fn figure_format(key: &str) -> ValueFormat {
    match key {
        "no_show_rate" | "specialist_label_share" | "response_rate" => ValueFormat::Percent,
        "avg_overall" => ValueFormat::Decimal,
        _ => ValueFormat::Count,
    }
}

/// A row of the tour table, formatted for the reader.
struct StopRowView {
    stop_id: String,
    date: String,
    city: String,
    cells: RowCells,
}

struct RowCells {
    registered: String,
    confirmed: String,
    checked_in: String,
    no_show_rate: String,
    label_share: String,
    avg_overall: String,
    nps: String,
    complaints_open: String,
    complaints_resolved: String,
    outcomes: String,
}

fn cells(f: &Figures, tr: Locale) -> RowCells {
    RowCells {
        registered: format::count(f.registered, tr),
        confirmed: format::count(f.confirmed, tr),
        checked_in: format::count(f.checked_in, tr),
        no_show_rate: format::percent(f.no_show_rate, tr),
        label_share: format::percent(f.specialist_label_share, tr),
        avg_overall: format::decimal(f.feedback.avg_overall, 1, tr),
        nps: format::decimal(f.feedback.nps, 0, tr),
        complaints_open: format::count(open_complaints(f), tr),
        complaints_resolved: format::count(
            f.complaints_by_status.get("resolved").copied().unwrap_or(0),
            tr,
        ),
        outcomes: format::count(f.outcomes.values().sum(), tr),
    }
}

/// A sortable column header: its label, the link that sorts by it, its `aria-sort`.
struct Header {
    label: String,
    href: String,
    aria_sort: &'static str,
    numeric: bool,
}

/// A target with its progress bar.
struct TargetView {
    label: String,
    reached: String,
    value: String,
    percent: String,
    /// 0–100 for the `<progress>` element.
    progress: i64,
}

#[derive(Template)]
#[template(path = "analytics/tour.html")]
struct TourPage {
    ctx: PageContext,
    tour_id: String,
    name: String,
    filter_query: String,
    sizes: Options,
    kinds: Options,
    figures: Options,
    headers: Vec<Header>,
    rows: Vec<StopRowView>,
    totals: RowCells,
    funnel_svg: String,
    funnel_rows: Vec<(String, String)>,
    attendance_svg: String,
    trend_svg: String,
    trend_label: String,
    trend_rows: Vec<(String, String)>,
    targets: Vec<TargetView>,
    filtered: bool,
}

#[derive(Template)]
#[template(path = "analytics/index.html")]
struct ToursIndexPage {
    ctx: PageContext,
    tours: Vec<(String, String)>,
}

async fn tours_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let tours = db::run(&state.pool, |conn| {
        Ok(crate::tours::service::list_tours(conn)?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect::<Vec<_>>())
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    html(
        actix_web::http::StatusCode::OK,
        &ToursIndexPage { ctx, tours },
    )
    .map_err(|e| PageError::new(&req, e))
}

async fn tour_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let filter = query.filter().map_err(|e| PageError::new(&req, e))?;
    let tour = report::cached_tour(&state, path.into_inner(), filter.clone())
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let page = tour_page_view(ctx, (*tour).clone(), &filter, &query);
    html(actix_web::http::StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

fn tour_page_view(
    ctx: PageContext,
    mut tour: TourAnalytics,
    filter: &AttendeeFilter,
    query: &DashboardQuery,
) -> TourPage {
    let tr = ctx.tr;
    let filter_query = DashboardQuery::filter_query(filter);

    // Sorting: by date unless a column was picked; missing values last.
    let sort_key = query.sort.clone().unwrap_or_default();
    let descending = query.dir.as_deref() == Some("desc");
    if !sort_key.is_empty() && sort_key != "date" && sort_key != "city" {
        tour.stops.sort_by(|a, b| {
            let (x, y) = (
                figure_value(&a.figures, &sort_key),
                figure_value(&b.figures, &sort_key),
            );
            // Stops without the figure go last whichever the direction.
            match (x, y) {
                (Some(x), Some(y)) if descending => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
    } else if sort_key == "city" {
        tour.stops.sort_by(|a, b| a.city.cmp(&b.city));
        if descending {
            tour.stops.reverse();
        }
    } else if descending {
        tour.stops.reverse();
    }
    let columns: [(&str, &str, bool); 12] = [
        ("date", "analytics.date", false),
        ("city", "stops.city", false),
        ("registered", "analytics.registered", true),
        ("confirmed", "analytics.confirmed", true),
        ("checked_in", "analytics.checked_in", true),
        ("no_show_rate", "analytics.no_show_rate", true),
        ("specialist_label_share", "analytics.label_share", true),
        ("avg_overall", "analytics.avg_overall", true),
        ("nps", "analytics.nps", true),
        ("complaints_open", "analytics.complaints_open", true),
        ("complaints_resolved", "analytics.complaints_resolved", true),
        ("outcomes", "analytics.outcomes", true),
    ];
    let current = if sort_key.is_empty() {
        "date"
    } else {
        sort_key.as_str()
    };
    let headers = columns
        .iter()
        .map(|(key, label, numeric)| {
            let active = *key == current;
            let next_dir = if active && !descending { "desc" } else { "asc" };
            let mut q = filter_query.clone();
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("sort={key}&dir={next_dir}"));
            Header {
                label: tr.t(label).to_owned(),
                href: format!("?{q}"),
                aria_sort: match (active, descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                numeric: *numeric,
            }
        })
        .collect();

    let cities: Vec<String> = tour.stops.iter().map(|s| s.city.clone()).collect();
    let rows = tour
        .stops
        .iter()
        .map(|s| StopRowView {
            stop_id: s.stop_id.clone(),
            date: crate::time::display_day(s.date, tr),
            city: s.city.clone(),
            cells: cells(&s.figures, tr),
        })
        .collect();

    let funnel_labels: Vec<String> = std::iter::once(tr.t("analytics.registered").to_owned())
        .chain([
            tr.t("analytics.checked_in").to_owned(),
            tr.t("analytics.attended_workshop").to_owned(),
        ])
        .chain(tour.funnel.outcomes.keys().map(|k| outcome_label(k, tr)))
        .collect();
    let funnel_values: Vec<f64> = [
        tour.funnel.registered,
        tour.funnel.checked_in,
        tour.funnel.attended_workshop,
    ]
    .into_iter()
    .chain(tour.funnel.outcomes.values().copied())
    .map(|v| v as f64)
    .collect();
    let funnel_svg = charts::horizontal_bars(
        &ChartSpec {
            id: "chart-funnel",
            title: tr.t("analytics.funnel"),
            width: 720,
            height: 60 + 44 * funnel_values.len() as u32,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &funnel_labels,
        &funnel_values,
    );
    let funnel_rows = funnel_labels
        .iter()
        .zip(&funnel_values)
        .map(|(l, v)| (l.clone(), format::count(*v as i64, tr)))
        .collect();

    let attendance_svg = charts::bars(
        &ChartSpec {
            id: "chart-attendance",
            title: tr.t("analytics.chart_attendance"),
            width: 900,
            height: 360,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &cities,
        &[
            Series {
                name: tr.t("analytics.confirmed").to_owned(),
                values: tour
                    .stops
                    .iter()
                    .map(|s| s.figures.confirmed as f64)
                    .collect(),
            },
            Series {
                name: tr.t("analytics.checked_in").to_owned(),
                values: tour
                    .stops
                    .iter()
                    .map(|s| s.figures.checked_in as f64)
                    .collect(),
            },
        ],
    );

    let figure = query
        .figure
        .as_deref()
        .filter(|f| TREND_FIGURES.contains(f))
        .unwrap_or("no_show_rate");
    let figure_label = tr.t(&format!("analytics.figure.{figure}")).to_owned();
    let values: Vec<f64> = tour
        .stops
        .iter()
        .map(|s| figure_value(&s.figures, figure).unwrap_or(0.0))
        .collect();
    let average = figure_value(&tour.average_per_stop, figure).unwrap_or(0.0);
    let trend_format = figure_format(figure);
    let trend_svg = charts::lines(
        &ChartSpec {
            id: "chart-trend",
            title: &figure_label,
            width: 900,
            height: 340,
            format: trend_format,
            locale: tr,
            y_max: match trend_format {
                ValueFormat::Percent => Some(1.0),
                ValueFormat::Decimal => Some(5.0),
                ValueFormat::Count => None,
            },
        },
        &cities,
        &[
            Series {
                name: figure_label.clone(),
                values: values.clone(),
            },
            Series {
                name: tr.t("analytics.tour_average").to_owned(),
                values: vec![average; values.len()],
            },
        ],
    );
    let trend_rows = tour
        .stops
        .iter()
        .map(|s| {
            let v = figure_value(&s.figures, figure);
            (s.city.clone(), format_figure(v, trend_format, tr))
        })
        .collect();
    let figures = TREND_FIGURES
        .iter()
        .map(|f| {
            (
                (*f).to_owned(),
                tr.t(&format!("analytics.figure.{f}")).to_owned(),
                *f == figure,
            )
        })
        .collect();
    let targets = tour
        .targets
        .iter()
        .map(|t| TargetView {
            label: outcome_label(&t.outcome, tr),
            reached: format::count(t.reached, tr),
            value: format::count(i64::from(t.value), tr),
            percent: format::percent(Some(t.progress), tr),
            progress: (t.progress * 100.0).round().clamp(0.0, 100.0) as i64,
        })
        .collect();
    let (sizes, kinds) = filter_options(filter, tr);
    TourPage {
        totals: cells(&tour.totals, tr),
        tour_id: tour.tour_id,
        name: tour.name,
        filtered: !filter.is_everyone(),
        filter_query,
        sizes,
        kinds,
        figures,
        headers,
        rows,
        funnel_svg,
        funnel_rows,
        attendance_svg,
        trend_svg,
        trend_label: figure_label,
        trend_rows,
        targets,
        ctx,
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

/// A headline figure of a stop, with the tour's average beside it.
struct Fact {
    label: String,
    value: String,
    average: String,
    difference: String,
}

/// What refreshes on the day: headline figures, arrivals, workshops.
struct LivePart {
    stop_id: String,
    filter_query: String,
    facts: Vec<Fact>,
    arrivals_svg: String,
    arrival_rows: Vec<(String, String)>,
    workshops: Vec<WorkshopView>,
    workshops_svg: String,
    updated_at: String,
}

struct WorkshopView {
    title: String,
    time: String,
    room: String,
    trainer: String,
    label: bool,
    capacity: String,
    confirmed: String,
    fill: String,
    attended: String,
    share: String,
}

struct CommentView {
    feedback_id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "analytics/stop.html")]
struct StopPage {
    ctx: PageContext,
    tour_id: String,
    tour_name: String,
    city: String,
    venue: String,
    day: String,
    /// Refresh every few seconds: the stop is today.
    is_live: bool,
    sizes: Options,
    kinds: Options,
    filtered: bool,
    live: LivePart,
    registrations_svg: String,
    registration_rows: Vec<(String, String, String)>,
    feedback_facts: Vec<Fact>,
    themes_svg: String,
    theme_rows: Vec<(String, String)>,
    quotes: Vec<CommentView>,
    comments: Vec<CommentView>,
}

#[derive(Template)]
#[template(path = "analytics/_live.html")]
struct LiveFragment {
    ctx: PageContext,
    live: LivePart,
}

/// Everything the stop page shows, read in one go.
struct StopData {
    stop: std::sync::Arc<StopAnalytics>,
    tour: std::sync::Arc<TourAnalytics>,
    comments: Vec<(String, String, bool)>,
}

async fn load_stop(
    state: &AppState,
    stop_id: String,
    filter: AttendeeFilter,
    with_comments: bool,
) -> Result<StopData, AppError> {
    let stop = report::cached_stop(state, stop_id.clone(), filter.clone()).await?;
    let tour = report::cached_tour(state, stop.tour_id.clone(), filter).await?;
    let comments = if with_comments {
        db::run(&state.pool, move |conn| {
            crate::feedback::summary::recent_comments(conn, &stop_id, 40)
        })
        .await?
    } else {
        Vec::new()
    };
    Ok(StopData {
        stop,
        tour,
        comments,
    })
}

fn live_part(data: &StopData, filter: &AttendeeFilter, tr: Locale) -> LivePart {
    let s = &data.stop.figures;
    let avg = &data.tour.average_per_stop;
    let count_fact = |label: &str, v: i64, a: i64| Fact {
        label: tr.t(label).to_owned(),
        value: format::count(v, tr),
        average: format::count(a, tr),
        difference: format::difference(Some(v as f64), Some(a as f64), 0, tr),
    };
    let rate_fact = |label: &str, v: Option<f64>, a: Option<f64>| Fact {
        label: tr.t(label).to_owned(),
        value: format::percent(v, tr),
        average: format::percent(a, tr),
        difference: format::difference(v.map(|v| v * 100.0), a.map(|a| a * 100.0), 0, tr)
            + if v.is_some() && a.is_some() {
                " pts"
            } else {
                ""
            },
    };
    let facts = vec![
        count_fact("analytics.registered", s.registered, avg.registered),
        count_fact("analytics.confirmed", s.confirmed, avg.confirmed),
        count_fact("analytics.waitlisted", s.waitlisted, avg.waitlisted),
        count_fact("analytics.cancelled", s.cancelled, avg.cancelled),
        count_fact("analytics.walk_ins", s.walk_ins, avg.walk_ins),
        count_fact("analytics.checked_in", s.checked_in, avg.checked_in),
        count_fact("analytics.no_shows", s.no_shows, avg.no_shows),
        rate_fact("analytics.no_show_rate", s.no_show_rate, avg.no_show_rate),
        rate_fact(
            "analytics.label_share",
            s.specialist_label_share,
            avg.specialist_label_share,
        ),
    ];
    let tz_name = data.stop.timezone.clone();
    let arrival_labels: Vec<String> = data
        .stop
        .arrivals
        .iter()
        .map(|a| a.at.format("%H:%M").to_string())
        .collect();
    let arrivals_svg = charts::bars(
        &ChartSpec {
            id: "chart-arrivals",
            title: &format!("{} ({tz_name})", tr.t("analytics.arrivals")),
            width: 900,
            height: 320,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &arrival_labels,
        &[Series {
            name: tr.t("analytics.arrivals").to_owned(),
            values: data.stop.arrivals.iter().map(|a| a.count as f64).collect(),
        }],
    );
    let arrival_rows = arrival_labels
        .iter()
        .zip(&data.stop.arrivals)
        .map(|(l, a)| (l.clone(), format::count(a.count, tr)))
        .collect();
    let workshops: Vec<WorkshopView> = data
        .stop
        .workshops
        .iter()
        .map(|w| WorkshopView {
            title: w.title.clone(),
            time: w.starts_at.format("%H:%M").to_string(),
            room: w.room.clone(),
            trainer: w.trainer.clone(),
            label: w.specialist_label,
            capacity: format::count(i64::from(w.capacity), tr),
            confirmed: format::count(w.confirmed, tr),
            fill: format::percent(w.fill_rate, tr),
            attended: format::count(w.attended, tr),
            share: format::percent(w.share_of_attendees, tr),
        })
        .collect();
    // Time and room name a workshop in a few characters; titles are too long for an axis.
    let workshop_labels: Vec<String> = data
        .stop
        .workshops
        .iter()
        .map(|w| {
            let place = if w.room.is_empty() {
                w.title.chars().take(14).collect::<String>()
            } else {
                w.room.clone()
            };
            format!("{} {place}", w.starts_at.format("%H:%M"))
        })
        .collect();
    let workshops_svg = charts::bars(
        &ChartSpec {
            id: "chart-workshops",
            title: tr.t("analytics.chart_workshops"),
            width: 900,
            height: 340,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &workshop_labels,
        &[
            Series {
                name: tr.t("analytics.capacity").to_owned(),
                values: data
                    .stop
                    .workshops
                    .iter()
                    .map(|w| f64::from(w.capacity))
                    .collect(),
            },
            Series {
                name: tr.t("analytics.enrolled").to_owned(),
                values: data
                    .stop
                    .workshops
                    .iter()
                    .map(|w| w.confirmed as f64)
                    .collect(),
            },
            Series {
                name: tr.t("analytics.attended").to_owned(),
                values: data
                    .stop
                    .workshops
                    .iter()
                    .map(|w| w.attended as f64)
                    .collect(),
            },
        ],
    );
    let tz = crate::time::parse_timezone(&data.stop.timezone).unwrap_or(chrono_tz::Tz::UTC);
    LivePart {
        stop_id: data.stop.stop_id.clone(),
        filter_query: DashboardQuery::filter_query(filter),
        facts,
        arrivals_svg,
        arrival_rows,
        workshops,
        workshops_svg,
        updated_at: crate::time::display_time(crate::time::now(), tz),
    }
}

async fn stop_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let tr = ctx.tr;
    let filter = query.filter().map_err(|e| PageError::new(&req, e))?;
    let data = load_stop(&state, path.into_inner(), filter.clone(), true)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let live = live_part(&data, &filter, tr);
    let stop = &data.stop;
    let tz = crate::time::parse_timezone(&stop.timezone).unwrap_or(chrono_tz::Tz::UTC);
    let today = crate::time::in_zone(crate::time::now(), tz).date_naive();
    let day = stop.starts_at.date_naive();

    let mut running = 0;
    let registration_rows: Vec<(String, String, String)> = stop
        .registrations_per_day
        .iter()
        .map(|d| {
            running += d.count;
            (
                crate::time::display_day(d.date, tr),
                format::count(d.count, tr),
                format::count(running, tr),
            )
        })
        .collect();
    let mut cumulative = 0;
    let registrations_svg = charts::lines(
        &ChartSpec {
            id: "chart-registrations",
            title: tr.t("analytics.chart_registrations"),
            width: 900,
            height: 320,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &stop
            .registrations_per_day
            .iter()
            .map(|d| d.date.format("%d/%m").to_string())
            .collect::<Vec<_>>(),
        &[Series {
            name: tr.t("analytics.registered").to_owned(),
            values: stop
                .registrations_per_day
                .iter()
                .map(|d| {
                    cumulative += d.count;
                    cumulative as f64
                })
                .collect(),
        }],
    );

    let f = &stop.figures.feedback;
    let a = &data.tour.average_per_stop.feedback;
    let decimal_fact = |label: &str, v: Option<f64>, avg: Option<f64>, places: usize| Fact {
        label: tr.t(label).to_owned(),
        value: format::decimal(v, places, tr),
        average: format::decimal(avg, places, tr),
        difference: format::difference(v, avg, places, tr),
    };
    let feedback_facts = vec![
        Fact {
            label: tr.t("analytics.responses").to_owned(),
            value: format::count(f.responses, tr),
            average: format::count(a.responses, tr),
            difference: format::difference(
                Some(f.responses as f64),
                Some(a.responses as f64),
                0,
                tr,
            ),
        },
        Fact {
            label: tr.t("analytics.figure.response_rate").to_owned(),
            value: format::percent(f.response_rate, tr),
            average: format::percent(a.response_rate, tr),
            difference: String::new(),
        },
        decimal_fact("analytics.avg_overall", f.avg_overall, a.avg_overall, 1),
        decimal_fact("analytics.avg_trainers", f.avg_trainers, a.avg_trainers, 1),
        decimal_fact("analytics.avg_content", f.avg_content, a.avg_content, 1),
        decimal_fact("analytics.nps", f.nps, a.nps, 0),
    ];
    let themes = super::figures::THEMES;
    let theme_count = |counts: &std::collections::BTreeMap<String, i64>, t: &str| {
        counts.get(t).copied().unwrap_or(0)
    };
    let theme_labels: Vec<String> = themes
        .iter()
        .map(|t| tr.t(&format!("theme_short.{t}")).to_owned())
        .collect();
    let themes_svg = charts::bars(
        &ChartSpec {
            id: "chart-themes",
            title: tr.t("analytics.chart_themes"),
            width: 720,
            height: 300,
            format: ValueFormat::Count,
            locale: tr,
            y_max: None,
        },
        &theme_labels,
        &[
            Series {
                name: stop.city.clone(),
                values: themes
                    .iter()
                    .map(|t| theme_count(&stop.figures.complaints, t) as f64)
                    .collect(),
            },
            Series {
                name: tr.t("analytics.tour_average").to_owned(),
                values: themes
                    .iter()
                    .map(|t| theme_count(&data.tour.average_per_stop.complaints, t) as f64)
                    .collect(),
            },
        ],
    );
    let theme_rows = theme_labels
        .iter()
        .zip(themes)
        .map(|(l, t)| {
            (
                l.clone(),
                format::count(theme_count(&stop.figures.complaints, t), tr),
            )
        })
        .collect();
    let quotes = stop
        .quotes
        .iter()
        .map(|q| CommentView {
            feedback_id: q.feedback_id.clone(),
            text: q.text.clone(),
        })
        .collect();
    let comments = data
        .comments
        .iter()
        .filter(|(_, _, picked)| !picked)
        .map(|(id, text, _)| CommentView {
            feedback_id: id.clone(),
            text: text.clone(),
        })
        .collect();
    let (sizes, kinds) = filter_options(&filter, tr);
    let page = StopPage {
        tour_id: data.tour.tour_id.clone(),
        tour_name: data.tour.name.clone(),
        city: stop.city.clone(),
        venue: stop.venue.clone(),
        day: crate::time::display_day(day, tr),
        is_live: day == today,
        sizes,
        kinds,
        filtered: !filter.is_everyone(),
        registrations_svg,
        registration_rows,
        feedback_facts,
        themes_svg,
        theme_rows,
        quotes,
        comments,
        live,
        ctx,
    };
    html(actix_web::http::StatusCode::OK, &page).map_err(|e| PageError::new(&req, e))
}

/// The part of the stop page that changes during the day, for `static/live.js` to swap in.
async fn live_fragment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    let filter = query.filter().map_err(|e| PageError::new(&req, e))?;
    let data = load_stop(&state, path.into_inner(), filter.clone(), false)
        .await
        .map_err(|e| PageError::new(&req, e))?;
    let live = live_part(&data, &filter, ctx.tr);
    let mut response = html(actix_web::http::StatusCode::OK, &LiveFragment { ctx, live })
        .map_err(|e| PageError::new(&req, e))?;
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct QuoteForm {
    /// `yes` to pick the comment as a quote, anything else to drop it.
    pick: String,
    stop_id: String,
}

async fn pick_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    _user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    form: CsrfForm<QuoteForm>,
) -> Result<HttpResponse, PageError> {
    let feedback_id = path.into_inner();
    let form = form.0;
    let pick = form.pick == "yes";
    db::transaction(&state.pool, move |conn| {
        crate::feedback::summary::select_quote(conn, &feedback_id, pick)
    })
    .await
    .map_err(|e| PageError::new(&req, e))?;
    // Marketing goes back to the stop's page and expects the quote there.
    state.analytics.stops.clear();
    Ok(redirect_see_other(&format!(
        "/analytics/stops/{}#quotes",
        form.stop_id
    )))
}
