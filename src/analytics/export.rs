//! CSV and Excel exports: a stop's attendees (with check-in times), the tour overview, the
//! tour's feedback and complaints.
//!
//! CSV is streamed: rows are read from the database a page at a time on the blocking pool and
//! sent as they are written, so a large stop never sits whole in memory. In French the file is
//! what a French spreadsheet opens without a wizard: UTF-8 with a byte-order mark, `;` between
//! fields and decimal commas; in English `,` and decimal points. Excel files are built in memory
//! (an .xlsx is a zip whose directory comes last) with typed cells: numbers, percentages and
//! dates that sort and sum.

use std::collections::HashMap;

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{Either, HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::figures::zone_of;
use super::pages::DashboardQuery;
use super::report::{self, Figures};
use crate::auth::policy::ReadAnalytics;
use crate::auth::{ApiUser, PageUser};
use crate::db::schema::{
    check_ins, checkpoints, complaints, enrolments, feedback, outcomes, registrations, stops,
    workshops,
};
use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::in_zone;

/// Rows read from the database per page while streaming.
const PAGE_SIZE: i64 = 2_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/analytics/stops/{id}/export/attendees.{format}",
        web::get().to(attendees),
    )
    .route(
        "/analytics/tours/{id}/export/overview.{format}",
        web::get().to(overview),
    )
    .route(
        "/analytics/tours/{id}/export/feedback.{format}",
        web::get().to(feedback_answers),
    )
    .route(
        "/analytics/tours/{id}/export/complaints.{format}",
        web::get().to(complaint_list),
    );
}

/// Marketing, signed in on the pages or calling with a bearer token (reporting scripts).
type Reader = Either<ApiUser<ReadAnalytics>, PageUser<ReadAnalytics>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
}

#[derive(Deserialize)]
struct ExportPath {
    id: String,
    format: String,
}

impl ExportPath {
    fn format(&self) -> Result<Format, AppError> {
        match self.format.as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(AppError::NotFound("export format (csv or xlsx)")),
        }
    }
}

/// A cell with its type, so that the spreadsheet can sort and sum it.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// A ratio 0–1, shown as a percentage; empty when there is none.
    Ratio(Option<f64>),
    /// A decimal number (ratings, scores); empty when there is none.
    Decimal(Option<f64>),
    Date(NaiveDate),
    /// A local wall-clock time; empty when there is none.
    Time(Option<NaiveDateTime>),
}

/// Where an export's rows come from: a header, then pages of rows until an empty one.
trait RowSource: Send + 'static {
    fn header(&self, tr: Locale) -> Vec<String>;
    fn next_page(&mut self, conn: &mut DbConnection) -> Result<Vec<Vec<Cell>>, AppError>;
}

/// Runs an export: CSV streamed, xlsx built whole.
async fn export(
    pool: &DbPool,
    source: impl RowSource,
    format: Format,
    file_stem: String,
    tr: Locale,
) -> Result<HttpResponse, AppError> {
    let header = source.header(tr);
    match format {
        Format::Csv => stream_csv(pool, source, header, file_stem, tr).await,
        Format::Xlsx => {
            let mut source = source;
            let stem_for_sheet = file_stem.clone();
            let bytes = db::run(pool, move |conn| {
                let mut rows = Vec::new();
                loop {
                    let page = source.next_page(conn)?;
                    if page.is_empty() {
                        break;
                    }
                    rows.extend(page);
                }
                xlsx(&header, &rows, tr, &sheet_name(&stem_for_sheet))
            })
            .await?;
            Ok(HttpResponse::Ok()
                .insert_header((
                    CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ))
                .insert_header(attachment(&file_stem, "xlsx"))
                .body(bytes))
        }
    }
}

fn attachment(stem: &str, extension: &str) -> (actix_web::http::header::HeaderName, String) {
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    (
        CONTENT_DISPOSITION,
        format!("attachment; filename=\"{safe}.{extension}\""),
    )
}

async fn stream_csv(
    pool: &DbPool,
    mut source: impl RowSource,
    header: Vec<String>,
    file_stem: String,
    tr: Locale,
) -> Result<HttpResponse, AppError> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(4);
    let pool = pool.clone();
    // The first page is read before answering, so that an error is still a proper status. The
    // connection is kept for the following pages (one consistent stream per export).
    let first = web::block(move || -> Result<_, AppError> {
        let mut conn = pool
            .get()
            .map_err(|e| AppError::Unavailable(format!("database: {e}")))?;
        let page = source.next_page(&mut conn)?;
        Ok((page, source, conn))
    })
    .await
    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("export task: {e}")))??;
    let (first_page, mut source, mut conn) = first;
    let bom = if tr == Locale::Fr { "\u{feff}" } else { "" };
    let head = format!(
        "{bom}{}",
        csv_rows(std::slice::from_ref(&text_row(&header)), tr)
    );
    tokio::task::spawn_blocking(move || {
        let mut page = first_page;
        if sender.blocking_send(Ok(web::Bytes::from(head))).is_err() {
            return;
        }
        while !page.is_empty() {
            if sender
                .blocking_send(Ok(web::Bytes::from(csv_rows(&page, tr))))
                .is_err()
            {
                return; // the client went away
            }
            page = match source.next_page(&mut conn) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "export stopped");
                    let _ = sender.blocking_send(Err(std::io::Error::other("export stopped")));
                    return;
                }
            };
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header(attachment(&file_stem, "csv"))
        .streaming(tokio_stream::wrappers::ReceiverStream::new(receiver)))
}

fn text_row(header: &[String]) -> Vec<Cell> {
    header.iter().cloned().map(Cell::Text).collect()
}

/// CSV text of rows in the reader's conventions.
fn csv_rows(rows: &[Vec<Cell>], tr: Locale) -> String {
    let delimiter = if tr == Locale::Fr { b';' } else { b',' };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let decimal = |v: f64, places: usize| {
        let text = format!("{v:.places$}");
        if tr == Locale::Fr {
            text.replace('.', ",")
        } else {
            text
        }
    };
    for row in rows {
        let fields: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Cell::Text(t) => csv_text(t).into_owned(),
                Cell::Count(n) => n.to_string(),
                Cell::Ratio(r) => r.map(|r| decimal(r * 100.0, 1)).unwrap_or_default(),
                Cell::Decimal(d) => d.map(|d| decimal(d, 2)).unwrap_or_default(),
                Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
                Cell::Time(t) => t
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            })
            .collect();
        if writer.write_record(&fields).is_err() {
            break; // writing to a Vec cannot fail
        }
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"):
/// `=`, `+`, `-`, `@`, tab and carriage return, and their full-width forms, which Excel folds.
const FORMULA_STARTS: &[char] = &[
    '=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// A text cell as written to CSV: one that a spreadsheet would run as a formula gets a leading
/// `'`, so that it is shown as typed. Spaces and line breaks before the sign do not help, as some
/// importers trim them. Only text cells pass here: numbers we write ourselves stay numbers.
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    let first = text
        .trim_start_matches([' ', '\n', '\u{a0}', '\u{3000}'])
        .chars()
        .next();
    match first {
        Some(c) if FORMULA_STARTS.contains(&c) => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The sheet's name: the export's kind ("attendees-strasbourg-…" → "Attendees").
fn sheet_name(stem: &str) -> String {
    let kind = stem.split('-').next().unwrap_or("Export");
    let mut chars = kind.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_else(|| "Export".to_owned())
}

/// An .xlsx workbook of one sheet: bold frozen header, filters, typed cells, fitted columns.
fn xlsx(
    header: &[String],
    rows: &[Vec<Cell>],
    tr: Locale,
    name: &str,
) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(anyhow::anyhow!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name).map_err(fail)?;
    let bold = Style::new().set_bold();
    let percent = Style::new().set_num_format("0.0%");
    let decimal = Style::new().set_num_format("0.00");
    let date = Style::new().set_num_format(if tr == Locale::Fr {
        "dd/mm/yyyy"
    } else {
        "yyyy-mm-dd"
    });
    let time = Style::new().set_num_format(if tr == Locale::Fr {
        "dd/mm/yyyy hh:mm"
    } else {
        "yyyy-mm-dd hh:mm"
    });
    for (c, title) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| AppError::BadRequest("too many columns".into()))?;
        sheet
            .write_string_with_format(0, col, title, &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line =
            u32::try_from(r + 1).map_err(|_| AppError::BadRequest("too many rows".into()))?;
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(t) => sheet.write_string(line, col, t).map(|_| ()),
                Cell::Count(n) => sheet.write_number(line, col, *n as f64).map(|_| ()),
                Cell::Ratio(Some(v)) => sheet
                    .write_number_with_format(line, col, *v, &percent)
                    .map(|_| ()),
                Cell::Decimal(Some(v)) => sheet
                    .write_number_with_format(line, col, *v, &decimal)
                    .map(|_| ()),
                Cell::Date(d) => sheet
                    .write_datetime_with_format(line, col, d, &date)
                    .map(|_| ()),
                Cell::Time(Some(t)) => sheet
                    .write_datetime_with_format(line, col, t, &time)
                    .map(|_| ()),
                Cell::Ratio(None) | Cell::Decimal(None) | Cell::Time(None) => Ok(()),
            }
            .map_err(fail)?;
        }
    }
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let last_col = u16::try_from(header.len().saturating_sub(1)).unwrap_or(0);
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofilter(0, 0, last_row, last_col).map_err(fail)?;
    sheet.set_autofit_max_width(320).autofit();
    workbook.save_to_buffer().map_err(fail)
}

// ---- a stop's attendees ----

struct AttendeeRows {
    stop_id: String,
    tz: chrono_tz::Tz,
    /// The last `(created_at, id)` sent: pages continue after it.
    after: Option<(NaiveDateTime, String)>,
}

type AttendeeRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    String,
);

impl RowSource for AttendeeRows {
    fn header(&self, tr: Locale) -> Vec<String> {
        let (fr, en): (&[&str], &[&str]) = (
            &[
                "Nom",
                "Prénom",
                "E-mail",
                "Société",
                "Fonction",
                "Taille",
                "Type de partenaire",
                "N° partenaire",
                "Statut",
                "Origine",
                "Inscrit le",
                "Arrivé à",
                "Ateliers inscrits",
                "Ateliers suivis",
                "Avis donné",
                "Suites",
            ],
            &[
                "Last name",
                "First name",
                "E-mail",
                "Company",
                "Job title",
                "Company size",
                "Partner type",
                "Partner id",
                "Status",
                "Source",
                "Registered at",
                "Checked in at",
                "Workshops enrolled",
                "Workshops attended",
                "Feedback given",
                "Outcomes",
            ],
        );
        let names = if tr == Locale::Fr { fr } else { en };
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn next_page(&mut self, conn: &mut DbConnection) -> Result<Vec<Vec<Cell>>, AppError> {
        let mut query = registrations::table
            .filter(registrations::stop_id.eq(&self.stop_id))
            .into_boxed::<db::Backend>();
        if let Some((at, id)) = &self.after {
            query = query.filter(
                registrations::created_at
                    .gt(*at)
                    .or(registrations::created_at
                        .eq(*at)
                        .and(registrations::id.gt(id.clone()))),
            );
        }
        let page: Vec<AttendeeRow> = query
            .order((registrations::created_at.asc(), registrations::id.asc()))
            .limit(PAGE_SIZE)
            .select((
                registrations::id,
                registrations::last_name,
                registrations::first_name,
                registrations::email,
                registrations::company,
                registrations::job_title,
                registrations::company_size,
                registrations::partner_type,
                registrations::partner_id,
                registrations::status,
                registrations::created_at,
                registrations::source,
            ))
            .load(conn)?;
        let Some(last) = page.last() else {
            return Ok(Vec::new());
        };
        self.after = Some((last.10, last.0.clone()));
        let ids: Vec<String> = page.iter().map(|r| r.0.clone()).collect();

        let scans: Vec<(String, String, Option<String>, NaiveDateTime)> = check_ins::table
            .inner_join(checkpoints::table)
            .filter(check_ins::registration_id.eq_any(&ids))
            .select((
                check_ins::registration_id,
                checkpoints::kind,
                checkpoints::workshop_id,
                check_ins::scanned_at,
            ))
            .load(conn)?;
        let titles: HashMap<String, String> = workshops::table
            .filter(workshops::stop_id.eq(&self.stop_id))
            .select((workshops::id, workshops::title))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let enrolled: Vec<(String, String)> = enrolments::table
            .filter(enrolments::registration_id.eq_any(&ids))
            .filter(enrolments::status.ne("cancelled"))
            .select((enrolments::registration_id, enrolments::workshop_id))
            .load(conn)?;
        let answered: Vec<String> = feedback::table
            .filter(feedback::registration_id.eq_any(&ids))
            .select(feedback::registration_id)
            .load(conn)?;
        let follow_ups: Vec<(String, String)> = outcomes::table
            .filter(outcomes::registration_id.eq_any(&ids))
            .select((outcomes::registration_id, outcomes::kind))
            .load(conn)?;

        let joined =
            |pairs: &mut dyn Iterator<Item = String>| pairs.collect::<Vec<_>>().join(" | ");
        let tz = self.tz;
        Ok(page
            .into_iter()
            .map(|r| {
                let arrived = scans
                    .iter()
                    .find(|s| s.0 == r.0 && s.1 == "entrance")
                    .map(|s| in_zone(s.3, tz).naive_local());
                let attended = joined(
                    &mut scans
                        .iter()
                        .filter(|s| s.0 == r.0)
                        .filter_map(|s| s.2.as_ref())
                        .filter_map(|w| titles.get(w).cloned()),
                );
                let signed_up = joined(
                    &mut enrolled
                        .iter()
                        .filter(|e| e.0 == r.0)
                        .filter_map(|e| titles.get(&e.1).cloned()),
                );
                let kinds = joined(
                    &mut follow_ups
                        .iter()
                        .filter(|o| o.0 == r.0)
                        .map(|o| o.1.clone()),
                );
                vec![
                    Cell::Text(r.1),
                    Cell::Text(r.2),
                    Cell::Text(r.3),
                    Cell::Text(r.4),
                    Cell::Text(r.5),
                    Cell::Text(r.6),
                    Cell::Text(r.7),
                    Cell::Text(r.8),
                    Cell::Text(r.9),
                    Cell::Text(r.11),
                    Cell::Time(Some(in_zone(r.10, tz).naive_local())),
                    Cell::Time(arrived),
                    Cell::Text(signed_up),
                    Cell::Text(attended),
                    Cell::Text(if answered.contains(&r.0) { "1" } else { "0" }.to_owned()),
                    Cell::Text(kinds),
                ]
            })
            .collect())
    }
}

async fn attendees(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reader: Reader,
    path: web::Path<ExportPath>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let stop_id = path.id.clone();
    let stop = db::run(&state.pool, move |conn| {
        crate::tours::store::find_stop(conn, &stop_id)?.ok_or(AppError::NotFound("stop"))
    })
    .await?;
    let stem = format!(
        "attendees-{}-{}",
        slug::slugify(&stop.city),
        stop.starts_at.date()
    );
    let source = AttendeeRows {
        tz: zone_of(&stop),
        stop_id: stop.id,
        after: None,
    };
    export(
        &state.pool,
        source,
        format,
        stem,
        Locale::from_request(&req),
    )
    .await
}

// ---- sources read in one go (a tour's overview, feedback, complaints) ----

/// Rows computed at once; the first page is all of them.
struct AllRows {
    header: Vec<String>,
    rows: Option<Vec<Vec<Cell>>>,
}

impl RowSource for AllRows {
    fn header(&self, _: Locale) -> Vec<String> {
        self.header.clone()
    }
    fn next_page(&mut self, _: &mut DbConnection) -> Result<Vec<Vec<Cell>>, AppError> {
        Ok(self.rows.take().unwrap_or_default())
    }
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    let open = ["open", "acknowledged"]
        .iter()
        .map(|s| f.complaints_by_status.get(*s).copied().unwrap_or(0))
        .sum();
    vec![
        Cell::Count(f.registered),
        Cell::Count(f.confirmed),
        Cell::Count(f.waitlisted),
        Cell::Count(f.cancelled),
        Cell::Count(f.walk_ins),
        Cell::Count(f.checked_in),
        Cell::Count(f.no_shows),
        Cell::Ratio(f.no_show_rate),
        Cell::Count(f.attended_workshop),
        Cell::Ratio(f.specialist_label_share),
        Cell::Count(f.feedback.responses),
        Cell::Decimal(f.feedback.avg_overall),
        Cell::Decimal(f.feedback.nps),
        Cell::Count(open),
        Cell::Count(f.complaints_by_status.get("resolved").copied().unwrap_or(0)),
        Cell::Count(f.outcomes.values().sum()),
    ]
}

async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reader: Reader,
    path: web::Path<ExportPath>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let filter =
        report::parse_filter(query.company_size.as_deref(), query.partner_type.as_deref())?;
    let tour = report::cached_tour(&state, path.id.clone(), filter).await?;
    let tr = Locale::from_request(&req);
    let names = [
        "analytics.date",
        "stops.city",
        "analytics.registered",
        "analytics.confirmed",
        "analytics.waitlisted",
        "analytics.cancelled",
        "analytics.walk_ins",
        "analytics.checked_in",
        "analytics.no_shows",
        "analytics.no_show_rate",
        "analytics.attended_workshop",
        "analytics.label_share",
        "analytics.responses",
        "analytics.avg_overall",
        "analytics.nps",
        "analytics.complaints_open",
        "analytics.complaints_resolved",
        "analytics.outcomes",
    ];
    let header = names
        .iter()
        .map(|k| match *k {
            "analytics.no_show_rate" | "analytics.label_share" => format!("{} (%)", tr.t(k)),
            _ => tr.t(k).to_owned(),
        })
        .collect();
    let mut rows: Vec<Vec<Cell>> = tour
        .stops
        .iter()
        .map(|s| {
            let mut row = vec![Cell::Date(s.date), Cell::Text(s.city.clone())];
            row.extend(figure_cells(&s.figures));
            row
        })
        .collect();
    let mut total = vec![
        Cell::Text(tr.t("analytics.total").to_owned()),
        Cell::Text(String::new()),
    ];
    total.extend(figure_cells(&tour.totals));
    rows.push(total);
    let stem = format!("overview-{}", slug::slugify(&tour.name));
    export(
        &state.pool,
        AllRows {
            header,
            rows: Some(rows),
        },
        format,
        stem,
        tr,
    )
    .await
}

async fn feedback_answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reader: Reader,
    path: web::Path<ExportPath>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let tour_id = path.id.clone();
    let tr = Locale::from_request(&req);
    type Answer = (
        String,
        NaiveDateTime,
        String,
        String,
        i32,
        i32,
        i32,
        i32,
        String,
        NaiveDateTime,
        bool,
    );
    let (name, rows) = db::run(&state.pool, move |conn| {
        let tour =
            crate::tours::store::find_tour(conn, &tour_id)?.ok_or(AppError::NotFound("tour"))?;
        let answers: Vec<Answer> = feedback::table
            .inner_join(stops::table.on(stops::id.eq(feedback::stop_id)))
            .inner_join(registrations::table)
            .filter(stops::tour_id.eq(&tour.id))
            .order((stops::starts_at.asc(), feedback::submitted_at.asc()))
            .select((
                stops::city,
                stops::starts_at,
                stops::timezone,
                registrations::company,
                feedback::overall,
                feedback::trainers,
                feedback::content,
                feedback::nps,
                feedback::comment,
                feedback::submitted_at,
                feedback::quote_selected,
            ))
            .load(conn)?;
        Ok((tour.name, answers))
    })
    .await?;
    let header = if tr == Locale::Fr {
        [
            "Étape",
            "Date",
            "Société",
            "Note globale",
            "Formateurs",
            "Contenu",
            "Recommandation",
            "Commentaire",
            "Répondu le",
            "Citation",
        ]
    } else {
        [
            "Stop",
            "Date",
            "Company",
            "Overall",
            "Trainers",
            "Content",
            "Recommendation",
            "Comment",
            "Answered at",
            "Quote",
        ]
    }
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows = rows
        .into_iter()
        .map(|a| {
            let tz = crate::time::parse_timezone(&a.2).unwrap_or(chrono_tz::Tz::UTC);
            vec![
                Cell::Text(a.0),
                Cell::Date(in_zone(a.1, tz).date_naive()),
                Cell::Text(a.3),
                Cell::Count(i64::from(a.4)),
                Cell::Count(i64::from(a.5)),
                Cell::Count(i64::from(a.6)),
                Cell::Count(i64::from(a.7)),
                Cell::Text(a.8),
                Cell::Time(Some(in_zone(a.9, tz).naive_local())),
                Cell::Text(if a.10 { "1" } else { "" }.to_owned()),
            ]
        })
        .collect();
    export(
        &state.pool,
        AllRows {
            header,
            rows: Some(rows),
        },
        format,
        format!("feedback-{}", slug::slugify(&name)),
        tr,
    )
    .await
}

async fn complaint_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    _reader: Reader,
    path: web::Path<ExportPath>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let tour_id = path.id.clone();
    let tr = Locale::from_request(&req);
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<NaiveDate>,
        NaiveDateTime,
        String,
    );
    let (name, rows) = db::run(&state.pool, move |conn| {
        let tour =
            crate::tours::store::find_tour(conn, &tour_id)?.ok_or(AppError::NotFound("tour"))?;
        let list: Vec<Row> = complaints::table
            .inner_join(stops::table)
            .filter(stops::tour_id.eq(&tour.id))
            .order((stops::starts_at.asc(), complaints::created_at.asc()))
            .select((
                stops::city,
                complaints::theme,
                complaints::status,
                complaints::summary,
                complaints::detail,
                complaints::company,
                complaints::owner,
                complaints::resolution,
                complaints::due_on,
                complaints::created_at,
                stops::timezone,
            ))
            .load(conn)?;
        Ok((tour.name, list))
    })
    .await?;
    let header = if tr == Locale::Fr {
        [
            "Étape",
            "Thème",
            "Statut",
            "Résumé",
            "Détail",
            "Société",
            "Responsable",
            "Résolution",
            "Échéance",
            "Reçue le",
        ]
    } else {
        [
            "Stop",
            "Theme",
            "Status",
            "Summary",
            "Detail",
            "Company",
            "Owner",
            "Resolution",
            "Due on",
            "Received at",
        ]
    }
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let rows = rows
        .into_iter()
        .map(|c| {
            let tz = crate::time::parse_timezone(&c.10).unwrap_or(chrono_tz::Tz::UTC);
            vec![
                Cell::Text(c.0),
                Cell::Text(tr.t(&format!("theme.{}", c.1)).to_owned()),
                Cell::Text(tr.t(&format!("complaint.status.{}", c.2)).to_owned()),
                Cell::Text(c.3),
                Cell::Text(c.4),
                Cell::Text(c.5),
                Cell::Text(c.6),
                Cell::Text(c.7),
                c.8.map_or(Cell::Text(String::new()), Cell::Date),
                Cell::Time(Some(in_zone(c.9, tz).naive_local())),
            ]
        })
        .collect();
    export(
        &state.pool,
        AllRows {
            header,
            rows: Some(rows),
        },
        format,
        format!("complaints-{}", slug::slugify(&name)),
        tr,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_a_spreadsheet_would_run_is_quoted_and_the_rest_kept() {
        let cases = [
            (
                "=HYPERLINK(\"http://evil.example\")",
                "'=HYPERLINK(\"http://evil.example\")",
            ),
            ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("  =1+1", "'  =1+1"),
            ("\n@x", "'\n@x"),
            ("\u{ff1d}1+1", "'\u{ff1d}1+1"),
            ("\u{ff0b}1", "'\u{ff0b}1"),
            ("Dupont", "Dupont"),
            ("Jean-Marc", "Jean-Marc"),
            ("a=b", "a=b"),
            ("'quoted", "'quoted"),
            ("", ""),
        ];
        for (raw, written) in cases {
            assert_eq!(csv_text(raw), written, "{raw:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_is_neutralised_in_both_formats() {
        let row = vec![
            Cell::Text("=1+1".into()),
            Cell::Count(-3),
            Cell::Decimal(Some(-1.5)),
            Cell::Ratio(Some(0.25)),
            Cell::Text("-@x".into()),
        ];
        assert_eq!(
            csv_rows(std::slice::from_ref(&row), Locale::Fr),
            "'=1+1;-3;-1,50;25,0;'-@x\r\n"
        );
        assert_eq!(
            csv_rows(std::slice::from_ref(&row), Locale::En),
            "'=1+1,-3,-1.50,25.0,'-@x\r\n"
        );
    }

    #[test]
    fn xlsx_text_is_a_string_cell_never_a_formula() {
        let header = vec!["Name".to_owned()];
        let rows = vec![vec![Cell::Text(
            "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
        )]];
        let bytes = xlsx(&header, &rows, Locale::En, "Attendees").expect("xlsx");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"),
            &mut sheet,
        )
        .expect("utf-8");
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(sheet.contains(r#"t="s""#), "{sheet}");
        let mut strings = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").expect("strings"),
            &mut strings,
        )
        .expect("utf-8");
        assert!(strings.contains("=HYPERLINK("), "{strings}");
    }
}
