//! A stop's detail: headline figures against the tour's average, arrivals, workshops,
//! registrations over time, feedback, complaints and quotes. The live part (figures, arrivals,
//! workshops) is also served alone, for `static/live.js` to swap in every few seconds.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

use super::{DashboardQuery, Options, filter_options, rendered, table_rows};
use crate::analytics::charts::{self, ChartSpec, Series};
use crate::analytics::figures::AttendeeFilter;
use crate::analytics::format;
use crate::analytics::report::{Figures, StopAnalytics, WorkshopRow};
use crate::analytics::service::{self, StopDashboard};
use crate::auth::PageUser;
use crate::auth::policy::ReadAnalytics;
use crate::complaints::domain::ComplaintTheme;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::{display_day, display_time, in_zone, now};
use crate::web::{PageContext, PageError, html};

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

#[get("/analytics/stops/{stop_id}")]
pub(super) async fn stop_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    rendered(&req, async {
        let filter = query.filter()?;
        let data = service::stop_dashboard(&state, path.into_inner(), filter.clone(), true).await?;
        html(StatusCode::OK, &stop_page_view(ctx, &data, &filter))
    })
    .await
}

/// The part of the stop page that changes during the day, for `static/live.js` to swap in.
#[get("/analytics/stops/{stop_id}/live")]
pub(super) async fn live_fragment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: PageUser<ReadAnalytics>,
    path: web::Path<String>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, PageError> {
    let ctx = PageContext::anonymous(&req).with_user(Some(user.user));
    rendered(&req, async {
        let filter = query.filter()?;
        let data =
            service::stop_dashboard(&state, path.into_inner(), filter.clone(), false).await?;
        let live = live_part(&data, &filter, ctx.tr);
        let mut response = html(StatusCode::OK, &LiveFragment { ctx, live })?;
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    })
    .await
}

fn stop_page_view(ctx: PageContext, data: &StopDashboard, filter: &AttendeeFilter) -> StopPage {
    let tr = ctx.tr;
    let stop = &data.stop;
    let tz = stop.timezone.tz();
    let day = stop.starts_at.date_naive();
    let (registrations_svg, registration_rows) = registrations_chart(stop, tr);
    let (themes_svg, theme_rows) = themes_chart(stop, &data.tour.average_per_stop, tr);
    let comment = |feedback_id: &String, text: &String| CommentView {
        feedback_id: feedback_id.clone(),
        text: text.clone(),
    };
    let (sizes, kinds) = filter_options(filter, tr);
    StopPage {
        tour_id: data.tour.tour_id.clone(),
        tour_name: data.tour.name.clone(),
        city: stop.city.clone(),
        venue: stop.venue.clone(),
        day: display_day(day, tr),
        is_live: day == in_zone(now(), tz).date_naive(),
        sizes,
        kinds,
        filtered: !filter.is_everyone(),
        registrations_svg,
        registration_rows,
        feedback_facts: feedback_facts(&stop.figures, &data.tour.average_per_stop, tr),
        themes_svg,
        theme_rows,
        quotes: stop
            .quotes
            .iter()
            .map(|q| comment(&q.feedback_id, &q.text))
            .collect(),
        comments: data
            .comments
            .iter()
            .filter(|(_, _, picked)| !picked)
            .map(|(id, text, _)| comment(id, text))
            .collect(),
        live: live_part(data, filter, tr),
        ctx,
    }
}

/// A fact written by `write`, with its difference to the average.
fn fact(
    label: &str,
    (value, average): (Option<f64>, Option<f64>),
    write: impl Fn(Option<f64>) -> String,
    difference: String,
    tr: Locale,
) -> Fact {
    Fact {
        label: tr.t(label).to_owned(),
        value: write(value),
        average: write(average),
        difference,
    }
}

fn count_fact(label: &str, v: i64, a: i64, tr: Locale) -> Fact {
    Fact {
        label: tr.t(label).to_owned(),
        value: format::count(v, tr),
        average: format::count(a, tr),
        difference: format::difference(Some(v as f64), Some(a as f64), 0, tr),
    }
}

fn rate_fact(label: &str, v: Option<f64>, a: Option<f64>, tr: Locale) -> Fact {
    let points = if v.is_some() && a.is_some() {
        " pts"
    } else {
        ""
    };
    let difference = format::difference(v.map(|v| v * 100.0), a.map(|a| a * 100.0), 0, tr) + points;
    fact(label, (v, a), |r| format::percent(r, tr), difference, tr)
}

fn decimal_fact(label: &str, v: Option<f64>, a: Option<f64>, places: usize, tr: Locale) -> Fact {
    let difference = format::difference(v, a, places, tr);
    fact(
        label,
        (v, a),
        |d| format::decimal(d, places, tr),
        difference,
        tr,
    )
}

/// The stop's attendance against the tour's average per stop.
fn attendance_facts(s: &Figures, avg: &Figures, tr: Locale) -> Vec<Fact> {
    let counts = [
        ("analytics.registered", s.registered, avg.registered),
        ("analytics.confirmed", s.confirmed, avg.confirmed),
        ("analytics.waitlisted", s.waitlisted, avg.waitlisted),
        ("analytics.cancelled", s.cancelled, avg.cancelled),
        ("analytics.walk_ins", s.walk_ins, avg.walk_ins),
        ("analytics.checked_in", s.checked_in, avg.checked_in),
        ("analytics.no_shows", s.no_shows, avg.no_shows),
    ];
    let mut facts: Vec<Fact> = counts
        .iter()
        .map(|(label, v, a)| count_fact(label, *v, *a, tr))
        .collect();
    facts.push(rate_fact(
        "analytics.no_show_rate",
        s.no_show_rate,
        avg.no_show_rate,
        tr,
    ));
    facts.push(rate_fact(
        "analytics.label_share",
        s.specialist_label_share,
        avg.specialist_label_share,
        tr,
    ));
    facts
}

/// The stop's feedback against the tour's average per stop.
fn feedback_facts(stop: &Figures, avg: &Figures, tr: Locale) -> Vec<Fact> {
    let (f, a) = (&stop.feedback, &avg.feedback);
    let rate = (f.response_rate, a.response_rate);
    vec![
        count_fact("analytics.responses", f.responses, a.responses, tr),
        fact(
            "analytics.figure.response_rate",
            rate,
            |r| format::percent(r, tr),
            String::new(),
            tr,
        ),
        decimal_fact("analytics.avg_overall", f.avg_overall, a.avg_overall, 1, tr),
        decimal_fact(
            "analytics.avg_trainers",
            f.avg_trainers,
            a.avg_trainers,
            1,
            tr,
        ),
        decimal_fact("analytics.avg_content", f.avg_content, a.avg_content, 1, tr),
        decimal_fact("analytics.nps", f.nps, a.nps, 0, tr),
    ]
}

fn live_part(data: &StopDashboard, filter: &AttendeeFilter, tr: Locale) -> LivePart {
    let stop = &data.stop;
    let (arrivals_svg, arrival_rows) = arrivals_chart(stop, tr);
    let tz = stop.timezone.tz();
    LivePart {
        stop_id: stop.stop_id.clone(),
        filter_query: DashboardQuery::filter_query(filter),
        facts: attendance_facts(&stop.figures, &data.tour.average_per_stop, tr),
        arrivals_svg,
        arrival_rows,
        workshops: stop
            .workshops
            .iter()
            .map(|w| workshop_view(w, tr))
            .collect(),
        workshops_svg: workshops_chart(&stop.workshops, tr),
        updated_at: display_time(now(), tz),
    }
}

/// First entrance scans per quarter hour, and its table.
fn arrivals_chart(stop: &StopAnalytics, tr: Locale) -> (String, Vec<(String, String)>) {
    let labels: Vec<String> = stop
        .arrivals
        .iter()
        .map(|a| a.at.format("%H:%M").to_string())
        .collect();
    let title = format!("{} ({})", tr.t("analytics.arrivals"), stop.timezone);
    let svg = charts::bars(
        &ChartSpec::counts("chart-arrivals", &title, (900, 320), tr),
        &labels,
        &[Series {
            name: tr.t("analytics.arrivals").to_owned(),
            values: stop.arrivals.iter().map(|a| a.count as f64).collect(),
        }],
    );
    let rows = table_rows(&labels, &stop.arrivals, |a| format::count(a.count, tr));
    (svg, rows)
}

fn workshop_view(w: &WorkshopRow, tr: Locale) -> WorkshopView {
    WorkshopView {
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
    }
}

/// Capacity, enrolled and attended per workshop.
fn workshops_chart(workshops: &[WorkshopRow], tr: Locale) -> String {
    // Time and room name a workshop in a few characters; titles are too long for an axis.
    let labels: Vec<String> = workshops
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
    let series = |label: &str, value: fn(&WorkshopRow) -> f64| Series {
        name: tr.t(label).to_owned(),
        values: workshops.iter().map(value).collect(),
    };
    charts::bars(
        &ChartSpec::counts(
            "chart-workshops",
            tr.t("analytics.chart_workshops"),
            (900, 340),
            tr,
        ),
        &labels,
        &[
            series("analytics.capacity", |w| f64::from(w.capacity)),
            series("analytics.enrolled", |w| w.confirmed as f64),
            series("analytics.attended", |w| w.attended as f64),
        ],
    )
}

/// Registrations so far, day by day, and the table of each day's and the running total.
fn registrations_chart(
    stop: &StopAnalytics,
    tr: Locale,
) -> (String, Vec<(String, String, String)>) {
    let running: Vec<i64> = stop
        .registrations_per_day
        .iter()
        .scan(0, |total, d| {
            *total += d.count;
            Some(*total)
        })
        .collect();
    let rows = stop
        .registrations_per_day
        .iter()
        .zip(&running)
        .map(|(d, total)| {
            (
                display_day(d.date, tr),
                format::count(d.count, tr),
                format::count(*total, tr),
            )
        })
        .collect();
    let labels: Vec<String> = stop
        .registrations_per_day
        .iter()
        .map(|d| d.date.format("%d/%m").to_string())
        .collect();
    let svg = charts::lines(
        &ChartSpec::counts(
            "chart-registrations",
            tr.t("analytics.chart_registrations"),
            (900, 320),
            tr,
        ),
        &labels,
        &[Series {
            name: tr.t("analytics.registered").to_owned(),
            values: running.iter().map(|n| *n as f64).collect(),
        }],
    );
    (svg, rows)
}

/// Complaints per theme, the stop's against the tour's average, and the stop's table.
fn themes_chart(
    stop: &StopAnalytics,
    average: &Figures,
    tr: Locale,
) -> (String, Vec<(String, String)>) {
    let theme_count = |counts: &BTreeMap<String, i64>, t: &ComplaintTheme| {
        counts.get(t.as_str()).copied().unwrap_or(0)
    };
    let labels: Vec<String> = ComplaintTheme::ALL
        .iter()
        .map(|t| tr.t(&format!("theme_short.{t}")).to_owned())
        .collect();
    let series = |name: String, counts: &BTreeMap<String, i64>| Series {
        name,
        values: ComplaintTheme::ALL
            .iter()
            .map(|t| theme_count(counts, t) as f64)
            .collect(),
    };
    let svg = charts::bars(
        &ChartSpec::counts(
            "chart-themes",
            tr.t("analytics.chart_themes"),
            (720, 300),
            tr,
        ),
        &labels,
        &[
            series(stop.city.clone(), &stop.figures.complaints),
            series(
                tr.t("analytics.tour_average").to_owned(),
                &average.complaints,
            ),
        ],
    );
    let rows = table_rows(&labels, &ComplaintTheme::ALL, |t| {
        format::count(theme_count(&stop.figures.complaints, t), tr)
    });
    (svg, rows)
}
