//! CSV and Excel exports: a stop's attendees (with check-in times), the tour overview, the
//! tour's feedback and complaints.
//!
//! CSV is streamed: rows are read from the database a page at a time on the blocking pool and
//! sent as they are written, so a large stop never sits whole in memory. In French the file is
//! what a French spreadsheet opens without a wizard: UTF-8 with a byte-order mark, `;` between
//! fields and decimal commas; in English `,` and decimal points. Excel files are built in memory
//! (an .xlsx is a zip whose directory comes last) with typed cells: numbers, percentages and
//! dates that sort and sum. How files are written is in `file`; here, what each one holds.

mod file;

use actix_web::{Either, HttpRequest, HttpResponse, get, web};
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::figures::AttendeeFilter;
use super::pages::DashboardQuery;
use super::report::Figures;
use super::service::{self, ExportedAttendee};
use super::store::{ExportedAnswer, ExportedComplaint};
use crate::audit::Actor;
use crate::auth::policy::ReadAnalytics;
use crate::auth::{ApiUser, PageUser};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::time::in_zone;
pub use file::{Cell, csv_text};
use file::{Format, RowSource, export, export_rows};

/// Rows read from the database per page while streaming.
const PAGE_SIZE: i64 = 2_000;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(attendees)
        .service(overview)
        .service(feedback_answers)
        .service(complaint_list);
}

/// Marketing, signed in on the pages or calling with a bearer token (reporting scripts).
type Reader = Either<ApiUser<ReadAnalytics>, PageUser<ReadAnalytics>>;

/// Records the download through its use case (`service::record_export`) before it is sent.
async fn record_download(
    state: &AppState,
    reader: &Reader,
    file: &'static str,
    target: (&'static str, &str),
    format: &str,
    filter: &AttendeeFilter,
) -> Result<(), AppError> {
    let user = match reader {
        Either::Left(api) => &api.user,
        Either::Right(page) => &page.user,
    };
    let export = service::Export {
        file,
        target_type: target.0,
        target_id: target.1.to_owned(),
        format: format.to_owned(),
        filter: filter.clone(),
    };
    service::record_export(&state.pool, Actor::from(user), export).await
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

/// Column titles in the reader's language.
fn titles(tr: Locale, fr: &[&str], en: &[&str]) -> Vec<String> {
    let names = if tr == Locale::Fr { fr } else { en };
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// A UTC instant as the stop's wall-clock time.
fn local_time(at: NaiveDateTime, tz: chrono_tz::Tz) -> Cell {
    Cell::Time(Some(in_zone(at, tz).naive_local()))
}

// ---- a stop's attendees ----

struct AttendeeRows {
    stop_id: String,
    filter: AttendeeFilter,
    tz: chrono_tz::Tz,
    /// Codes (status, source, partner type) are written as words of this language.
    tr: Locale,
    /// The last `(created_at, id)` sent: pages continue after it.
    after: Option<(NaiveDateTime, String)>,
}

const ATTENDEE_TITLES_FR: &[&str] = &[
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
];

const ATTENDEE_TITLES_EN: &[&str] = &[
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
];

impl AttendeeRows {
    fn cells(&self, a: ExportedAttendee) -> Vec<Cell> {
        let local = |t: NaiveDateTime| in_zone(t, self.tz).naive_local();
        let word = |prefix: &str, code: &str| -> String {
            if code.is_empty() {
                return String::new();
            }
            self.tr
                .find(&format!("{prefix}.{code}"))
                .map_or_else(|| code.to_owned(), str::to_owned)
        };
        let r = a.registration;
        vec![
            Cell::Text(r.last_name),
            Cell::Text(r.first_name),
            Cell::Text(r.email),
            Cell::Text(r.company),
            Cell::Text(r.job_title),
            Cell::Text(r.company_size),
            Cell::Text(word("partner_type", &r.partner_type)),
            Cell::Text(r.partner_id),
            Cell::Text(word("status", &r.status)),
            Cell::Text(word("source", &r.source)),
            Cell::Time(Some(local(r.created_at))),
            Cell::Time(a.arrived_at.map(local)),
            Cell::Text(a.enrolled.join(" | ")),
            Cell::Text(a.attended.join(" | ")),
            Cell::Text(word("answer", if a.answered { "yes" } else { "no" })),
            Cell::Text(a.outcomes.join(" | ")),
        ]
    }
}

impl RowSource for AttendeeRows {
    fn header(&self, tr: Locale) -> Vec<String> {
        titles(tr, ATTENDEE_TITLES_FR, ATTENDEE_TITLES_EN)
    }

    fn next_page(&mut self, conn: &mut DbConnection) -> Result<Vec<Vec<Cell>>, AppError> {
        let page = service::attendee_page(
            conn,
            &self.stop_id,
            &self.filter,
            self.after.as_ref(),
            PAGE_SIZE,
        )?;
        if let Some(last) = page.last() {
            let r = &last.registration;
            self.after = Some((r.created_at, r.id.clone()));
        }
        Ok(page.into_iter().map(|a| self.cells(a)).collect())
    }
}

#[get("/analytics/stops/{id}/export/attendees.{format}")]
async fn attendees(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: Reader,
    path: web::Path<ExportPath>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let filter = query.filter()?;
    let stop = service::find_stop(&state.pool, path.id.clone()).await?;
    let target = ("stop", stop.id.as_str());
    record_download(&state, &reader, "attendees", target, &path.format, &filter).await?;
    let tr = Locale::from_request(&req);
    let stem = format!(
        "attendees-{}-{}{}",
        slug::slugify(&stop.city),
        stop.starts_at.date(),
        filtered_mark(&filter, tr)
    );
    let source = AttendeeRows {
        tz: stop.timezone.tz(),
        stop_id: stop.id,
        filter,
        tr,
        after: None,
    };
    export(&state.pool, source, format, stem, tr).await
}

/// What a filtered export's file name says of its filter ("-filtre-revendeur-6-20"), so that
/// a file shared later is not taken for the whole stop or tour; empty for everyone.
fn filtered_mark(filter: &AttendeeFilter, tr: Locale) -> String {
    if filter.is_everyone() {
        return String::new();
    }
    let mut words = vec![tr.t("export.filtered").to_owned()];
    if let Some(kind) = &filter.partner_type {
        words.push(
            tr.find(&format!("partner_type.{kind}"))
                .unwrap_or(kind)
                .to_owned(),
        );
    }
    if let Some(size) = &filter.company_size {
        words.push(size.clone());
    }
    format!("-{}", slug::slugify(words.join(" ")))
}

// ---- a tour's overview ----

const OVERVIEW_TITLES: &[&str] = &[
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

fn figure_cells(f: &Figures) -> Vec<Cell> {
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
        Cell::Count(f.open_complaints()),
        Cell::Count(f.resolved_complaints()),
        Cell::Count(f.outcomes_total()),
    ]
}

#[get("/analytics/tours/{id}/export/overview.{format}")]
async fn overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: Reader,
    path: web::Path<ExportPath>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let filter = query.filter()?;
    let mark = filtered_mark(&filter, Locale::from_request(&req));
    let tour = service::cached_tour(&state, path.id.clone(), filter.clone()).await?;
    let target = ("tour", path.id.as_str());
    record_download(&state, &reader, "overview", target, &path.format, &filter).await?;
    let tr = Locale::from_request(&req);
    let header = OVERVIEW_TITLES
        .iter()
        .map(|k| match *k {
            "analytics.no_show_rate" | "analytics.label_share" => format!("{} (%)", tr.t(k)),
            _ => tr.t(k).to_owned(),
        })
        .collect();
    let line = |first: Cell, city: String, f: &Figures| {
        let mut row = vec![first, Cell::Text(city)];
        row.extend(figure_cells(f));
        row
    };
    let mut rows: Vec<Vec<Cell>> = tour
        .stops
        .iter()
        .map(|s| line(Cell::Date(s.date), s.city.clone(), &s.figures))
        .collect();
    let total = Cell::Text(tr.t("analytics.total").to_owned());
    rows.push(line(total, String::new(), &tour.totals));
    let stem = format!("overview-{}{mark}", slug::slugify(&tour.name));
    export_rows(&state.pool, header, rows, format, stem, tr).await
}

// ---- a tour's feedback and complaints ----

const FEEDBACK_TITLES_FR: &[&str] = &[
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
];

const FEEDBACK_TITLES_EN: &[&str] = &[
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
];

fn answer_cells(a: ExportedAnswer, tr: Locale) -> Vec<Cell> {
    let tz = a.timezone.tz();
    vec![
        Cell::Text(a.city),
        Cell::Date(in_zone(a.starts_at, tz).date_naive()),
        Cell::Text(a.company),
        Cell::Count(i64::from(a.overall)),
        Cell::Count(i64::from(a.trainers)),
        Cell::Count(i64::from(a.content)),
        Cell::Count(i64::from(a.nps)),
        Cell::Text(a.comment),
        local_time(a.submitted_at, tz),
        Cell::Text(
            if a.quote_selected {
                tr.t("answer.yes")
            } else {
                ""
            }
            .to_owned(),
        ),
    ]
}

#[get("/analytics/tours/{id}/export/feedback.{format}")]
async fn feedback_answers(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: Reader,
    path: web::Path<ExportPath>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let tr = Locale::from_request(&req);
    let (tour, answers) = service::tour_answers(&state.pool, path.id.clone()).await?;
    let (target, everyone) = (("tour", tour.id.as_str()), AttendeeFilter::default());
    record_download(&state, &reader, "feedback", target, &path.format, &everyone).await?;
    let header = titles(tr, FEEDBACK_TITLES_FR, FEEDBACK_TITLES_EN);
    let rows = answers.into_iter().map(|a| answer_cells(a, tr)).collect();
    let stem = format!("feedback-{}", slug::slugify(&tour.name));
    export_rows(&state.pool, header, rows, format, stem, tr).await
}

const COMPLAINT_TITLES_FR: &[&str] = &[
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
];

const COMPLAINT_TITLES_EN: &[&str] = &[
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
];

fn complaint_cells(c: ExportedComplaint, tr: Locale) -> Vec<Cell> {
    vec![
        Cell::Text(c.city),
        Cell::Text(tr.t(&format!("theme.{}", c.theme)).to_owned()),
        Cell::Text(tr.t(&format!("complaint.status.{}", c.status)).to_owned()),
        Cell::Text(c.summary),
        Cell::Text(c.detail),
        Cell::Text(c.company),
        Cell::Text(c.owner),
        Cell::Text(c.resolution),
        c.due_on.map_or(Cell::Text(String::new()), Cell::Date),
        local_time(c.created_at, c.timezone.tz()),
    ]
}

#[get("/analytics/tours/{id}/export/complaints.{format}")]
async fn complaint_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    reader: Reader,
    path: web::Path<ExportPath>,
) -> Result<HttpResponse, AppError> {
    let format = path.format()?;
    let tr = Locale::from_request(&req);
    let (tour, complaints) = service::tour_complaints(&state.pool, path.id.clone()).await?;
    let (target, everyone) = (("tour", tour.id.as_str()), AttendeeFilter::default());
    record_download(
        &state,
        &reader,
        "complaints",
        target,
        &path.format,
        &everyone,
    )
    .await?;
    let header = titles(tr, COMPLAINT_TITLES_FR, COMPLAINT_TITLES_EN);
    let rows = complaints
        .into_iter()
        .map(|c| complaint_cells(c, tr))
        .collect();
    let stem = format!("complaints-{}", slug::slugify(&tour.name));
    export_rows(&state.pool, header, rows, format, stem, tr).await
}
