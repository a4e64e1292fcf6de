//! Reading a spreadsheet row by row: .xlsx streamed cell by cell (calamine's
//! cell reader, so a large sheet is never held twice), .xls through
//! calamine's whole-sheet range, and .csv in UTF-8 or GB18030/GBK, as Chinese
//! Excel saves it. Every cell arrives as trimmed text.

use std::borrow::Cow;
use std::io::Cursor;
use std::ops::ControlFlow;

use calamine::{Data, DataRef, Reader, Xlsx};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("unsupported file type")]
    Kind,
    #[error("the file could not be read: {0}")]
    Broken(String),
    #[error("the file has no header row")]
    Empty,
}

/// A file's header row and its data rows, every cell as trimmed text.
#[derive(Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What the reader hands on, in file order: the header row once, then each
/// data row that has any text (blank rows are skipped). A data row's cells
/// borrow from the file where they can (shared strings, CSV fields), so a
/// large file is not copied cell by cell before it is judged.
#[derive(Debug)]
pub enum Line<'r> {
    /// `rows` is how many data rows the file says it has, where it says so.
    Headers {
        cells: Vec<String>,
        rows: Option<usize>,
    },
    Row(&'r [Cow<'r, str>]),
}

/// Reads the whole file into memory.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    let mut table = Table::default();
    stream(file_name, bytes, |line| {
        match line {
            Line::Headers { cells, .. } => table.headers = cells,
            Line::Row(row) => table.rows.push(row.iter().map(|c| c.to_string()).collect()),
        }
        ControlFlow::Continue(())
    })?;
    Ok(table)
}

/// Hands each line to `each` as it is read, until the file ends or `each`
/// breaks. Picks the format by the file name's extension, falling back to
/// sniffing the bytes.
pub fn stream(file_name: &str, bytes: &[u8], each: impl FnMut(Line<'_>) -> ControlFlow<()>) -> Result<(), ReadError> {
    let lower = file_name.to_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip && !lower.ends_with(".xlsb") && !lower.ends_with(".ods") {
        stream_xlsx(bytes, each)
    } else if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm") || is_zip || is_ole {
        stream_workbook(bytes, each)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !bytes.is_empty() {
        stream_csv(bytes, each)
    } else {
        Err(ReadError::Kind)
    }
}

/// Turns rows (with their blanks) into lines: the first row with any text is
/// the header row.
struct Lines<F> {
    each: F,
    headers_sent: bool,
    rows_hint: Option<usize>,
}

impl<F: FnMut(Line<'_>) -> ControlFlow<()>> Lines<F> {
    fn push(&mut self, row: &[Cow<'_, str>]) -> ControlFlow<()> {
        if row.iter().all(|c| c.is_empty()) {
            return ControlFlow::Continue(());
        }
        if self.headers_sent {
            (self.each)(Line::Row(row))
        } else {
            self.headers_sent = true;
            let cells = row.iter().map(|c| c.to_string()).collect();
            (self.each)(Line::Headers { cells, rows: self.rows_hint })
        }
    }
    fn finish(self) -> Result<(), ReadError> {
        if self.headers_sent {
            Ok(())
        } else {
            Err(ReadError::Empty)
        }
    }
}

fn broken(e: impl std::fmt::Display) -> ReadError {
    ReadError::Broken(e.to_string())
}

fn stream_xlsx(bytes: &[u8], each: impl FnMut(Line<'_>) -> ControlFlow<()>) -> Result<(), ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let first = workbook.sheet_names().first().cloned().ok_or(ReadError::Empty)?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(broken)?;
    let dimensions = cells.dimensions();
    let rows_hint = (dimensions.end.0 > dimensions.start.0).then(|| (dimensions.end.0 - dimensions.start.0) as usize);
    let mut lines = Lines { each, headers_sent: false, rows_hint };
    let mut row: Vec<Cow<str>> = Vec::new();
    let mut row_index = None;
    while let Some(cell) = cells.next_cell().map_err(broken)? {
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if lines.push(&row).is_break() {
                return Ok(());
            }
            row.clear();
            row_index = Some(r);
        }
        let c = c as usize;
        if c < row.len() {
            continue; // a cell written twice; the first one stands
        }
        row.resize(c, Cow::Borrowed(""));
        row.push(data_ref_text(cell.get_value()));
    }
    if lines.push(&row).is_break() {
        return Ok(());
    }
    lines.finish()
}

fn stream_workbook(bytes: &[u8], each: impl FnMut(Line<'_>) -> ControlFlow<()>) -> Result<(), ReadError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(broken)?;
    let range = workbook.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(broken)?;
    let mut lines = Lines { each, headers_sent: false, rows_hint: Some(range.height().saturating_sub(1)) };
    for r in range.rows() {
        let row: Vec<Cow<str>> = r.iter().map(cell_text).collect();
        if lines.push(&row).is_break() {
            return Ok(());
        }
    }
    lines.finish()
}

/// A cell as the text a person sees: whole numbers without ".0", dates as
/// `YYYY-MM-DD` (Excel stores them as day serials).
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

fn date_text(d: &calamine::ExcelDateTime) -> String {
    d.as_datetime().map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Decodes UTF-8 (with or without BOM), else GB18030, a superset of GBK.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn stream_csv(bytes: &[u8], each: impl FnMut(Line) -> ControlFlow<()>) -> Result<(), ReadError> {
    let text = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let rows_hint = text.matches('\n').count().checked_sub(1);
    let mut lines = Lines { each, headers_sent: false, rows_hint };
    for record in reader.records() {
        let record = record.map_err(broken)?;
        let row: Vec<Cow<str>> = record.iter().map(|c| Cow::Borrowed(c.trim())).collect();
        if lines.push(&row).is_break() {
            return Ok(());
        }
    }
    lines.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_xlsx_keeps_columns_across_gaps() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["学号", "姓名", "出生日期", "手机号"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 2022001.0).unwrap();
        sheet.write_string(1, 3, " 13900000000 ").unwrap();
        // Row 3 is blank; row 4 has a date typed as a date.
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 2).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_datetime_with_format(3, 2, &date, &format).unwrap();
        sheet.write_string(3, 1, "张三").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let t = read("r.xlsx", &bytes).unwrap();
        assert_eq!(t.headers, vec!["学号", "姓名", "出生日期", "手机号"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0], vec!["2022001", "", "", "13900000000"]);
        assert_eq!(t.rows[1], vec!["", "张三", "2000-01-02"]);
        let mut hint = None;
        stream("r.xlsx", &bytes, |line| {
            if let Line::Headers { rows, .. } = line {
                hint = rows;
            }
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(hint, Some(3), "the sheet's dimension, blank row included");
    }

    #[test]
    fn gbk_and_utf8_csv() {
        let utf8 = "学号,姓名\n001,张三\n\n";
        let t = read("a.csv", utf8.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["学号", "姓名"]);
        assert_eq!(t.rows, vec![vec!["001".to_owned(), "张三".to_owned()]]);
        let (gbk, _, _) = encoding_rs::GBK.encode("学号,姓名\r\n002,李四\r\n");
        let t = read("b.csv", &gbk).unwrap();
        assert_eq!(t.rows[0][1], "李四");
        let bom = [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat();
        assert_eq!(read("c.csv", &bom).unwrap().headers[0], "学号");
    }
}
