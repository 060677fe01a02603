//! The tour overview: a row per stop (sortable), the funnel, attendance per stop, a figure's
//! trend across the stops against the tour's average, and progress against the targets.

use std::cmp::Ordering;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::{
    DashboardQuery, Options, figure_format, figure_value, filter_options, format_figure, options,
    outcome_label, rendered, table_rows,
};
use crate::analytics::charts::{self, ChartSpec, Series, ValueFormat};
use crate::analytics::figures::AttendeeFilter;
use crate::analytics::format;
use crate::analytics::report::{Figures, StopRow, TourAnalytics};
use crate::analytics::service;
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::web::{PageContext, PageError, html};

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

/// The columns of the stops' table: `(sort key, label, numeric)`.
const COLUMNS: [(&str, &str, bool); 12] = [
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
        complaints_open: format::count(f.open_complaints(), tr),
        complaints_resolved: format::count(f.resolved_complaints(), tr),
        outcomes: format::count(f.outcomes_total(), tr),
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

/// A chart with its data table.
struct Chart {
    svg: String,
    rows: Vec<(String, String)>,
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

#[get("/analytics/tours/{tour_id}")]
pub(super) async fn tour_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    rendered(&req, async {
        let filter = query.filter()?;
        let tour = service::cached_tour(&state, path.into_inner(), filter.clone()).await?;
        html(
            StatusCode::OK,
            &tour_page_view(ctx, (*tour).clone(), &filter, &query),
        )
    })
    .await
}

fn tour_page_view(
    ctx: PageContext,
    mut tour: TourAnalytics,
    filter: &AttendeeFilter,
    query: &DashboardQuery,
) -> TourPage {
    let tr = ctx.tr;
    let filter_query = DashboardQuery::filter_query(filter);
    let sort_key = query.sort.clone().unwrap_or_default();
    let descending = query.dir.as_deref() == Some("desc");
    sort_stops(&mut tour.stops, &sort_key, descending);
    let current = if sort_key.is_empty() {
        "date"
    } else {
        &sort_key
    };
    let headers = headers(&filter_query, current, descending, tr);
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
    let funnel = funnel_chart(&tour, tr);
    let attendance_svg = attendance_chart(&tour.stops, &cities, tr);
    let figure = query
        .figure
        .as_deref()
        .filter(|f| TREND_FIGURES.contains(f))
        .unwrap_or("no_show_rate");
    let trend_label = tr.t(&format!("analytics.figure.{figure}")).to_owned();
    let trend = trend_chart(&tour, &cities, figure, &trend_label, tr);
    let figures = options(TREND_FIGURES, Some(figure), |f| {
        tr.t(&format!("analytics.figure.{f}")).to_owned()
    });
    let targets = tour.targets.iter().map(|t| TargetView {
        label: outcome_label(&t.outcome, tr),
        reached: format::count(t.reached, tr),
        value: format::count(i64::from(t.value), tr),
        percent: format::percent(Some(t.progress), tr),
        progress: (t.progress * 100.0).round().clamp(0.0, 100.0) as i64,
    });
    let (sizes, kinds) = filter_options(filter, tr);
    TourPage {
        totals: cells(&tour.totals, tr),
        targets: targets.collect(),
        tour_id: tour.tour_id,
        name: tour.name,
        filtered: !filter.is_everyone(),
        filter_query,
        sizes,
        kinds,
        figures,
        headers,
        rows,
        funnel_svg: funnel.svg,
        funnel_rows: funnel.rows,
        attendance_svg,
        trend_svg: trend.svg,
        trend_label,
        trend_rows: trend.rows,
        ctx,
    }
}

/// Sorts the stops by date unless a column was picked; stops without the figure go last
/// whichever the direction.
fn sort_stops(stops: &mut [StopRow], sort_key: &str, descending: bool) {
    if !sort_key.is_empty() && sort_key != "date" && sort_key != "city" {
        stops.sort_by(|a, b| {
            let (x, y) = (
                figure_value(&a.figures, sort_key),
                figure_value(&b.figures, sort_key),
            );
            match (x, y) {
                (Some(x), Some(y)) if descending => y.total_cmp(&x),
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        });
    } else if sort_key == "city" {
        stops.sort_by(|a, b| a.city.cmp(&b.city));
        if descending {
            stops.reverse();
        }
    } else if descending {
        stops.reverse();
    }
}

/// The column headers, each linking to the table sorted by it (the other way when it is the
/// `current` one), the filter kept.
fn headers(filter_query: &str, current: &str, descending: bool, tr: Locale) -> Vec<Header> {
    COLUMNS
        .iter()
        .map(|(key, label, numeric)| {
            let active = *key == current;
            let next_dir = if active && !descending { "desc" } else { "asc" };
            let mut q = filter_query.to_owned();
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
        .collect()
}

/// registered → checked in → attended a workshop → each outcome, as horizontal bars.
fn funnel_chart(tour: &TourAnalytics, tr: Locale) -> Chart {
    let labels: Vec<String> = [
        "analytics.registered",
        "analytics.checked_in",
        "analytics.attended_workshop",
    ]
    .iter()
    .map(|k| tr.t(k).to_owned())
    .chain(tour.funnel.outcomes.keys().map(|k| outcome_label(k, tr)))
    .collect();
    let values: Vec<f64> = [
        tour.funnel.registered,
        tour.funnel.checked_in,
        tour.funnel.attended_workshop,
    ]
    .into_iter()
    .chain(tour.funnel.outcomes.values().copied())
    .map(|v| v as f64)
    .collect();
    let height = 60 + 44 * values.len() as u32;
    let spec = ChartSpec::counts("chart-funnel", tr.t("analytics.funnel"), (720, height), tr);
    Chart {
        svg: charts::horizontal_bars(&spec, &labels, &values),
        rows: table_rows(&labels, &values, |v| format::count(*v as i64, tr)),
    }
}

/// Confirmed and checked in per stop.
fn attendance_chart(stops: &[StopRow], cities: &[String], tr: Locale) -> String {
    let series = |label: &str, value: fn(&Figures) -> i64| Series {
        name: tr.t(label).to_owned(),
        values: stops.iter().map(|s| value(&s.figures) as f64).collect(),
    };
    charts::bars(
        &ChartSpec::counts(
            "chart-attendance",
            tr.t("analytics.chart_attendance"),
            (900, 360),
            tr,
        ),
        cities,
        &[
            series("analytics.confirmed", |f| f.confirmed),
            series("analytics.checked_in", |f| f.checked_in),
        ],
    )
}

/// A figure of each stop, against the tour's average per stop.
fn trend_chart(
    tour: &TourAnalytics,
    cities: &[String],
    figure: &str,
    label: &str,
    tr: Locale,
) -> Chart {
    let values: Vec<f64> = tour
        .stops
        .iter()
        .map(|s| figure_value(&s.figures, figure).unwrap_or(0.0))
        .collect();
    let average = figure_value(&tour.average_per_stop, figure).unwrap_or(0.0);
    let trend_format = figure_format(figure);
    let spec = ChartSpec {
        format: trend_format,
        y_max: match trend_format {
            ValueFormat::Percent => Some(1.0),
            ValueFormat::Decimal => Some(5.0),
            ValueFormat::Count => None,
        },
        ..ChartSpec::counts("chart-trend", label, (900, 340), tr)
    };
    let series = [
        Series {
            name: label.to_owned(),
            values: values.clone(),
        },
        Series {
            name: tr.t("analytics.tour_average").to_owned(),
            values: vec![average; values.len()],
        },
    ];
    Chart {
        svg: charts::lines(&spec, cities, &series),
        rows: table_rows(cities, &tour.stops, |s: &StopRow| {
            format_figure(figure_value(&s.figures, figure), trend_format, tr)
        }),
    }
}
