//! The formats, each turned into rows: .xlsx streamed cell by cell
//! (calamine's cell reader, so a large sheet is never held twice), .xls
//! through calamine's whole-sheet range, .csv through the csv reader. Every
//! cell arrives as trimmed text; row numbers are the sheet's own.

use std::borrow::Cow;
use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, DataRef, Reader, SheetType, Xlsx};

use crate::limits::{self, Limit, Limits, EXCEL_COLUMNS, EXCEL_ROWS};
use crate::{contained, decode_text, Error};

/// A row as a format gives it: its index in the sheet (0-based), each cell's
/// text, which cells hold numbers, and the sheet's last row index where it says.
#[derive(Debug)]
pub struct Cells<'r> {
    pub index: usize,
    pub texts: &'r [Cow<'r, str>],
    pub numbers: &'r [bool],
    pub last_index: Option<usize>,
}

/// An opened file, whatever its format.
pub struct Book<'b> {
    kind: Kind<'b>,
    /// The worksheets' names, in file order; none for CSV.
    sheets: Vec<String>,
    limits: Limits,
}

enum Kind<'b> {
    Xlsx(Box<Xlsx<Cursor<&'b [u8]>>>),
    Workbook(Box<calamine::Sheets<Cursor<&'b [u8]>>>),
    Csv(String),
}

fn broken(e: impl std::fmt::Display) -> Error {
    Error::Broken(e.to_string())
}

fn worksheets(sheets: &[calamine::Sheet]) -> Vec<String> {
    sheets.iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect()
}

impl<'b> Book<'b> {
    /// Opens a file, its format picked by the name's extension, falling back
    /// to sniffing the bytes; an .xlsx or .xls is measured against `limits` first.
    pub fn open(file_name: &str, bytes: &'b [u8], limits: &Limits) -> Result<Book<'b>, Error> {
        let lower = file_name.to_lowercase();
        let is_zip = bytes.starts_with(b"PK\x03\x04");
        let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        let limits = *limits;
        if is_zip && !lower.ends_with(".xlsb") && !lower.ends_with(".ods") {
            contained(|| limits::check_zip(bytes, &limits))?;
            let workbook: Xlsx<_> = contained(|| Xlsx::new(Cursor::new(bytes)).map_err(broken))?;
            let sheets = worksheets(workbook.sheets_metadata());
            Ok(Book { kind: Kind::Xlsx(Box::new(workbook)), sheets, limits })
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") || is_zip || is_ole {
            // Measured first: calamine holds a whole .xls at open.
            match is_zip {
                true => contained(|| limits::check_zip(bytes, &limits))?,
                false => contained(|| limits::check_xls(bytes, &limits))?,
            }
            let workbook = contained(|| calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(broken))?;
            let sheets = worksheets(workbook.sheets_metadata());
            Ok(Book { kind: Kind::Workbook(Box::new(workbook)), sheets, limits })
        } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !bytes.is_empty() {
            Ok(Book { kind: Kind::Csv(decode_text(bytes)), sheets: Vec::new(), limits })
        } else {
            Err(Error::Kind)
        }
    }

    /// The worksheets' names, in file order; none for CSV.
    pub fn sheets(&self) -> &[String] {
        &self.sheets
    }

    pub fn sheet_count(&self) -> usize {
        match self.kind {
            Kind::Csv(_) => 1,
            _ => self.sheets.len(),
        }
    }

    /// Hands each row of sheet `sheet` that has cells to `each`, until the
    /// sheet ends or `each` breaks; a row over the limits ends the reading.
    pub fn rows(&mut self, sheet: usize, each: &mut dyn FnMut(Cells) -> ControlFlow<()>) -> Result<(), Error> {
        let name = self.sheets.get(sheet).cloned().unwrap_or_default();
        let limits = self.limits;
        let mut over = None;
        let mut checked = |cells: Cells| match within(&cells, &limits) {
            Ok(()) => each(cells),
            Err(limit) => {
                over = Some(limit);
                ControlFlow::Break(())
            }
        };
        match &mut self.kind {
            Kind::Xlsx(workbook) => xlsx_rows(workbook, &name, &limits, &mut checked),
            Kind::Workbook(workbook) => workbook_rows(workbook, &name, &mut checked),
            Kind::Csv(text) => csv_rows(text, &mut checked),
        }?;
        over.map_or(Ok(()), |limit| Err(Error::Over(limit)))
    }
}

/// A row within Excel's columns and the import's columns and cell length.
/// (Rows past Excel's last are refused where a sheet places them; a CSV has
/// no such place, and the import's row limit holds for it.)
fn within(cells: &Cells, limits: &Limits) -> Result<(), Limit> {
    if cells.texts.len() > EXCEL_COLUMNS {
        return Err(Limit::Excel);
    }
    if cells.texts.len() > limits.columns {
        return Err(Limit::Columns(limits.columns));
    }
    let long = |t: &Cow<str>| t.len() > limits.cell_chars && t.chars().count() > limits.cell_chars;
    match cells.texts.iter().any(long) {
        true => Err(Limit::CellChars(limits.cell_chars)),
        false => Ok(()),
    }
}

fn xlsx_rows(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
    each: &mut dyn FnMut(Cells) -> ControlFlow<()>,
) -> Result<(), Error> {
    let mut reader = contained(|| workbook.worksheet_cells_reader(name).map_err(broken))?;
    let dimensions = reader.dimensions();
    let last_index = (dimensions.end.0 > dimensions.start.0).then_some(dimensions.end.0 as usize);
    let mut texts: Vec<Cow<str>> = Vec::new();
    let mut numbers: Vec<bool> = Vec::new();
    let mut row_index = None;
    while let Some(cell) = contained(|| reader.next_cell().map_err(broken))? {
        let (r, c) = cell.get_position();
        // Refused before the row grows to the cell's column.
        if r as usize >= EXCEL_ROWS || c as usize >= EXCEL_COLUMNS {
            return Err(Error::Over(Limit::Excel));
        }
        if c as usize >= limits.columns {
            return Err(Error::Over(Limit::Columns(limits.columns)));
        }
        if row_index != Some(r) {
            if let Some(index) = row_index {
                let cells = Cells { index: index as usize, texts: &texts, numbers: &numbers, last_index };
                if each(cells).is_break() {
                    return Ok(());
                }
            }
            texts.clear();
            numbers.clear();
            row_index = Some(r);
        }
        let c = c as usize;
        if c < texts.len() {
            continue; // a cell written twice; the first one stands
        }
        texts.resize(c, Cow::Borrowed(""));
        numbers.resize(c, false);
        let value = cell.get_value();
        numbers.push(matches!(value, DataRef::Float(_) | DataRef::Int(_)));
        texts.push(data_ref_text(value));
    }
    if let Some(index) = row_index {
        let _ = each(Cells { index: index as usize, texts: &texts, numbers: &numbers, last_index });
    }
    Ok(())
}

fn workbook_rows(
    workbook: &mut calamine::Sheets<Cursor<&[u8]>>,
    name: &str,
    each: &mut dyn FnMut(Cells) -> ControlFlow<()>,
) -> Result<(), Error> {
    let range = contained(|| workbook.worksheet_range(name).map_err(broken))?;
    let (first, last_index) = match (range.start(), range.end()) {
        (Some(start), Some(end)) => (start.0 as usize, Some(end.0 as usize)),
        _ => return Ok(()),
    };
    for (i, r) in range.rows().enumerate() {
        let texts: Vec<Cow<str>> = r.iter().map(cell_text).collect();
        let numbers: Vec<bool> = r.iter().map(|c| matches!(c, Data::Float(_) | Data::Int(_))).collect();
        if each(Cells { index: first + i, texts: &texts, numbers: &numbers, last_index }).is_break() {
            break;
        }
    }
    Ok(())
}

fn csv_rows(text: &str, each: &mut dyn FnMut(Cells) -> ControlFlow<()>) -> Result<(), Error> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let last_index = text.matches('\n').count().checked_sub(1);
    let mut record = csv::StringRecord::new();
    let mut numbers = Vec::new();
    // Rows as Excel numbers them: one a record, and one for each blank line
    // the reader skips (a quoted field's line breaks do not count).
    let mut rows = 0;
    while contained(|| reader.read_record(&mut record).map_err(broken))? {
        let gap = record.position().map_or(0, |p| p.byte() as usize);
        rows += 1 + blank_lines_at(text, gap);
        let index = rows - 1;
        let texts: Vec<Cow<str>> = record.iter().map(|c| Cow::Borrowed(c.trim())).collect();
        numbers.resize(texts.len(), false);
        if each(Cells { index, texts: &texts, numbers: &numbers, last_index }).is_break() {
            break;
        }
    }
    Ok(())
}

/// How many blank lines start at byte `at`, where the previous record ended.
/// A record ended by CR LF ends at its CR, so a LF just after one is its end.
fn blank_lines_at(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = at;
    if at > 0 && bytes.get(at - 1) == Some(&b'\r') && bytes.get(at) == Some(&b'\n') {
        at += 1;
    }
    let mut blank = 0;
    loop {
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'\r'), Some(b'\n')) => at += 2,
            (Some(b'\r' | b'\n'), _) => at += 1,
            _ => return blank,
        }
        blank += 1;
    }
}

/// A cell as the text a person sees: whole numbers without ".0" or an
/// exponent, dates as `YYYY-MM-DD` (Excel stores them as day serials).
fn cell_text(cell: &Data) -> Cow<'_, str> {
    match cell {
        Data::Empty => Cow::Borrowed(""),
        Data::String(s) => Cow::Borrowed(s.trim()),
        Data::Float(f) => float_text(*f).into(),
        Data::Int(i) => i.to_string().into(),
        Data::Bool(b) => b.to_string().into(),
        Data::DateTime(d) => date_text(d).into(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect::<String>().into(),
        Data::Error(e) => format!("{e:?}").into(),
    }
}

fn data_ref_text<'a>(cell: &DataRef<'a>) -> Cow<'a, str> {
    match cell {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::SharedString(s) => Cow::Borrowed(s.trim()),
        DataRef::String(s) => s.trim().to_owned().into(),
        DataRef::Float(f) => float_text(*f).into(),
        DataRef::Int(i) => i.to_string().into(),
        DataRef::Bool(b) => b.to_string().into(),
        DataRef::DateTime(d) => date_text(d).into(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().take(10).collect::<String>().into(),
        DataRef::Error(e) => format!("{e:?}").into(),
    }
}

/// A date as `YYYY-MM-DD` (a `NaiveDate`'s display), a serial out of range as calamine shows it.
fn date_text(d: &calamine::ExcelDateTime) -> String {
    d.as_datetime().map(|t| t.date().to_string()).unwrap_or_else(|| d.to_string())
}

/// Rust prints whole floats in full, never with an exponent.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Every row of every sheet, as the fuzzers read a file: how many there were.
#[cfg(test)]
pub(crate) fn every_row(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<usize, Error> {
    let mut book = Book::open(file_name, bytes, limits)?;
    let mut rows = 0;
    for sheet in 0..book.sheet_count() {
        book.rows(sheet, &mut |_| {
            rows += 1;
            ControlFlow::Continue(())
        })?;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every input a fuzzer crashed on, kept in fuzz/regressions/.
    fn regressions() -> Vec<(String, Vec<u8>)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
        let mut files: Vec<_> = std::fs::read_dir(dir).expect("fuzz/regressions").flatten().map(|e| e.path()).collect();
        files.sort();
        files.iter().map(|p| (p.display().to_string(), std::fs::read(p).expect("a regression"))).collect()
    }

    /// As the fuzzers judge it: read or refused, a parser's panic contained,
    /// and none of them an overflow (which a release build would not catch).
    #[test]
    fn what_crashed_a_fuzzer_is_read_or_refused() {
        let regressions = regressions();
        assert!(!regressions.is_empty());
        for (name, bytes) in regressions {
            if let Err(Error::Unreadable(said)) = every_row(&name, &bytes, &Limits::default()) {
                assert!(!said.contains("overflow"), "{name}: {said}");
            }
        }
    }

    #[test]
    fn an_xls_whose_first_row_is_after_its_last_is_refused_before_calamine_reserves_its_rows() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions/xls-first-row-after-last.xls"));
        let read = every_row("a.xls", &bytes.expect("the regression"), &Limits::default());
        assert_eq!(read, Err(Error::Broken("dimensions: the first row is after the last".into())));
    }

    /// calamine's own compound-file reader slices past a sector's end on this
    /// file (the `cfb` crate of the pre-check reads it): a panic in any build,
    /// refused as unreadable rather than taking the worker down.
    #[test]
    fn calamines_panic_on_a_real_file_is_refused_as_unreadable() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/regressions/xls-cfb-sector-past-the-end.xls"
        ));
        let read = every_row("a.xls", &bytes.expect("the regression"), &Limits::default());
        assert!(matches!(&read, Err(Error::Unreadable(said)) if said.contains("slice index")), "{read:?}");
    }
}
