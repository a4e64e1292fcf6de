//! Reading a roster file row by row: .xlsx streamed cell by cell (calamine's
//! cell reader, so a large sheet is never held twice), .xls through
//! calamine's whole-sheet range, and .csv in UTF-8 or GB18030/GBK, as Chinese
//! Excel saves it. Every cell arrives as trimmed text.

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
/// data row that has any text (blank rows are skipped).
#[derive(Debug)]
pub enum Line {
    /// `rows` is how many data rows the file says it has, where it says so.
    Headers {
        cells: Vec<String>,
        rows: Option<usize>,
    },
    Row(Vec<String>),
}

/// Reads the whole file into memory.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    let mut table = Table::default();
    stream(file_name, bytes, |line| {
        match line {
            Line::Headers { cells, .. } => table.headers = cells,
            Line::Row(row) => table.rows.push(row),
        }
        ControlFlow::Continue(())
    })?;
    Ok(table)
}

/// Hands each line to `each` as it is read, until the file ends or `each`
/// breaks. Picks the format by the file name's extension, falling back to
/// sniffing the bytes.
pub fn stream(file_name: &str, bytes: &[u8], each: impl FnMut(Line) -> ControlFlow<()>) -> Result<(), ReadError> {
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

impl<F: FnMut(Line) -> ControlFlow<()>> Lines<F> {
    fn push(&mut self, row: Vec<String>) -> ControlFlow<()> {
        if row.iter().all(|c| c.is_empty()) {
            return ControlFlow::Continue(());
        }
        if self.headers_sent {
            (self.each)(Line::Row(row))
        } else {
            self.headers_sent = true;
            (self.each)(Line::Headers { cells: row, rows: self.rows_hint })
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

fn stream_xlsx(bytes: &[u8], each: impl FnMut(Line) -> ControlFlow<()>) -> Result<(), ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let first = workbook.sheet_names().first().cloned().ok_or(ReadError::Empty)?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(broken)?;
    let dimensions = cells.dimensions();
    let rows_hint = (dimensions.end.0 > dimensions.start.0).then(|| (dimensions.end.0 - dimensions.start.0) as usize);
    let mut lines = Lines { each, headers_sent: false, rows_hint };
    let mut row: Vec<String> = Vec::new();
    let mut row_index = None;
    while let Some(cell) = cells.next_cell().map_err(broken)? {
        let (r, c) = cell.get_position();
        if row_index != Some(r) {
            if lines.push(std::mem::take(&mut row)).is_break() {
                return Ok(());
            }
            row_index = Some(r);
        }
        let c = c as usize;
        if c < row.len() {
            continue; // a cell written twice; the first one stands
        }
        row.resize(c, String::new());
        row.push(data_ref_text(cell.get_value()));
    }
    if lines.push(row).is_break() {
        return Ok(());
    }
    lines.finish()
}

fn stream_workbook(bytes: &[u8], each: impl FnMut(Line) -> ControlFlow<()>) -> Result<(), ReadError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(broken)?;
    let range = workbook.worksheet_range_at(0).ok_or(ReadError::Empty)?.map_err(broken)?;
    let mut lines = Lines { each, headers_sent: false, rows_hint: Some(range.height().saturating_sub(1)) };
    for r in range.rows() {
        if lines.push(r.iter().map(cell_text).collect()).is_break() {
            return Ok(());
        }
    }
    lines.finish()
}

/// A cell as the text a person sees: whole numbers without ".0", dates as
/// `YYYY-MM-DD` (Excel stores them as day serials).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) => float_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            d.as_datetime().map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("{e:?}"),
    }
}

fn data_ref_text(cell: &DataRef) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            d.as_datetime().map(|t| t.date().format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().take(10).collect(),
        DataRef::Error(e) => format!("{e:?}"),
    }
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
    let mut lines = Lines { each, headers_sent: false, rows_hint: None };
    for record in reader.records() {
        let record = record.map_err(broken)?;
        if lines.push(record.iter().map(|c| c.trim().to_owned()).collect()).is_break() {
            return Ok(());
        }
    }
    lines.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
