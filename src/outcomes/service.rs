//! Recording outcomes: checks, one at a time or from a CSV file.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::store::{self, Outcome};
use crate::audit::{self, Actor, Change};
use crate::db::schema::registrations;
use crate::db::{self, DbConnection, DbPool};
use crate::error::{AppError, FieldErrors};
use crate::registrations::domain::RegistrationStatus;
use crate::registrations::store::{Registration, find_registration};
use crate::time;

/// The CSV columns, in the header's order.
pub const CSV_HEADER: [&str; 4] = ["email", "stop_id", "kind", "occurred_on"];
/// More lines than this in one file is refused (split the file).
pub const MAX_IMPORT_LINES: usize = 100_000;

/// An outcome kind: a short name of lowercase letters, digits and `_` (`certification_started`),
/// as in the tour's targets.
pub fn check_kind(raw: &str) -> Result<String, &'static str> {
    let kind = raw.trim();
    if kind.is_empty() {
        return Err("is required");
    }
    let well_formed = kind.len() <= 60
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && kind.starts_with(|c: char| c.is_ascii_lowercase());
    if well_formed {
        Ok(kind.to_owned())
    } else {
        Err("must be lowercase letters, digits and _ (e.g. certification_started)")
    }
}

/// A date `YYYY-MM-DD`, not in the future (a day's grace for time zones).
pub fn check_date(raw: &str) -> Result<NaiveDate, &'static str> {
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date YYYY-MM-DD")?;
    if date > time::now().date() + Duration::days(1) {
        return Err("is in the future");
    }
    Ok(date)
}

/// Records an outcome for a registration; 409 when it already has one of that kind.
pub fn record(
    conn: &mut DbConnection,
    registration_id: &str,
    kind: &str,
    occurred_on: &str,
    actor: &str,
) -> Result<Outcome, AppError> {
    let mut errors = FieldErrors::new();
    let registration = find_registration(conn, registration_id.trim())?;
    if registration.is_none() {
        errors.add("registration_id", "no registration has this id");
    }
    let kind = check_kind(kind).map_err(|e| errors.add("kind", e)).ok();
    let date = check_date(occurred_on)
        .map_err(|e| errors.add("occurred_on", e))
        .ok();
    let (Some(registration), Some(kind), Some(date)) = (registration, kind, date) else {
        return Err(AppError::Invalid(errors));
    };
    let outcome = new_outcome(&registration, kind, date, actor);
    if store::insert_new(conn, &outcome)? == 0 {
        let existing = store::find_by_kind(conn, &registration.id, &outcome.kind)?;
        return Err(AppError::Conflict(format!(
            "this attendee already has `{}`{}",
            outcome.kind,
            existing
                .map(|o| format!(", recorded for {}", o.occurred_on))
                .unwrap_or_default()
        )));
    }
    Ok(outcome)
}

fn new_outcome(registration: &Registration, kind: String, date: NaiveDate, actor: &str) -> Outcome {
    Outcome {
        id: uuid::Uuid::new_v4().to_string(),
        registration_id: registration.id.to_string(),
        stop_id: registration.stop_id.to_string(),
        kind,
        occurred_on: date,
        recorded_by: actor.to_owned(),
        created_at: time::now(),
    }
}

/// What an import did: lines kept, and why each other line was not.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub errors: Vec<LineError>,
}

/// A line that was not imported (the header is line 1).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// A line of an import file whose fields are well formed; whether its attendee exists is
/// for [`import_lines`] to say.
#[derive(Debug, Clone)]
pub struct ImportLine {
    line: u64,
    email: String,
    stop_id: String,
    kind: String,
    date: NaiveDate,
}

/// Lines written to the database in one transaction of an import: short transactions, so
/// that a large file never holds the write lock for long.
pub const IMPORT_CHUNK: usize = 500;

/// Reads `email,stop_id,kind,occurred_on` lines (a spreadsheet's `;` separator and UTF-8
/// byte-order mark accepted): the well-formed lines, and the report of the others. Pure and
/// linear in the file, so that it runs before any transaction.
pub fn parse_csv(text: &str) -> (Vec<ImportLine>, ImportReport) {
    let mut report = ImportReport::default();
    let mut lines = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv reader numbers lines by '\n' alone only when lines end that way: spreadsheets
    // write CRLF, which would number every record as line 1.
    let text = text.replace("\r\n", "\n");
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|f| f.to_ascii_lowercase()).collect(),
        Err(e) => {
            report.errors.push(LineError {
                line: 1,
                message: format!("unreadable header: {e}"),
            });
            return (lines, report);
        }
    };
    if header != CSV_HEADER {
        report.errors.push(LineError {
            line: 1,
            message: format!(
                "the header must be `{}` (found `{}`)",
                CSV_HEADER.join(","),
                header.join(",")
            ),
        });
        return (lines, report);
    }
    for (index, record) in reader.records().enumerate() {
        let fallback_line = index as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(fallback_line, |p| p.line());
                report.errors.push(LineError {
                    line,
                    message: format!("unreadable line: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(fallback_line, |p| p.line());
        if index >= MAX_IMPORT_LINES {
            report.errors.push(LineError {
                line,
                message: format!(
                    "the file has more than {MAX_IMPORT_LINES} lines: split it, nothing after this line was read"
                ),
            });
            break;
        }
        if record.iter().all(str::is_empty) {
            continue; // a blank line, as spreadsheets leave at the end
        }
        match parse_line(&record, line) {
            Ok(parsed) => lines.push(parsed),
            Err(message) => report.errors.push(LineError { line, message }),
        }
    }
    (lines, report)
}

fn parse_line(record: &csv::StringRecord, line: u64) -> Result<ImportLine, String> {
    if record.len() != CSV_HEADER.len() {
        return Err(format!(
            "expected {} fields ({}), found {}",
            CSV_HEADER.len(),
            CSV_HEADER.join(","),
            record.len()
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    let mut problems = Vec::new();
    // The same text policy as every form: no control character in a single-line field.
    for (i, name) in CSV_HEADER.iter().enumerate() {
        if !crate::validation::is_single_line(field(i)) {
            problems.push(format!("{name} contains control characters"));
        }
    }
    let kind = check_kind(field(2))
        .map_err(|e| problems.push(format!("kind {e}")))
        .ok();
    let date = check_date(field(3))
        .map_err(|e| problems.push(format!("occurred_on {e}")))
        .ok();
    let email = field(0).to_lowercase();
    if email.is_empty() {
        problems.push("email is required".to_owned());
    }
    match (kind, date) {
        (Some(kind), Some(date)) if problems.is_empty() => Ok(ImportLine {
            line,
            email,
            stop_id: field(1).to_owned(),
            kind,
            date,
        }),
        _ => Err(problems.join("; ")),
    }
}

/// Records well-formed lines (one chunk of a file, in the caller's transaction): each line's
/// attendee must exist and not have that kind yet, in the database or earlier in the file
/// (`seen`, carried from chunk to chunk). Adds to `report`.
pub fn import_lines(
    conn: &mut DbConnection,
    lines: &[ImportLine],
    actor: &str,
    seen: &mut HashSet<(String, String)>,
    report: &mut ImportReport,
) -> Result<(), AppError> {
    for line in lines {
        let Some(registration) = find_attendee(conn, &line.stop_id, &line.email)? else {
            report.errors.push(LineError {
                line: line.line,
                message: format!(
                    "nobody registered with {} at stop {}",
                    line.email, line.stop_id
                ),
            });
            continue;
        };
        let (email, kind) = (&line.email, &line.kind);
        if !seen.insert((registration.id.to_string(), kind.clone())) {
            report.errors.push(LineError {
                line: line.line,
                message: format!("{email} already has `{kind}` earlier in this file"),
            });
            continue;
        }
        let outcome = new_outcome(&registration, kind.clone(), line.date, actor);
        if store::insert_new(conn, &outcome)? == 1 {
            report.imported += 1;
        } else {
            report.errors.push(LineError {
                line: line.line,
                message: format!("{email} already has `{kind}`"),
            });
        }
    }
    Ok(())
}

/// The attendee registered with `email` at a stop: the live registration, else the latest
/// cancelled one (someone who cancelled may still go on to certify).
fn find_attendee(
    conn: &mut DbConnection,
    stop_id: &str,
    email: &str,
) -> QueryResult<Option<Registration>> {
    let mut found: Vec<Registration> = registrations::table
        .filter(registrations::stop_id.eq(stop_id))
        .filter(registrations::email.eq(email))
        .order(registrations::created_at.desc())
        .select(Registration::as_select())
        .load(conn)?;
    let live = found
        .iter()
        .position(|r| r.status != RegistrationStatus::Cancelled);
    Ok(match live {
        Some(i) => Some(found.swap_remove(i)),
        None => found.into_iter().next(),
    })
}

// ---- the use cases ----

/// The use case "record an outcome" (the API and the attendee's page in the dashboards).
pub async fn record_outcome(
    pool: &DbPool,
    registration_id: String,
    kind: String,
    occurred_on: String,
    actor: Actor,
) -> Result<Outcome, AppError> {
    db::transaction(pool, move |conn| {
        let outcome = record(conn, &registration_id, &kind, &occurred_on, &actor.email)?;
        audit::record(
            conn,
            Some(&actor),
            Change::new("outcome.recorded", "outcome", &outcome.id).with(serde_json::json!({
                "registration_id": outcome.registration_id,
                "kind": outcome.kind,
                "occurred_on": outcome.occurred_on,
            })),
        )?;
        Ok(outcome)
    })
    .await
}

/// The use case "import outcomes from a file": read whole before any transaction, then written
/// [`IMPORT_CHUNK`] lines per transaction, so that a large file never holds the write lock long.
pub async fn import_outcomes(
    pool: &DbPool,
    text: String,
    actor: Actor,
) -> Result<ImportReport, AppError> {
    let (lines, mut report) = parse_csv(&text);
    let mut seen = HashSet::new();
    for chunk in lines.chunks(IMPORT_CHUNK) {
        let (chunk, actor) = (chunk.to_vec(), actor.clone());
        let (part, carried) = db::transaction(pool, move |conn| {
            let mut part = ImportReport::default();
            import_lines(conn, &chunk, &actor.email, &mut seen, &mut part)?;
            // One entry per transaction: what it wrote is what the entry says.
            let first_line = chunk.first().map_or(0, |l| l.line);
            audit::record(
                conn,
                Some(&actor),
                Change::new(
                    "outcomes.imported",
                    "outcomes",
                    format!("line:{first_line}"),
                )
                .with(serde_json::json!({
                    "from_line": first_line,
                    "lines": chunk.len(),
                    "imported": part.imported,
                })),
            )?;
            Ok((part, seen))
        })
        .await?;
        report.imported += part.imported;
        report.errors.extend(part.errors);
        seen = carried;
    }
    // Lines come back in the file's order whichever phase reported them.
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

/// The use case "delete an outcome" recorded by mistake; 404 when there is none.
pub async fn delete_outcome(pool: &DbPool, id: String, actor: Actor) -> Result<(), AppError> {
    db::transaction(pool, move |conn| match store::delete(conn, &id)? {
        0 => Err(AppError::NotFound("outcome")),
        _ => audit::record(
            conn,
            Some(&actor),
            Change::new("outcome.deleted", "outcome", &id),
        ),
    })
    .await
}
