//! Statistics tables as files: CSV that Excel and WPS open with Chinese
//! headers, and .xlsx with numbers as numbers, readable widths and, for
//! reports, a native Excel chart beside the table.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use crate::i18n::Locale;
use crate::web::AppError;

/// CSV with a BOM, so Excel and WPS read the Chinese headers; text that a
/// spreadsheet would run as a formula is defused (`defuse`).
pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for r in rows {
        let cells: Vec<_> = r.iter().map(|cell| defuse(cell)).collect();
        let _ = writer.write_record(cells.iter().map(|cell| cell.as_bytes()));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// A bar chart of one column of the table against its first column.
pub struct BarChart<'a> {
    pub title: &'a str,
    pub value_column: u16,
    /// Bars for the first rows only, as a page shows its top 15.
    pub rows: usize,
}

/// An .xlsx with readable column widths and numbers as numbers (rates as percentages).
pub fn to_xlsx(rows: &[Vec<String>], title: &str, chart: Option<&BarChart>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name = sheet_name(title);
    sheet.set_name(&name)?;
    for (r, row) in rows.iter().enumerate() {
        write_row(sheet, r as u32, row, &[])?;
    }
    let columns = rows.first().map(|r| r.len()).unwrap_or(1);
    lay_out(sheet, columns)?;
    if let Some(spec) = chart.filter(|spec| spec.rows > 0 && rows.len() > 1) {
        let last = spec.rows.min(rows.len() - 1) as u32;
        let mut bars = Chart::new(ChartType::Bar);
        bars.title().set_name(spec.title);
        bars.add_series()
            .set_categories((name.as_str(), 1, 0, last, 0))
            .set_values((name.as_str(), 1, spec.value_column, last, spec.value_column))
            .set_name(spec.title);
        // Highest first, as on the page.
        bars.y_axis().set_reverse();
        bars.x_axis().set_num_format("0%");
        bars.legend().set_hidden();
        bars.set_width(640).set_height(24 * last + 80);
        sheet.insert_chart(0, columns as u16 + 1, &bars)?;
    }
    workbook.save_to_buffer()
}

/// One sheet of a workbook of several (`book_to_xlsx`): its name, its rows
/// (the header first), and the columns kept as text whatever they hold: codes,
/// phone numbers and dates that another office's system reads back as text.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub rows: &'a [Vec<String>],
    pub text_columns: &'a [usize],
}

/// An .xlsx of several sheets, each laid out as `to_xlsx` lays out one.
pub fn book_to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    for s in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(s.name))?;
        for (r, row) in s.rows.iter().enumerate() {
            write_row(sheet, r as u32, row, s.text_columns)?;
        }
        lay_out(sheet, s.rows.first().map(|r| r.len()).unwrap_or(1))?;
    }
    workbook.save_to_buffer()
}

/// One row of a sheet: the first row bold (the header), quantities as
/// numbers, rates as percentages, everything else (and every `text` column) as text.
fn write_row(sheet: &mut Worksheet, r: u32, row: &[String], text: &[usize]) -> Result<(), XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let as_text = text.contains(&c);
        let c = c as u16;
        let number = || number(cell).filter(|_| !as_text);
        let percent = || cell.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()).filter(|_| !as_text);
        match (r, number(), percent()) {
            (0, _, _) => sheet.write_string_with_format(r, c, cell, &Format::new().set_bold()).map(|_| ())?,
            (_, Some(n), _) => sheet.write_number(r, c, n).map(|_| ())?,
            (_, _, Some(p)) => {
                sheet.write_number_with_format(r, c, p / 100.0, &Format::new().set_num_format("0.00%")).map(|_| ())?
            }
            _ => sheet.write_string(r, c, cell).map(|_| ())?,
        }
    }
    Ok(())
}

/// Readable widths, and the header and first column kept in view.
fn lay_out(sheet: &mut Worksheet, columns: usize) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 34)?;
    for c in 1..columns {
        sheet.set_column_width(c as u16, 14)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

/// Rows arriving batch by batch, for a list too long to hold at once.
pub type Batches = std::pin::Pin<Box<dyn Stream<Item = Result<Vec<Vec<String>>, AppError>> + Send>>;

/// A list of any length as a download, `header` first, then `batches`.
/// CSV is sent as the rows come, so the browser shows the download going and
/// memory holds one batch; an .xlsx is written in the writer's constant-memory
/// mode (rows go to a temporary file) and sent when complete.
pub async fn download_stream(
    header: Vec<String>,
    batches: Batches,
    format: &str,
    stem: &str,
    title: &str,
) -> Result<Response, AppError> {
    if format != "xlsx" {
        let first =
            futures_util::stream::once(async move { Ok(format!("\u{feff}{}", to_csv_rows(&[header])).into_bytes()) });
        let rest = batches.map(|batch| {
            batch.map(|rows| to_csv_rows(&rows).into_bytes()).map_err(|e| {
                tracing::error!(error = %e, "export stopped");
                std::io::Error::other(e.to_string())
            })
        });
        let body = Body::from_stream(first.chain(rest));
        return Ok(with_attachment_headers("text/csv; charset=utf-8", &format!("{stem}.csv"), body));
    }
    let bytes = xlsx_of(header, batches, title).await.map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    Ok(attachment(XLSX, &format!("{stem}.xlsx"), bytes))
}

/// An .xlsx of the header and every batch, the sheet kept on disk as it grows.
async fn xlsx_of(header: Vec<String>, mut batches: Batches, title: &str) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name(title))?;
    // Constant-memory rows are written in order, so the layout goes first.
    lay_out(sheet, header.len())?;
    write_row(sheet, 0, &header, &[])?;
    let mut r = 1;
    while let Some(batch) = batches.next().await {
        for row in batch? {
            write_row(sheet, r, &row, &[])?;
            r += 1;
        }
    }
    Ok(tokio::task::spawn_blocking(move || workbook.save_to_buffer()).await??)
}

/// Excel refuses sheet names over 31 characters or with []:*?/\.
fn sheet_name(title: &str) -> String {
    title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect()
}

/// CSV lines without the BOM, for one batch of a streamed export.
fn to_csv_rows(rows: &[Vec<String>]) -> String {
    to_csv(rows).trim_start_matches('\u{feff}').to_owned()
}

/// A text cell that begins as a formula would (`=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading `'`, as OWASP advises against CSV
/// injection: names come from anonymous registration and destination records.
/// Quantities such as `-5` stay as they are.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && number(cell).is_none() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell that is a quantity. Codes that look like numbers stay text: a
/// leading zero (student number 001234) or more than 11 digits (ID and
/// student numbers, which Excel would show as 2.0181E+11).
fn number(cell: &str) -> Option<f64> {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let leading_zero = cell.len() > 1 && cell.starts_with('0') && !cell.starts_with("0.");
    if leading_zero || digits > 11 {
        return None;
    }
    cell.parse().ok()
}

/// The cohort and the day a table stands at, carried in the file's name and
/// in its sheet's name, so a file passed on still says what it is of.
#[derive(Debug, Clone, Copy)]
pub struct AsOf<'a> {
    pub cohort: i64,
    /// `YYYY-MM-DD`.
    pub day: &'a str,
}

impl AsOf<'_> {
    /// `placement` → `placement-2022-2022-08-31`.
    pub fn stem(&self, stem: &str) -> String {
        format!("{stem}-{}-{}", self.cohort, self.day)
    }

    /// The sheet's name, short enough for Excel's 31 characters.
    pub fn title(&self, title: &str, l: Locale) -> String {
        match l {
            Locale::Zh => format!("{title} {}届 截至{}", self.cohort, self.day),
            Locale::En => format!("{title} {}, {}", self.cohort, self.day),
        }
    }
}

/// The table as a download: `format` is `xlsx` or else CSV; `stem` names the file.
pub fn download(
    rows: &[Vec<String>],
    format: &str,
    stem: &str,
    title: &str,
    chart: Option<&BarChart>,
) -> Result<Response, AppError> {
    if format == "xlsx" {
        let bytes = to_xlsx(rows, title, chart).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
        return Ok(attachment(XLSX, &format!("{stem}.xlsx"), bytes));
    }
    Ok(attachment("text/csv; charset=utf-8", &format!("{stem}.csv"), to_csv(rows).into_bytes()))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to save under `name`, which may be Chinese: browsers take
/// `filename*` (RFC 6266, encoded as RFC 5987 says); clients that do not get
/// the name's ASCII letters, digits and `.-_`.
pub fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    with_attachment_headers(content_type, name, Body::from(bytes))
}

/// A document from the file store (`crate::files`) as a download named
/// `stem-id.ext`, never by the name it was uploaded under; 404 when the bytes are gone.
pub fn stored_document(
    store: &crate::files::FileStore,
    sha256: &str,
    stem: &str,
    id: i64,
    content_type: &str,
) -> Result<Response, AppError> {
    use crate::files::FileError;
    let bytes = store.get(sha256).map_err(|e| match e {
        FileError::Missing => AppError::NotFound,
        e => AppError::Internal(anyhow::anyhow!(e)),
    })?;
    let name = crate::files::download_name(stem, id, content_type);
    Ok(attachment(content_type, &name, bytes))
}

/// `body` with the headers of a file to save under `name`, never cached.
fn with_attachment_headers(content_type: &str, name: &str, body: Body) -> Response {
    let ascii =
        |s: &str| -> String { s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect() };
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let stem = Some(ascii(stem))
        .filter(|s| s.chars().any(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "download".to_owned());
    let fallback = if extension.is_empty() { stem } else { format!("{stem}.{}", ascii(extension)) };
    let disposition = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{}", percent_encode(name));
    // Downloads hold personal data: no cache on the way or on a shared machine keeps a copy.
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, body).into_response()
}

/// RFC 5987 encoding: every byte outside letters, digits and `.-_` as %XX.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_with_a_chart_is_a_workbook() {
        let rows = vec![
            vec!["院校".to_owned(), "落实率".to_owned()],
            vec!["湘潭大学".to_owned(), "87.50%".to_owned()],
            vec!["湖南大学".to_owned(), "91.00%".to_owned()],
        ];
        let spec = BarChart { title: "落实率", value_column: 1, rows: 15 };
        let bytes = to_xlsx(&rows, "日报：落实率/排名", Some(&spec)).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
        assert_eq!(sheet.get((1, 1)).unwrap().to_string(), "0.875");
    }

    #[test]
    fn a_book_keeps_its_sheets_and_its_text_columns_as_text() {
        let rows =
            |phone: &str| vec![vec!["电话".to_owned(), "人数".to_owned()], vec![phone.to_owned(), "3".to_owned()]];
        let (first, second) = (rows("13812345678"), rows("0731"));
        let sheets = [
            Sheet { name: "汇总", rows: &first, text_columns: &[0] },
            Sheet { name: "长沙市", rows: &second, text_columns: &[0] },
        ];
        let bytes = book_to_xlsx(&sheets).unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(calamine::Reader::sheet_names(&book), ["汇总", "长沙市"]);
        let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
        assert_eq!(sheet.get((1, 0)), Some(&calamine::Data::String("13812345678".into())));
        assert_eq!(sheet.get((1, 1)), Some(&calamine::Data::Float(3.0)));
    }

    #[test]
    fn file_names_are_encoded_for_the_header() {
        assert_eq!(percent_encode("协议.pdf"), "%E5%8D%8F%E8%AE%AE.pdf");
        assert_eq!(percent_encode("a b\".pdf"), "a%20b%22.pdf");
        let disposition = |name: &str| {
            let r = attachment("text/plain", name, Vec::new());
            r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned()
        };
        assert_eq!(
            disposition("placement.csv"),
            "attachment; filename=\"placement.csv\"; filename*=UTF-8''placement.csv"
        );
        assert!(disposition("花名册-错误报告.xlsx")
            .starts_with("attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E8"));
        assert!(disposition("协议 2022.pdf").starts_with("attachment; filename=\"2022.pdf\""));
    }

    #[test]
    fn a_dated_export_names_its_cohort_and_day() {
        let as_of = AsOf { cohort: 2022, day: "2022-08-31" };
        assert_eq!(as_of.stem("placement"), "placement-2022-2022-08-31");
        assert_eq!(as_of.title("落实率", Locale::Zh), "落实率 2022届 截至2022-08-31");
        let title = as_of.title("Destinations", Locale::En);
        assert!(title.chars().count() <= 31, "{title}");
        let bytes = to_xlsx(&[vec!["院校".to_owned()]], &title, None).unwrap();
        let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(calamine::Reader::sheet_names(&book), vec![title]);
    }

    #[test]
    fn formulas_in_text_are_defused_and_quantities_kept() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://x\")".to_owned(),
            "+1+2".to_owned(),
            "-5".to_owned(),
            "@SUM(A1)".to_owned(),
            "\tx".to_owned(),
            "湘潭大学".to_owned(),
        ]];
        let csv = to_csv(&rows);
        let cells: Vec<&str> = csv.trim_start_matches('\u{feff}').trim_end().split(',').collect();
        assert!(cells[0].starts_with("\"'=HYPERLINK"), "{csv}");
        assert_eq!(&cells[1..], ["'+1+2", "-5", "'@SUM(A1)", "'\tx", "湘潭大学"]);
    }

    #[test]
    fn codes_stay_text_and_quantities_become_numbers() {
        assert_eq!(number("4038"), Some(4038.0));
        assert_eq!(number("-0.40"), Some(-0.4));
        assert_eq!(number("0"), Some(0.0));
        assert_eq!(number("001234"), None);
        assert_eq!(number("201810100136"), None);
        assert_eq!(number("湘潭大学"), None);
    }
}
