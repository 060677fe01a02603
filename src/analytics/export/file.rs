//! Writing an export: CSV streamed a page of rows at a time, or an .xlsx built whole, in the
//! reader's conventions; cells typed so that a spreadsheet sorts and sums them, and text that
//! a spreadsheet would run as a formula neutralised.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderName};
use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};

use crate::db::{self, DbConnection, DbPool};
use crate::error::AppError;
use crate::i18n::Locale;

/// The file asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Csv,
    Xlsx,
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
pub(super) trait RowSource: Send + 'static {
    fn header(&self, tr: Locale) -> Vec<String>;
    fn next_page(&mut self, conn: &mut DbConnection) -> Result<Vec<Vec<Cell>>, AppError>;
}

/// Runs an export: CSV streamed, xlsx built whole.
pub(super) async fn export(
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

fn attachment(stem: &str, extension: &str) -> (HeaderName, String) {
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

/// Exports rows computed at once.
pub(super) async fn export_rows(
    pool: &DbPool,
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
    format: Format,
    file_stem: String,
    tr: Locale,
) -> Result<HttpResponse, AppError> {
    let source = AllRows {
        header,
        rows: Some(rows),
    };
    export(pool, source, format, file_stem, tr).await
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
